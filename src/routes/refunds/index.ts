import type { Router } from "../../lib/openapi";
import { registerCreateRefund } from "./create";
import { registerGetRefund } from "./get";
import { registerListPaymentIntentRefunds } from "./list-for-intent";

export function registerRefundRoutes(app: Router) {
  registerCreateRefund(app);
  registerGetRefund(app);
  registerListPaymentIntentRefunds(app);
}
