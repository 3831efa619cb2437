// Sample data for every message template: the template tests (workerd) and the email
// accessibility check (Chromium, test/browser/email-a11y.e2e.mjs, through esbuild) render the same.
import type { TemplateDataMap } from "../../src/services/messages/templates/types";

/** A payment page address as long as a deployed one (https origin, 32-character token). */
export const PAY_URL = "https://paiements.example-plateforme.fr/p/AbCdEfGhIjKlMnOpQrStUvWxYz012345";

const invoiceData = { payerName: "Jean Dupont", invoiceNumber: "FAC-2026-00042", amountDue: 123456, dueDate: "2026-03-02", payUrl: PAY_URL };

export const TEMPLATE_SAMPLES: TemplateDataMap = {
  invoice: invoiceData,
  reminder_before_due: invoiceData,
  reminder_due: invoiceData,
  reminder_overdue: invoiceData,
  final_notice: invoiceData,
  payment_link: { payerName: "Jean Dupont", amount: 123456, description: "Cantine scolaire, mars", invoiceNumber: null, payUrl: PAY_URL, expiresAt: "2026-03-09T10:00:00.000Z" },
  link_cancelled: { payerName: "Jean Dupont", amount: 123456, description: "Cantine scolaire, mars" },
  receipt: { payerName: "Jean Dupont", amount: 123456, paidAt: "2026-03-02T13:05:00.000Z", paymentId: "pay-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b", invoiceNumber: "FAC-2026-00042" },
};
