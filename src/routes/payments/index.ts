import type { Router } from "../../lib/openapi";
import { registerGetPayment } from "./get";
import { registerListPayments } from "./list";
import { registerGetPaymentReceipt } from "./receipt";
import { registerListInvoicePayments } from "./list-for-invoice";
import { registerRecordInvoicePayment } from "./record-offline";
import { registerGetPaymentStatsSummary } from "./stats-summary";
import { registerVoidPayment } from "./void";

export function registerPaymentRoutes(app: Router) {
  registerListPayments(app);
  // Before /payments/{id}, so "stats" is never read as a payment id.
  registerGetPaymentStatsSummary(app);
  registerGetPayment(app);
  registerGetPaymentReceipt(app);
  registerListInvoicePayments(app);
  registerRecordInvoicePayment(app);
  registerVoidPayment(app);
}
