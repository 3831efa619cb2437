import type { Router } from "../../lib/openapi";
import { registerListAuditLogs } from "./list";
import { registerVerifyAuditLogs } from "./verify";

export function registerAuditLogRoutes(app: Router) {
  registerListAuditLogs(app);
  registerVerifyAuditLogs(app);
}
