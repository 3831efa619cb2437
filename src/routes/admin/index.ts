import { createRouter } from "../../lib/openapi";
import { requireAdmin } from "../../middleware/admin";
import { registerCreateCredential } from "./create-credential";
import { registerCreatePartner } from "./create-partner";
import { registerDecideKyc } from "./decide-kyc";
import { registerGetPartner } from "./get-partner";
import { registerListKyc } from "./list-kyc";
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
  registerListKyc(app);
  registerDecideKyc(app);
  return app;
}
