import type { Router } from "../../lib/openapi";
import { registerCreateOrganization } from "./create";
import { registerGetOrganization } from "./get";
import { registerListOrganizations } from "./list";
import { registerUpdateOrganization } from "./update";

export function registerOrganizationRoutes(app: Router) {
  registerListOrganizations(app);
  registerCreateOrganization(app);
  registerGetOrganization(app);
  registerUpdateOrganization(app);
}
