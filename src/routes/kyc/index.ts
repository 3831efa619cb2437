import type { Router } from "../../lib/openapi";
import { registerGetKyc } from "./get";
import { registerSubmitKyc } from "./submit";

export function registerKycRoutes(app: Router) {
  registerSubmitKyc(app);
  registerGetKyc(app);
}
