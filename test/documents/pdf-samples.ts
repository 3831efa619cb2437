// Sample documents for the PDF engine's tests (test/documents/pdf.test.ts in workerd,
// pdf-structure.test.mjs in Node) and for scripts/render-samples.mjs, which renders the committed
// sample docs/samples/facture-FAC-2026-00001.pdf: a town hall's water régie billing a business for
// a quarter of water, at the two rates water bills carry (5.5 % water, 10 % sewerage). Identifiers
// pass their checksums (SIREN/SIRET Luhn, VAT key) but name no real body.
import type { DocumentLine, DocumentSeller, InvoiceDocument, QuoteDocument, ReceiptDocument, RenderOptions } from "../../src/documents/model";

export const SELLER: DocumentSeller = {
  name: "Commune de Lyon",
  siret: "21690120700003",
  siren: "216901207",
  vat_number: "FR85216901207",
  address: { line1: "1 place de la Comédie", postal_code: "69001", city: "Lyon", country: "FR" },
  public_entity_unit: "Régie de l'Eau",
  email: "regie.eau@mairie-lyon.example.fr",
  primary_color: "#0b6e4f",
};

export const BUSINESS_BUYER: InvoiceDocument["buyer"] = {
  name: "Boulangerie Martin SARL",
  address: { line1: "15 rue de la Paix", postal_code: "69002", city: "Lyon", country: "FR" },
  siren: "448502104",
  vat_number: "FR21448502104",
  email: "compta@boulangerie-martin.example.fr",
  is_business: true,
};

export const CONSUMER_BUYER: InvoiceDocument["buyer"] = {
  name: "Jean Dupont",
  address: { line1: "15 rue de la Paix", line2: "Bâtiment B, 3e étage", postal_code: "69002", city: "Lyon", country: "FR" },
  email: "jean.dupont@example.com",
  is_business: false,
};

function line(description: string, quantity: number, unit: string, unit_price: number, vat_rate: number): DocumentLine {
  return { description, quantity, unit, unit_price, vat_rate, net_amount: Math.round(quantity * unit_price) };
}

/** The Factur-X XML to embed: the engine embeds whatever it is given, byte for byte. */
export const SAMPLE_XML =
  '<?xml version="1.0" encoding="UTF-8"?>\n<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100">' +
  "<!-- échantillon : « Régie de l’Eau » — 576,73 € --></rsm:CrossIndustryInvoice>\n";

export const WATER_LINES: DocumentLine[] = [
  line("Consommation d'eau potable — relevé du 31/03/2026 (index 1 204 → 1 329)", 125, "MTQ", 210, 5.5),
  line("Abonnement eau potable, compteur DN 15 — 1er trimestre 2026", 3, "MON", 450, 5.5),
  line("Redevance pour la préservation des ressources en eau (Agence de l'eau)", 125, "MTQ", 8, 5.5),
  line("Assainissement collectif — part communale", 125, "MTQ", 184, 10),
  line("Redevance pour modernisation des réseaux de collecte", 125, "MTQ", 16, 10),
];

/** Issued water bill, FAC-2026-00001: 536,00 € HT, 40,73 € VAT, 576,73 € TTC. */
export const INVOICE: InvoiceDocument = {
  type: "invoice",
  number: "FAC-2026-00001",
  issue_date: "2026-04-02",
  currency: "EUR",
  seller: SELLER,
  buyer: BUSINESS_BUYER,
  lines: WATER_LINES,
  tax_breakdown: [
    { vat_rate: 5.5, taxable_amount: 28600, tax_amount: 1573 },
    { vat_rate: 10, taxable_amount: 25000, tax_amount: 2500 },
  ],
  totals: { total_excl_tax: 53600, total_tax: 4073, total_incl_tax: 57673 },
  amount_paid: 0,
  amount_due: 57673,
  service_period: { start: "2026-01-01", end: "2026-03-31" },
  operation_category: "services",
  vat_on_debits: true,
  due_date: "2026-05-02",
  payment_terms: "Paiement à 30 jours, par virement ou en ligne.",
  early_payment_discount: "Pas d'escompte pour paiement anticipé.",
  late_payment_penalty: "En cas de retard de paiement, pénalités au taux d'intérêt appliqué par la BCE à son opération de refinancement la plus récente majoré de 10 points (Code de commerce, art. L441-10).",
  recovery_indemnity: "Indemnité forfaitaire pour frais de recouvrement en cas de retard de paiement : 40 € (Code de commerce, art. D441-5).",
  payee: { iban: "FR7630001007941234567890185", bic: "BDFEFRPPCCT", account_name: "Régie de l'Eau de Lyon" },
  payment_url: "https://pay.example.fr/p/pl_7Hq2Xc9LmN4pR8sT",
};

export const INVOICE_OPTS: RenderOptions = { created_at: "2026-04-02T08:30:00.000Z", document_id: "inv_01JQ7W5V2K8M3N4P5Q6R7S8T9V" };

/** The same invoice before issue: no number, no Factur-X. */
export const DRAFT: InvoiceDocument = { ...INVOICE, number: null, buyer: CONSUMER_BUYER, payment_url: null };

/** A credit note cancelling FAC-2026-00001 in full. */
export const CREDIT_NOTE: InvoiceDocument = {
  ...INVOICE,
  type: "credit_note",
  number: "AV-2026-00001",
  issue_date: "2026-04-10",
  amount_due: 57673,
  due_date: null,
  payment_url: null,
  credited_invoice: { number: "FAC-2026-00001", issue_date: "2026-04-02", amount: 57673 },
  credit_reason: "Erreur de facturation : relevé d'index erroné",
};

/** A deposit invoice (386) and the final invoice deducting it. */
export const DEPOSIT_INVOICE: InvoiceDocument = {
  ...INVOICE,
  type: "deposit_invoice",
  number: "FAC-2026-00002",
  lines: [line("Acompte de 30 % sur le raccordement au réseau d'eau potable (devis DEV-2026-00001)", 1, "C62", 60000, 20)],
  tax_breakdown: [{ vat_rate: 20, taxable_amount: 60000, tax_amount: 12000 }],
  totals: { total_excl_tax: 60000, total_tax: 12000, total_incl_tax: 72000 },
  amount_due: 72000,
  quote_number: "DEV-2026-00001",
  operation_category: "goods",
  service_period: null,
  service_date: "2026-04-02",
  vat_on_debits: false,
};

export const FINAL_INVOICE: InvoiceDocument = {
  ...DEPOSIT_INVOICE,
  type: "invoice",
  number: "FAC-2026-00003",
  issue_date: "2026-05-15",
  lines: [line("Raccordement au réseau d'eau potable — branchement DN 25, 12 m de tranchée", 1, "LS", 200000, 20)],
  tax_breakdown: [{ vat_rate: 20, taxable_amount: 200000, tax_amount: 40000 }],
  totals: { total_excl_tax: 200000, total_tax: 40000, total_incl_tax: 240000 },
  deducted_deposits: [{ number: "FAC-2026-00002", issue_date: "2026-04-02", amount: 72000 }],
  amount_due: 168000,
  service_date: "2026-05-12",
};

/** 60 lines: three pages, the table header repeated on each. */
export const LONG_INVOICE: InvoiceDocument = (() => {
  const lines = Array.from({ length: 60 }, (_, i) => line(`Intervention n° ${i + 1} — relevé et contrôle du compteur, secteur ${String.fromCharCode(65 + (i % 26))}`, 1 + (i % 3) * 0.5, "HUR", 4500, 20));
  const ht = lines.reduce((s, l) => s + l.net_amount, 0);
  return {
    ...INVOICE,
    number: "FAC-2026-00004",
    lines,
    tax_breakdown: [{ vat_rate: 20, taxable_amount: ht, tax_amount: Math.round(ht * 0.2) }],
    totals: { total_excl_tax: ht, total_tax: Math.round(ht * 0.2), total_incl_tax: ht + Math.round(ht * 0.2) },
    amount_due: ht + Math.round(ht * 0.2),
  };
})();

export const QUOTE: QuoteDocument = {
  number: "DEV-2026-00001",
  issue_date: "2026-03-20",
  valid_until: "2026-04-19",
  currency: "EUR",
  seller: SELLER,
  buyer: BUSINESS_BUYER,
  lines: [line("Raccordement au réseau d'eau potable — branchement DN 25, 12 m de tranchée", 1, "LS", 200000, 20)],
  tax_breakdown: [{ vat_rate: 20, taxable_amount: 200000, tax_amount: 40000 }],
  totals: { total_excl_tax: 200000, total_tax: 40000, total_incl_tax: 240000 },
  payment_terms: "Acompte de 30 % à la commande, solde à la réception des travaux.",
};

export const RECEIPT: ReceiptDocument = {
  number: "REC-2026-00001",
  paid_at: "2026-04-15T12:34:56.000Z",
  currency: "EUR",
  amount: 57673,
  refunded_amount: 0,
  method: "sepa_credit",
  seller: SELLER,
  payer: { name: "Boulangerie Martin SARL", email: "compta@boulangerie-martin.example.fr" },
  pays: { kind: "invoice", number: "FAC-2026-00001", total_incl_tax: 57673, amount_due_after: 0 },
  reference: "E2E-20260415-8F3K2M",
};

/** A payment request's receipt (issue 13): no invoice, its description as the object; a card hold captured in part. */
export const RECEIPT_REQUEST: ReceiptDocument = {
  number: "DP-0193A4B2-C7E8-7D1F-9A6B-2C3D4E5F6A7B",
  paid_at: "2026-06-16T09:15:00.000Z",
  currency: "EUR",
  amount: 10000,
  refunded_amount: 0,
  authorized_amount: 15000,
  method: "card",
  seller: SELLER,
  payer: { name: "Camille Martin", email: "camille.martin@example.com" },
  pays: { kind: "request", description: "Caution location salle des fêtes, samedi 14 juin" },
  reference: "pay-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b",
};

/** Every sample as rendered by the tests; pdf-hashes.json holds their SHA-256 (see render-samples.mjs --hashes). */
export type RenderCase =
  | { name: string; kind: "invoice"; doc: InvoiceDocument; xml: string | null }
  | { name: string; kind: "quote"; doc: QuoteDocument }
  | { name: string; kind: "receipt"; doc: ReceiptDocument };

export const RENDER_CASES: RenderCase[] = [
  { name: "invoice", kind: "invoice", doc: INVOICE, xml: SAMPLE_XML },
  { name: "draft", kind: "invoice", doc: DRAFT, xml: SAMPLE_XML },
  { name: "credit", kind: "invoice", doc: CREDIT_NOTE, xml: SAMPLE_XML },
  { name: "deposit", kind: "invoice", doc: DEPOSIT_INVOICE, xml: SAMPLE_XML },
  { name: "final", kind: "invoice", doc: FINAL_INVOICE, xml: SAMPLE_XML },
  { name: "long", kind: "invoice", doc: LONG_INVOICE, xml: SAMPLE_XML },
  { name: "quote", kind: "quote", doc: QUOTE },
  { name: "receipt", kind: "receipt", doc: RECEIPT },
  { name: "receipt-request", kind: "receipt", doc: RECEIPT_REQUEST },
];
