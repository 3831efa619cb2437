import type { Router } from "../../lib/openapi";
import { registerGetMessage } from "./get";
import { registerListMessages } from "./list";

export function registerMessageRoutes(app: Router) {
  registerListMessages(app);
  registerGetMessage(app);
}
