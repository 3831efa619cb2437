// The Factur-X CII XML (profile EN 16931) of an issued invoice, deposit invoice or credit note
// (issue 12, "What the document says"). Pure: an InvoiceDocument (model.ts) in, the XML text out — no
// I/O, no Node built-ins, so it runs in the Worker and in a plain Node test (test/documents/ imports
// this file directly with Node's type stripping: keep it free of enums, namespaces and of relative
// imports other than `import type`, which Node erases before resolving anything).
// Amounts are integer cents in the model and printed with 2 decimals; quantities and rates as given.
//
// Where each mention goes (EN 16931 business terms, CII D16B paths of the Factur-X 1.09 XSD):
//   BT-24 guideline urn:cen.eu:en16931:2017 · BT-23 French "cadre de facturation" (B1/S1/M1, B2/S2/M2
//   already paid, B4/S4/M4 final invoice after deposits) · BT-1 number · BT-3 type 380/386/381 ·
//   BT-2 issue date · BT-22 notes with UNTDID 4451 subject codes: AAB early-payment discount,
//   PMD late-payment penalty, PMT recovery indemnity (the three codes the French CIUS names), REG
//   the VAT-on-debits option, AAI credit reason and quote reference.
//   Seller BG-4: BT-27 name, BT-29 SIRET (scheme 0009), BT-30 SIREN (scheme 0002), BT-41 régie or
//   department (public-entity unit), BT-43 email, BG-5 address, BT-34 electronic address (SIREN,
//   scheme 0225, the French directory's scheme), BT-31 VAT number — or, without one, BT-32 the SIREN
//   as tax registration (scheme FC) so an exempt invoice names the seller's tax identity (BR-E-02).
//   Buyer BG-7: BT-44 name, BT-47 SIREN (0002) and BT-49 electronic address (0225) for a business,
//   BT-48 VAT, BG-8 address (only the country when a consumer gave none: BR-10/BR-11 need BG-8 and
//   BT-55, nothing else).
//   BT-72 date of supply or BG-14 service period (BT-73/74) · BT-83 remittance = the number ·
//   BG-16: BT-81 58 (SEPA credit transfer), BT-84 IBAN, BT-85 account name, BT-86 BIC; a payment
//   link as a second means, 68 (online payment service) with the URL as BT-82 · BG-23 per rate:
//   BT-116..119, BT-120/121 exemption reason and VATEX code (category E), BT-8 code 5 when the
//   seller opted for VAT on debits (services or mixed) · BT-9 due date, BT-20 terms · BG-22: BT-106,
//   BT-109, BT-110, BT-112, BT-113 = deducted deposits + amounts already paid, BT-115 due ·
//   BG-3 preceding invoices: the credited invoice, or each deducted deposit invoice (BT-25/26).
//   Lines BG-25: BT-126 id, BT-153 name, BT-146 net price, BT-129/130 quantity and Rec. 20 unit,
//   BT-151 category (S, or E at 0 %), BT-152 rate, BT-131 net.
// xmlbuilder2's self-contained browser bundle: its main entry needs Node's `events` and `url`,
// which the Worker lacks (see xmlbuilder2-bundle.d.ts for the types).
import xmlbuilder2 from "xmlbuilder2/lib/xmlbuilder2.min.js";
import type { DocumentAddress, DocumentLine, DocumentTotals, DocumentVatBreakdown, InvoiceDocument } from "./model";

const { create } = xmlbuilder2;

export const CII_GUIDELINE_EN16931 = "urn:cen.eu:en16931:2017";

const NS = {
  rsm: "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
  qdt: "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
  ram: "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
  udt: "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
} as const;

/** UNTDID 1001 document type (BT-3). */
export const CII_TYPE_CODES = { invoice: "380", deposit_invoice: "386", credit_note: "381" } as const;

/** VATEX code of the French "franchise en base" (CGI art. 293 B), the exemption of a seller without a VAT number. */
const VATEX_FRANCHISE = "VATEX-FR-FRANCHISE";

/** Integer cents → "1234.56" (negative amounts keep their sign). */
export function formatCents(cents: number): string {
  if (!Number.isInteger(cents)) throw new RangeError(`amount in cents must be an integer: ${cents}`);
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  return `${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

/** A decimal number without exponent notation (quantities, rates). */
function formatDecimal(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
  return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(6)));
}

/** "2026-03-31" → "20260331" (UNTDID 2379 format 102). */
function date102(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) throw new RangeError(`not a YYYY-MM-DD date: ${iso}`);
  return `${m[1]}${m[2]}${m[3]}`;
}

const compact = (id: string): string => id.replace(/\s/g, "");

type AmountLine = Pick<DocumentLine, "quantity" | "unit_price" | "vat_rate"> & { net_amount?: number };

/** A line's net amount: the stored one, else round(quantity × unit_price) half-up. */
export function lineNetAmount(line: AmountLine): number {
  return line.net_amount ?? Math.round(line.quantity * line.unit_price);
}

/**
 * The amounts of a document from its lines, as the API computes them (src/domain/vat.ts is the rule
 * the services use; this copy serves tests and callers that only have lines): line nets, then per
 * rate the taxable base (sum of line nets) and its tax (base × rate, rounded half-up), and the totals.
 */
export function computeAmounts<L extends AmountLine>(
  lines: readonly L[],
): { lines: (L & { net_amount: number })[]; tax_breakdown: DocumentVatBreakdown[]; totals: DocumentTotals } {
  const withNets = lines.map((l) => ({ ...l, net_amount: lineNetAmount(l) }));
  const byRate = new Map<number, number>();
  for (const line of withNets) byRate.set(line.vat_rate, (byRate.get(line.vat_rate) ?? 0) + line.net_amount);
  const tax_breakdown = [...byRate.entries()]
    .sort(([a], [b]) => b - a)
    .map(([vat_rate, taxable_amount]) => ({ vat_rate, taxable_amount, tax_amount: Math.round((taxable_amount * vat_rate) / 100) }));
  const total_excl_tax = tax_breakdown.reduce((s, b) => s + b.taxable_amount, 0);
  const total_tax = tax_breakdown.reduce((s, b) => s + b.tax_amount, 0);
  return { lines: withNets, tax_breakdown, totals: { total_excl_tax, total_tax, total_incl_tax: total_excl_tax + total_tax } };
}

/**
 * BT-23, the French reform's "cadre de facturation": the nature of the operation (B goods, S
 * services, M mixed) and the situation — 1 an invoice to pay, 2 an invoice already paid when
 * issued, 4 a final invoice after deposit invoices. Deposit invoices and credit notes take 1.
 */
export function billingFramework(doc: Pick<InvoiceDocument, "type" | "operation_category" | "deducted_deposits" | "amount_paid" | "amount_due">): string {
  const nature = { goods: "B", services: "S", mixed: "M" }[doc.operation_category];
  if (doc.type !== "invoice") return `${nature}1`;
  if ((doc.deducted_deposits?.length ?? 0) > 0) return `${nature}4`;
  if ((doc.amount_paid ?? 0) > 0 && doc.amount_due === 0) return `${nature}2`;
  return `${nature}1`;
}

/** The Factur-X EN 16931 CII XML of an issued document, as UTF-8 text with an XML declaration. */
export function buildCii(doc: InvoiceDocument): string {
  if (doc.number === null) throw new RangeError("a draft has no Factur-X XML: the document needs its number");
  if (doc.lines.length === 0) throw new RangeError("a document needs at least one line (BR-16)");
  const currency = doc.currency;
  const exemption = doc.vat_exemption?.trim() || null;
  const sellerVat = doc.seller.vat_number ? compact(doc.seller.vat_number) : null;
  // A seller charging VAT without a VAT number (accepted in test mode only: the issue refuses it
  // in live mode) is identified by its SIREN as tax registration (BT-32), which BR-S-02 accepts.
  if ([...doc.lines, ...doc.tax_breakdown].some((l) => l.vat_rate === 0) && !exemption) throw new RangeError("a 0 % line needs vat_exemption");
  if (doc.type === "credit_note" && !doc.credited_invoice) throw new RangeError("a credit note cites the invoice it credits (BT-25/26)");
  if (doc.lines.some((l) => l.unit_price < 0)) throw new RangeError("unit prices are never negative (BR-27); a credit note carries positive amounts");
  // The franchise en base is the only exemption whose VATEX code follows from the data: no VAT
  // number, or the article's own wording. Other reasons travel as text (BT-120 alone satisfies BR-E-10).
  const exemptionCode = exemption && (!sellerVat || /293\s*B/i.test(exemption)) ? VATEX_FRANCHISE : null;

  // BT-113: what the payer no longer owes on this document. The stored amount due is authoritative;
  // when every deducted deposit carries its amount, the two must agree or the document is not issued.
  const deposits = doc.deducted_deposits ?? [];
  const prepaid = doc.totals.total_incl_tax - doc.amount_due;
  if (deposits.every((d) => typeof d.amount === "number")) {
    const expected = deposits.reduce((s, d) => s + (d.amount ?? 0), 0) + (doc.amount_paid ?? 0);
    if (expected !== prepaid) {
      throw new RangeError(`amount_due ${doc.amount_due} ≠ total ${doc.totals.total_incl_tax} − deposits − amount_paid (${expected})`);
    }
  }
  // The figures must add up before anything is printed (BR-CO-10/13/14/15): an archived document is
  // never regenerated, so a mistake here would be a wrong invoice for ten years.
  const linesTotal = doc.lines.reduce((s, l) => s + lineNetAmount(l), 0);
  const { total_excl_tax, total_tax, total_incl_tax } = doc.totals;
  if (linesTotal !== total_excl_tax) {
    // No document-level allowances or charges here, so BT-109 is the sum of the lines.
    throw new RangeError(`total_excl_tax ${total_excl_tax} ≠ sum of line nets ${linesTotal}`);
  }
  const breakdownBase = doc.tax_breakdown.reduce((s, b) => s + b.taxable_amount, 0);
  const breakdownTax = doc.tax_breakdown.reduce((s, b) => s + b.tax_amount, 0);
  if (breakdownBase !== total_excl_tax || breakdownTax !== total_tax || total_incl_tax !== total_excl_tax + total_tax) {
    throw new RangeError(`totals ${JSON.stringify(doc.totals)} do not match the VAT breakdown (${breakdownBase} + ${breakdownTax})`);
  }

  const xml = create({ version: "1.0", encoding: "UTF-8" });
  const root = xml
    .ele(NS.rsm, "rsm:CrossIndustryInvoice")
    .att("http://www.w3.org/2000/xmlns/", "xmlns:qdt", NS.qdt)
    .att("http://www.w3.org/2000/xmlns/", "xmlns:ram", NS.ram)
    .att("http://www.w3.org/2000/xmlns/", "xmlns:udt", NS.udt);
  type Node = typeof root;
  const ram = (parent: Node, name: string, text?: string): Node => {
    const node = parent.ele(NS.ram, `ram:${name}`);
    if (text !== undefined) node.txt(text);
    return node;
  };
  const dateTime = (parent: Node, name: string, iso: string): void => {
    ram(parent, name).ele(NS.udt, "udt:DateTimeString").att("format", "102").txt(date102(iso));
  };
  const address = (parent: Node, a: DocumentAddress | null): void => {
    const node = ram(parent, "PostalTradeAddress");
    if (a) {
      ram(node, "PostcodeCode", a.postal_code);
      ram(node, "LineOne", a.line1);
      if (a.line2) ram(node, "LineTwo", a.line2);
      ram(node, "CityName", a.city);
    }
    ram(node, "CountryID", a?.country || "FR");
  };
  const note = (parent: Node, content: string | null | undefined, subjectCode?: string): void => {
    if (!content?.trim()) return;
    const n = ram(parent, "IncludedNote");
    ram(n, "Content", content.trim());
    if (subjectCode) ram(n, "SubjectCode", subjectCode);
  };

  const context = root.ele(NS.rsm, "rsm:ExchangedDocumentContext");
  ram(ram(context, "BusinessProcessSpecifiedDocumentContextParameter"), "ID", billingFramework(doc)); // BT-23
  ram(ram(context, "GuidelineSpecifiedDocumentContextParameter"), "ID", CII_GUIDELINE_EN16931); // BT-24

  const header = root.ele(NS.rsm, "rsm:ExchangedDocument");
  ram(header, "ID", doc.number); // BT-1
  ram(header, "TypeCode", CII_TYPE_CODES[doc.type]); // BT-3
  dateTime(header, "IssueDateTime", doc.issue_date); // BT-2
  // BT-22
  note(header, doc.early_payment_discount, "AAB");
  note(header, doc.late_payment_penalty, "PMD");
  note(header, doc.recovery_indemnity, "PMT");
  if (doc.vat_on_debits) note(header, "Option pour le paiement de la taxe d'après les débits", "REG");
  if (doc.credit_reason) note(header, `Motif de l'avoir : ${doc.credit_reason.trim()}`, "AAI");
  if (doc.quote_number) note(header, `Devis n° ${doc.quote_number}`, "AAI");
  for (const text of doc.notes ?? []) note(header, text);

  const transaction = root.ele(NS.rsm, "rsm:SupplyChainTradeTransaction");
  doc.lines.forEach((line, i) => {
    const item = ram(transaction, "IncludedSupplyChainTradeLineItem");
    ram(ram(item, "AssociatedDocumentLineDocument"), "LineID", String(i + 1)); // BT-126
    ram(ram(item, "SpecifiedTradeProduct"), "Name", line.description); // BT-153
    ram(ram(ram(item, "SpecifiedLineTradeAgreement"), "NetPriceProductTradePrice"), "ChargeAmount", formatCents(line.unit_price)); // BT-146
    ram(ram(item, "SpecifiedLineTradeDelivery"), "BilledQuantity", formatDecimal(line.quantity)).att("unitCode", line.unit || "C62"); // BT-129/130
    const settlement = ram(item, "SpecifiedLineTradeSettlement");
    const tax = ram(settlement, "ApplicableTradeTax");
    ram(tax, "TypeCode", "VAT");
    ram(tax, "CategoryCode", vatCategory(line.vat_rate)); // BT-151
    ram(tax, "RateApplicablePercent", formatDecimal(line.vat_rate)); // BT-152
    ram(ram(settlement, "SpecifiedTradeSettlementLineMonetarySummation"), "LineTotalAmount", formatCents(lineNetAmount(line))); // BT-131
  });

  const agreement = ram(transaction, "ApplicableHeaderTradeAgreement");
  const s = doc.seller;
  const sellerSiren = compact(s.siren);
  const seller = ram(agreement, "SellerTradeParty");
  ram(seller, "GlobalID", compact(s.siret)).att("schemeID", "0009"); // BT-29: SIRET
  ram(seller, "Name", s.name); // BT-27
  ram(ram(seller, "SpecifiedLegalOrganization"), "ID", sellerSiren).att("schemeID", "0002"); // BT-30: SIREN
  if (s.public_entity_unit || s.email) {
    const contact = ram(seller, "DefinedTradeContact"); // BG-6
    if (s.public_entity_unit) ram(contact, "DepartmentName", s.public_entity_unit); // BT-41
    if (s.email) ram(ram(contact, "EmailURIUniversalCommunication"), "URIID", s.email); // BT-43
  }
  address(seller, s.address); // BG-5
  ram(ram(seller, "URIUniversalCommunication"), "URIID", sellerSiren).att("schemeID", "0225"); // BT-34
  if (sellerVat) ram(ram(seller, "SpecifiedTaxRegistration"), "ID", sellerVat).att("schemeID", "VA"); // BT-31
  else ram(ram(seller, "SpecifiedTaxRegistration"), "ID", sellerSiren).att("schemeID", "FC"); // BT-32

  const b = doc.buyer;
  const buyerSiren = b.is_business && b.siren ? compact(b.siren) : null;
  const buyer = ram(agreement, "BuyerTradeParty");
  ram(buyer, "Name", b.name); // BT-44
  if (buyerSiren) ram(ram(buyer, "SpecifiedLegalOrganization"), "ID", buyerSiren).att("schemeID", "0002"); // BT-47
  address(buyer, b.address); // BG-8
  if (buyerSiren) ram(ram(buyer, "URIUniversalCommunication"), "URIID", buyerSiren).att("schemeID", "0225"); // BT-49
  if (b.vat_number) ram(ram(buyer, "SpecifiedTaxRegistration"), "ID", compact(b.vat_number)).att("schemeID", "VA"); // BT-48

  // BG-14 when a period was given, else BT-72 (the date of supply, by default the issue date); a
  // deposit invoice precedes the supply, so it states a date only when one was given. Without BT-72
  // the delivery group would be empty (PEPPOL-EN16931-R008), and Factur-X then asks for the country of
  // delivery (BT-80, note of BR-FX-EN-04): the buyer's, where the service is rendered or the goods go.
  const delivery = ram(transaction, "ApplicableHeaderTradeDelivery");
  const supplyDate = doc.service_period ? null : doc.service_date || (doc.type === "deposit_invoice" ? null : doc.issue_date);
  if (supplyDate) dateTime(ram(delivery, "ActualDeliverySupplyChainEvent"), "OccurrenceDateTime", supplyDate);
  else ram(ram(ram(delivery, "ShipToTradeParty"), "PostalTradeAddress"), "CountryID", b.address?.country || "FR"); // BT-80

  const settlement = ram(transaction, "ApplicableHeaderTradeSettlement");
  const collects = doc.type !== "credit_note";
  if (collects) ram(settlement, "PaymentReference", doc.number); // BT-83
  ram(settlement, "InvoiceCurrencyCode", currency); // BT-5
  // BG-16 says where the buyer pays: a credit note is money owed to the buyer, so it has none.
  if (collects && doc.payee) {
    const means = ram(settlement, "SpecifiedTradeSettlementPaymentMeans");
    ram(means, "TypeCode", "58"); // BT-81: SEPA credit transfer
    const account = ram(means, "PayeePartyCreditorFinancialAccount");
    ram(account, "IBANID", compact(doc.payee.iban)); // BT-84
    if (doc.payee.account_name) ram(account, "AccountName", doc.payee.account_name); // BT-85
    if (doc.payee.bic) ram(ram(means, "PayeeSpecifiedCreditorFinancialInstitution"), "BICID", compact(doc.payee.bic)); // BT-86
  }
  if (collects && doc.payment_url) {
    const means = ram(settlement, "SpecifiedTradeSettlementPaymentMeans");
    ram(means, "TypeCode", "68"); // BT-81: online payment service
    ram(means, "Information", `Paiement en ligne : ${doc.payment_url}`); // BT-82
  }
  // BT-8 code 5 (CII; UBL says 3): VAT due on the invoice date — the debits option, which only
  // concerns services (goods are taxed at delivery whatever the option).
  const taxPointCode = doc.vat_on_debits && doc.operation_category !== "goods" ? "5" : null;
  for (const entry of doc.tax_breakdown) {
    const tax = ram(settlement, "ApplicableTradeTax");
    const category = vatCategory(entry.vat_rate);
    ram(tax, "CalculatedAmount", formatCents(entry.tax_amount)); // BT-117
    ram(tax, "TypeCode", "VAT");
    if (category === "E") ram(tax, "ExemptionReason", exemption ?? ""); // BT-120
    ram(tax, "BasisAmount", formatCents(entry.taxable_amount)); // BT-116
    ram(tax, "CategoryCode", category); // BT-118
    if (category === "E" && exemptionCode) ram(tax, "ExemptionReasonCode", exemptionCode); // BT-121
    if (taxPointCode) ram(tax, "DueDateTypeCode", taxPointCode); // BT-8
    ram(tax, "RateApplicablePercent", formatDecimal(entry.vat_rate)); // BT-119
  }
  if (doc.service_period) {
    const period = ram(settlement, "BillingSpecifiedPeriod"); // BG-14
    dateTime(period, "StartDateTime", doc.service_period.start); // BT-73
    dateTime(period, "EndDateTime", doc.service_period.end); // BT-74
  }
  if (doc.payment_terms || doc.due_date) {
    const terms = ram(settlement, "SpecifiedTradePaymentTerms");
    if (doc.payment_terms) ram(terms, "Description", doc.payment_terms); // BT-20
    if (doc.due_date) dateTime(terms, "DueDateDateTime", doc.due_date); // BT-9
  }
  const sums = ram(settlement, "SpecifiedTradeSettlementHeaderMonetarySummation");
  ram(sums, "LineTotalAmount", formatCents(linesTotal)); // BT-106
  ram(sums, "TaxBasisTotalAmount", formatCents(doc.totals.total_excl_tax)); // BT-109
  ram(sums, "TaxTotalAmount", formatCents(doc.totals.total_tax)).att("currencyID", currency); // BT-110
  ram(sums, "GrandTotalAmount", formatCents(doc.totals.total_incl_tax)); // BT-112
  ram(sums, "TotalPrepaidAmount", formatCents(prepaid)); // BT-113
  ram(sums, "DuePayableAmount", formatCents(doc.amount_due)); // BT-115
  // BG-3: the invoice a credit note corrects, or the deposit invoices a final invoice deducts.
  const preceding = doc.type === "credit_note" ? (doc.credited_invoice ? [doc.credited_invoice] : []) : deposits;
  for (const p of preceding) {
    const ref = ram(settlement, "InvoiceReferencedDocument");
    ram(ref, "IssuerAssignedID", p.number); // BT-25
    ram(ref, "FormattedIssueDateTime").ele(NS.qdt, "qdt:DateTimeString").att("format", "102").txt(date102(p.issue_date)); // BT-26
  }

  return xml.end({ prettyPrint: true });
}

function vatCategory(rate: number): "S" | "E" {
  return rate === 0 ? "E" : "S";
}
