import type { Router } from "../../lib/openapi";
import { registerCreatePaymentLink } from "./create";
import { registerGetPaymentLink } from "./get";
import { registerListPaymentLinks } from "./list";
import { registerRevokePaymentLink } from "./revoke";
import { registerCancelPaymentLink } from "./cancel";
import { registerRemindPaymentLink } from "./remind";
import { registerSendPaymentLink } from "./send";

export function registerPaymentLinkRoutes(app: Router) {
  registerListPaymentLinks(app);
  registerCreatePaymentLink(app);
  registerGetPaymentLink(app);
  registerRevokePaymentLink(app);
  registerSendPaymentLink(app);
  registerRemindPaymentLink(app);
  registerCancelPaymentLink(app);
}
