import type { Router } from "../../lib/openapi";
import { registerGetBalance } from "./get";

export function registerBalanceRoutes(app: Router) {
  registerGetBalance(app);
}
