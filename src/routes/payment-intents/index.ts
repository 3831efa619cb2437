import type { Router } from "../../lib/openapi";
import { registerGetPaymentIntent } from "./get";
import { registerListPaymentIntents } from "./list";

export function registerPaymentIntentRoutes(app: Router) {
  registerListPaymentIntents(app);
  registerGetPaymentIntent(app);
}
