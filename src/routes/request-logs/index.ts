import type { Router } from "../../lib/openapi";
import { registerGetRequestLog } from "./get";
import { registerListRequestLogs } from "./list";

export function registerRequestLogRoutes(app: Router) {
  registerListRequestLogs(app);
  registerGetRequestLog(app);
}
