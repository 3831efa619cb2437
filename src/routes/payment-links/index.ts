import type { Router } from "../../lib/openapi";
import { registerCreatePaymentLink } from "./create";
import { registerGetPaymentLink } from "./get";
import { registerListPaymentLinks } from "./list";
import { registerRevokePaymentLink } from "./revoke";

export function registerPaymentLinkRoutes(app: Router) {
  registerListPaymentLinks(app);
  registerCreatePaymentLink(app);
  registerGetPaymentLink(app);
  registerRevokePaymentLink(app);
}
