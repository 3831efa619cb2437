import type { Router } from "../../lib/openapi";
import { registerListAuditLogs } from "./list";

export function registerAuditLogRoutes(app: Router) {
  registerListAuditLogs(app);
}
