import type { Router } from "../../lib/openapi";
import { registerCancelPaymentIntent } from "./cancel";
import { registerCapturePaymentIntent } from "./capture";
import { registerGetPaymentIntent } from "./get";
import { registerListPaymentIntents } from "./list";

export function registerPaymentIntentRoutes(app: Router) {
  registerListPaymentIntents(app);
  registerGetPaymentIntent(app);
  registerCapturePaymentIntent(app);
  registerCancelPaymentIntent(app);
}
