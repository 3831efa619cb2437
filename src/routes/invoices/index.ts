import type { Router } from "../../lib/openapi";
import { registerCancelInvoice } from "./cancel";
import { registerCreateInvoice } from "./create";
import { registerDownloadInvoicePdf } from "./download-pdf";
import { registerSetInvoiceDunning } from "./dunning";
import { registerDownloadInvoiceXml } from "./download-xml";
import { registerGetInvoice } from "./get";
import { registerIssueInvoice } from "./issue";
import { registerListInvoices } from "./list";
import { registerUpdateInvoice } from "./update";
import { registerSendInvoice } from "./send";

export function registerInvoiceRoutes(app: Router) {
  registerListInvoices(app);
  registerCreateInvoice(app);
  registerGetInvoice(app);
  registerDownloadInvoicePdf(app);
  registerDownloadInvoiceXml(app);
  registerUpdateInvoice(app);
  registerIssueInvoice(app);
  registerCancelInvoice(app);
  registerSetInvoiceDunning(app);
  registerSendInvoice(app);
}
