import type { Router } from "../../lib/openapi";
import { registerErasePayerData } from "./erase";
import { registerExportPayerData } from "./export";

export function registerPrivacyRoutes(app: Router) {
  registerExportPayerData(app);
  registerErasePayerData(app);
}
