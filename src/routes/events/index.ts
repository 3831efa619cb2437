import type { Router } from "../../lib/openapi";
import { registerListEventDeliveries } from "./deliveries";
import { registerGetEvent } from "./get";
import { registerListEvents } from "./list";
import { registerRedeliverEvent } from "./redeliver";

export function registerEventRoutes(app: Router) {
  registerListEvents(app);
  registerGetEvent(app);
  registerListEventDeliveries(app);
  registerRedeliverEvent(app);
}
