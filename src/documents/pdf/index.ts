// The PDF engine of issue 12: pure (no I/O, no clock, no randomness), runs in the Worker and in
// Node. In: a document model (../model.ts) and render options; out: the PDF bytes, identical for
// identical input (the archive hashes them at issue).
export { renderInvoicePdf, invoiceTitle, DRAFT_MARKING } from "./invoice";
export { renderQuotePdf } from "./quote";
export { renderReceiptPdf } from "./receipt";
export { renderRemittancePdf } from "./remittance";
export { FACTURX, PRODUCER } from "./archive";
export { formatMoney, formatDate, formatIban, unitLabel } from "./format";
export { accentColor, contrastOnWhite, DEFAULT_ACCENT } from "./theme";
