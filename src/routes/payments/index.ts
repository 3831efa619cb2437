import type { Router } from "../../lib/openapi";
import { registerGetPayment } from "./get";
import { registerListPayments } from "./list";
import { registerGetPaymentReceipt } from "./receipt";
import { registerListInvoicePayments } from "./list-for-invoice";

export function registerPaymentRoutes(app: Router) {
  registerListPayments(app);
  registerGetPayment(app);
  registerGetPaymentReceipt(app);
  registerListInvoicePayments(app);
}
