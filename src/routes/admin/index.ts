import { createRouter } from "../../lib/openapi";
import { requireAdmin } from "../../middleware/admin";
import { registerCreateCredential } from "./create-credential";
import { registerCreatePartner } from "./create-partner";
import { registerGetPartner } from "./get-partner";
import { registerRevokeCredential } from "./revoke-credential";
import { registerUpdatePartner } from "./update-partner";

export function adminRoutes() {
  const app = createRouter();
  app.use("*", requireAdmin);
  registerCreatePartner(app);
  registerGetPartner(app);
  registerUpdatePartner(app);
  registerCreateCredential(app);
  registerRevokeCredential(app);
  return app;
}
