import type { Router } from "../../lib/openapi";
import { registerCreateDepartment } from "./create";
import { registerGetDepartment } from "./get";
import { registerGetOrganizationDepartment } from "./get-in-organization";
import { registerListDepartments } from "./list";
import { registerUpdateDepartment } from "./update";

export function registerDepartmentRoutes(app: Router) {
  registerListDepartments(app);
  registerCreateDepartment(app);
  registerGetOrganizationDepartment(app);
  registerGetDepartment(app);
  registerUpdateDepartment(app);
}
