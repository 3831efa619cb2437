import type { Router } from "../../lib/openapi";
import { registerCreateDepartment } from "./create";
import { registerGetDepartment } from "./get";
import { registerGetOrganizationDepartment } from "./get-in-organization";
import { registerListDepartments } from "./list";
import { registerGetRemittance } from "./remittance";
import { registerGetRemittanceCsv } from "./remittance-csv";
import { registerGetRemittancePdf } from "./remittance-pdf";
import { registerUpdateDepartment } from "./update";

export function registerDepartmentRoutes(app: Router) {
  registerListDepartments(app);
  registerCreateDepartment(app);
  registerGetOrganizationDepartment(app);
  registerGetDepartment(app);
  registerUpdateDepartment(app);
  // The .csv and .pdf statements before the JSON one, whose {month} would also match "2026-03.csv".
  registerGetRemittanceCsv(app);
  registerGetRemittancePdf(app);
  registerGetRemittance(app);
}
