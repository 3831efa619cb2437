// The Factur-X CII XML (profile EN 16931) of an issued invoice (issue 12, "What the document says").
// Pure: a plain input in, the XML text out — no I/O, no Node built-ins, so it runs in the Worker and
// in a plain Node test (test/documents/, which imports this file directly with Node's type
// stripping: keep it free of relative imports, enums and namespaces).
// Amounts are integer cents in the input and printed with 2 decimals; quantities and rates as given.
// xmlbuilder2's self-contained browser bundle: its main entry needs Node's `events` and `url`,
// which the Worker lacks (see xmlbuilder2-bundle.d.ts for the types).
import xmlbuilder2 from "xmlbuilder2/lib/xmlbuilder2.min.js";

const { create } = xmlbuilder2;

export const CII_GUIDELINE_EN16931 = "urn:cen.eu:en16931:2017";

const NS = {
  rsm: "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
  qdt: "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
  ram: "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
  udt: "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
} as const;

export type CiiAddress = {
  line1: string;
  line2?: string | null;
  postal_code: string;
  city: string;
  /** ISO 3166-1 alpha-2, default FR. */
  country?: string;
};

export type CiiLine = {
  description: string;
  quantity: number;
  /** UN/ECE Rec. 20 code, default C62 ("one"). */
  unit?: string | null;
  /** Unit price excluding VAT, in cents. */
  unit_price: number;
  /** Percent, e.g. 5.5. 0 means exempt (category E). */
  vat_rate: number;
  /** Line net amount in cents; default round(quantity × unit_price). */
  net_amount?: number;
};

export type CiiVatBreakdown = { vat_rate: number; taxable_amount: number; tax_amount: number };

export type CiiInvoice = {
  number: string;
  /** 380 commercial invoice (381 credit note, 386 deposit: later increments). */
  type_code?: "380";
  /** YYYY-MM-DD */
  issue_date: string;
  currency?: "EUR";
  seller: {
    name: string;
    /** SIRET (14 digits) or SIREN (9 digits); the SIREN is printed with scheme 0002. */
    siret: string;
    vat_number: string;
    address: CiiAddress;
  };
  buyer: {
    name: string;
    address: CiiAddress;
    siren?: string | null;
  };
  lines: CiiLine[];
  /** One entry per VAT rate (the invoice's tax_breakdown). */
  tax_breakdown: CiiVatBreakdown[];
  totals: { total_excl_tax: number; total_tax: number; total_incl_tax: number };
  /** Deposits and payments already received, in cents. */
  amount_paid?: number;
  /** Date of supply (BT-72), YYYY-MM-DD; default the issue date. */
  service_date?: string | null;
  /** YYYY-MM-DD */
  due_date?: string | null;
  payment_terms?: string | null;
  /** Required when a line is at 0 % (category E): e.g. "Exonération de TVA, article 261 du CGI". */
  vat_exemption_reason?: string | null;
  /** Payee account for means code 58 (SEPA credit transfer). */
  payee?: { iban: string; bic?: string | null } | null;
  /** Free-text notes with their UNTDID 4451 subject code (AAB, PMT, PMD, …). */
  notes?: { subject_code?: string; content: string }[];
};

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
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  if (!m) throw new RangeError(`not a date: ${iso}`);
  return `${m[1]}${m[2]}${m[3]}`;
}

export function lineNetAmount(line: CiiLine): number {
  return line.net_amount ?? Math.round(line.quantity * line.unit_price);
}

function vatCategory(rate: number): "S" | "E" {
  return rate === 0 ? "E" : "S";
}

/**
 * The amounts of an invoice from its lines, as the API computes them: per-rate taxable base (sum of
 * line nets) and tax (base × rate, rounded to the cent), and the totals.
 */
export function computeAmounts(lines: readonly CiiLine[]): { tax_breakdown: CiiVatBreakdown[]; totals: CiiInvoice["totals"] } {
  const byRate = new Map<number, number>();
  for (const line of lines) byRate.set(line.vat_rate, (byRate.get(line.vat_rate) ?? 0) + lineNetAmount(line));
  const tax_breakdown = [...byRate.entries()]
    .sort(([a], [b]) => b - a)
    .map(([vat_rate, taxable_amount]) => ({ vat_rate, taxable_amount, tax_amount: Math.round((taxable_amount * vat_rate) / 100) }));
  const total_excl_tax = tax_breakdown.reduce((s, b) => s + b.taxable_amount, 0);
  const total_tax = tax_breakdown.reduce((s, b) => s + b.tax_amount, 0);
  return { tax_breakdown, totals: { total_excl_tax, total_tax, total_incl_tax: total_excl_tax + total_tax } };
}

/** The Factur-X EN 16931 CII XML of `invoice`, as UTF-8 text with an XML declaration. */
export function buildCii(invoice: CiiInvoice): string {
  const currency = invoice.currency ?? "EUR";
  const exemptionReason = invoice.vat_exemption_reason?.trim();
  if (invoice.lines.some((l) => l.vat_rate === 0) && !exemptionReason) {
    throw new RangeError("a 0 % line needs vat_exemption_reason");
  }

  const doc = create({ version: "1.0", encoding: "UTF-8" });
  const root = doc
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
  const address = (parent: Node, a: CiiAddress): void => {
    const node = ram(parent, "PostalTradeAddress");
    ram(node, "PostcodeCode", a.postal_code);
    ram(node, "LineOne", a.line1);
    if (a.line2) ram(node, "LineTwo", a.line2);
    ram(node, "CityName", a.city);
    ram(node, "CountryID", a.country ?? "FR");
  };

  // BT-24: the specification identifier.
  ram(ram(root.ele(NS.rsm, "rsm:ExchangedDocumentContext"), "GuidelineSpecifiedDocumentContextParameter"), "ID", CII_GUIDELINE_EN16931);

  const header = root.ele(NS.rsm, "rsm:ExchangedDocument");
  ram(header, "ID", invoice.number); // BT-1
  ram(header, "TypeCode", invoice.type_code ?? "380"); // BT-3
  dateTime(header, "IssueDateTime", invoice.issue_date); // BT-2
  for (const note of invoice.notes ?? []) {
    const n = ram(header, "IncludedNote");
    ram(n, "Content", note.content);
    if (note.subject_code) ram(n, "SubjectCode", note.subject_code);
  }

  const transaction = root.ele(NS.rsm, "rsm:SupplyChainTradeTransaction");
  invoice.lines.forEach((line, i) => {
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
  const seller = ram(agreement, "SellerTradeParty");
  ram(seller, "Name", invoice.seller.name); // BT-27
  const siren = invoice.seller.siret.replace(/\s/g, "").slice(0, 9);
  ram(ram(seller, "SpecifiedLegalOrganization"), "ID", siren).att("schemeID", "0002"); // BT-30
  address(seller, invoice.seller.address); // BG-5
  ram(ram(seller, "SpecifiedTaxRegistration"), "ID", invoice.seller.vat_number.replace(/\s/g, "")).att("schemeID", "VA"); // BT-31
  const buyer = ram(agreement, "BuyerTradeParty");
  ram(buyer, "Name", invoice.buyer.name); // BT-44
  if (invoice.buyer.siren) ram(ram(buyer, "SpecifiedLegalOrganization"), "ID", invoice.buyer.siren.replace(/\s/g, "")).att("schemeID", "0002"); // BT-47
  address(buyer, invoice.buyer.address); // BG-8

  // BT-72: the date of supply (an empty delivery element draws PEPPOL-EN16931-R008's warning).
  dateTime(ram(ram(transaction, "ApplicableHeaderTradeDelivery"), "ActualDeliverySupplyChainEvent"), "OccurrenceDateTime", invoice.service_date || invoice.issue_date);

  const settlement = ram(transaction, "ApplicableHeaderTradeSettlement");
  ram(settlement, "InvoiceCurrencyCode", currency); // BT-5
  if (invoice.payee) {
    const means = ram(settlement, "SpecifiedTradeSettlementPaymentMeans");
    ram(means, "TypeCode", "58"); // BT-81: SEPA credit transfer
    ram(ram(means, "PayeePartyCreditorFinancialAccount"), "IBANID", invoice.payee.iban.replace(/\s/g, "")); // BT-84
    if (invoice.payee.bic) ram(ram(means, "PayeeSpecifiedCreditorFinancialInstitution"), "BICID", invoice.payee.bic); // BT-86
  }
  for (const b of invoice.tax_breakdown) {
    const tax = ram(settlement, "ApplicableTradeTax");
    const category = vatCategory(b.vat_rate);
    ram(tax, "CalculatedAmount", formatCents(b.tax_amount)); // BT-117
    ram(tax, "TypeCode", "VAT");
    if (category === "E") ram(tax, "ExemptionReason", exemptionReason); // BT-120
    ram(tax, "BasisAmount", formatCents(b.taxable_amount)); // BT-116
    ram(tax, "CategoryCode", category); // BT-118
    ram(tax, "RateApplicablePercent", formatDecimal(b.vat_rate)); // BT-119
  }
  if (invoice.payment_terms || invoice.due_date) {
    const terms = ram(settlement, "SpecifiedTradePaymentTerms");
    if (invoice.payment_terms) ram(terms, "Description", invoice.payment_terms); // BT-20
    if (invoice.due_date) dateTime(terms, "DueDateDateTime", invoice.due_date); // BT-9
  }
  const paid = invoice.amount_paid ?? 0;
  const sums = ram(settlement, "SpecifiedTradeSettlementHeaderMonetarySummation");
  ram(sums, "LineTotalAmount", formatCents(invoice.lines.reduce((s, l) => s + lineNetAmount(l), 0))); // BT-106
  ram(sums, "TaxBasisTotalAmount", formatCents(invoice.totals.total_excl_tax)); // BT-109
  ram(sums, "TaxTotalAmount", formatCents(invoice.totals.total_tax)).att("currencyID", currency); // BT-110
  ram(sums, "GrandTotalAmount", formatCents(invoice.totals.total_incl_tax)); // BT-112
  ram(sums, "TotalPrepaidAmount", formatCents(paid)); // BT-113
  ram(sums, "DuePayableAmount", formatCents(invoice.totals.total_incl_tax - paid)); // BT-115

  return doc.end({ prettyPrint: true });
}
