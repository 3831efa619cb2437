import type { Router } from "../../lib/openapi";
import { registerExportFec } from "./fec";
import { registerExportInvoicesCsv } from "./invoices-csv";
import { registerExportPaymentsCsv } from "./payments-csv";

export function registerExportRoutes(app: Router) {
  registerExportFec(app);
  registerExportInvoicesCsv(app);
  registerExportPaymentsCsv(app);
}
