import type { Router } from "../../lib/openapi";
import { registerGetPayment } from "./get";
import { registerListPayments } from "./list";
import { registerListInvoicePayments } from "./list-for-invoice";

export function registerPaymentRoutes(app: Router) {
  registerListPayments(app);
  registerGetPayment(app);
  registerListInvoicePayments(app);
}
