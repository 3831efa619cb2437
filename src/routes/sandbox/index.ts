import type { Router } from "../../lib/openapi";
import { registerSimulatePaymentIntent } from "./simulate-payment-intent";
import { registerSimulateRefund } from "./simulate-refund";
import { registerSandboxSweeps } from "./sweeps";

export function registerSandboxRoutes(app: Router) {
  registerSimulateRefund(app);
  registerSandboxSweeps(app);
  registerSimulatePaymentIntent(app);
}
