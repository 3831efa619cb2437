// The official Factur-X 1.09 EN 16931 rules (validators/facturx-en16931/, FNFE-MPE) as functions
// for node:test files: the XSD through Debian's xmllint, the schematron compiled once to SEF and run
// by SaxonJS (npm package xslt3), and a reader of business terms (BT-…) by XPath. Shared by
// facturx-validate.test.mjs (the CII builder's table) and api-documents.test.mjs (what the API serves).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");
const dir = path.join(root, "validators/facturx-en16931");
const XSD = path.join(dir, "Factur-X_EN16931.xsd");
const XSL = path.join(dir, "Factur-X_1.09_EN16931.xsl");
const require = createRequire(import.meta.url);
// saxon-js is xslt3's own dependency: resolve it from there.
const SaxonJS = createRequire(require.resolve("xslt3/package.json"))("saxon-js");
/** Path of the compiled schematron, set on first use. */
let sef;

/** The XSL compiled to SEF, cached by the XSL's mtime and size (compiling takes ~15 s). */
function compiledSchematron() {
  const stat = fs.statSync(XSL);
  const cacheDir = path.join(root, "node_modules/.cache/facturx");
  const sef = path.join(cacheDir, `Factur-X_1.09_EN16931.${stat.size}-${Math.trunc(stat.mtimeMs)}.sef.json`);
  if (!fs.existsSync(sef)) {
    fs.mkdirSync(cacheDir, { recursive: true });
    const tmp = path.join(os.tmpdir(), `facturx-${process.pid}.sef.json`);
    execFileSync(process.execPath, [require.resolve("xslt3/xslt3.js"), `-xsl:${XSL}`, `-export:${tmp}`, "-nogo"], { stdio: ["ignore", "ignore", "pipe"] });
    fs.renameSync(tmp, sef);
  }
  return sef;
}

/** Where a business term sits in the CII (XPath 3.1, multiple values joined by a space). */
const HEADER = "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction";
const SUMS = `${HEADER}/ram:ApplicableHeaderTradeSettlement/ram:SpecifiedTradeSettlementHeaderMonetarySummation`;
const SELLER = `${HEADER}/ram:ApplicableHeaderTradeAgreement/ram:SellerTradeParty`;
const BUYER = `${HEADER}/ram:ApplicableHeaderTradeAgreement/ram:BuyerTradeParty`;
const VAT = `${HEADER}/ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax`;
export const BT = {
  "BT-1": "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:ID",
  "BT-3": "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:TypeCode",
  "BT-22 codes": "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:IncludedNote/ram:SubjectCode",
  "BT-22": "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:IncludedNote/ram:Content",
  "BT-23": "/rsm:CrossIndustryInvoice/rsm:ExchangedDocumentContext/ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID",
  "BT-24": "/rsm:CrossIndustryInvoice/rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID",
  "BT-25": `${HEADER}/ram:ApplicableHeaderTradeSettlement/ram:InvoiceReferencedDocument/ram:IssuerAssignedID`,
  "BT-26": `${HEADER}/ram:ApplicableHeaderTradeSettlement/ram:InvoiceReferencedDocument/ram:FormattedIssueDateTime/qdt:DateTimeString`,
  "BT-27": `${SELLER}/ram:Name`,
  "BT-29": `${SELLER}/ram:GlobalID[@schemeID='0009']`,
  "BT-30": `${SELLER}/ram:SpecifiedLegalOrganization/ram:ID[@schemeID='0002']`,
  "BT-31": `${SELLER}/ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']`,
  "BT-32": `${SELLER}/ram:SpecifiedTaxRegistration/ram:ID[@schemeID='FC']`,
  "BT-41": `${SELLER}/ram:DefinedTradeContact/ram:DepartmentName`,
  "BT-44": `${BUYER}/ram:Name`,
  "BT-47": `${BUYER}/ram:SpecifiedLegalOrganization/ram:ID[@schemeID='0002']`,
  "BT-48": `${BUYER}/ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']`,
  "BT-50": `${BUYER}/ram:PostalTradeAddress/ram:LineOne`,
  "BT-55": `${BUYER}/ram:PostalTradeAddress/ram:CountryID`,
  "BT-72": `${HEADER}/ram:ApplicableHeaderTradeDelivery/ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime/udt:DateTimeString`,
  "BT-73": `${HEADER}/ram:ApplicableHeaderTradeSettlement/ram:BillingSpecifiedPeriod/ram:StartDateTime/udt:DateTimeString`,
  "BT-74": `${HEADER}/ram:ApplicableHeaderTradeSettlement/ram:BillingSpecifiedPeriod/ram:EndDateTime/udt:DateTimeString`,
  "BT-80": `${HEADER}/ram:ApplicableHeaderTradeDelivery/ram:ShipToTradeParty/ram:PostalTradeAddress/ram:CountryID`,
  "BT-81": `${HEADER}/ram:ApplicableHeaderTradeSettlement/ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode`,
  "BT-83": `${HEADER}/ram:ApplicableHeaderTradeSettlement/ram:PaymentReference`,
  "BT-84": `${HEADER}/ram:ApplicableHeaderTradeSettlement/ram:SpecifiedTradeSettlementPaymentMeans/ram:PayeePartyCreditorFinancialAccount/ram:IBANID`,
  "BT-8": `${VAT}/ram:DueDateTypeCode`,
  "BT-118": `${VAT}/ram:CategoryCode`,
  "BT-119": `${VAT}/ram:RateApplicablePercent`,
  "BT-116": `${VAT}/ram:BasisAmount`,
  "BT-117": `${VAT}/ram:CalculatedAmount`,
  "BT-120": `${VAT}/ram:ExemptionReason`,
  "BT-121": `${VAT}/ram:ExemptionReasonCode`,
  "BT-129": `${HEADER}/ram:IncludedSupplyChainTradeLineItem/ram:SpecifiedLineTradeDelivery/ram:BilledQuantity`,
  "BT-130": `${HEADER}/ram:IncludedSupplyChainTradeLineItem/ram:SpecifiedLineTradeDelivery/ram:BilledQuantity/@unitCode`,
  "BT-131": `${HEADER}/ram:IncludedSupplyChainTradeLineItem/ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount`,
  "BT-106": `${SUMS}/ram:LineTotalAmount`,
  "BT-109": `${SUMS}/ram:TaxBasisTotalAmount`,
  "BT-110": `${SUMS}/ram:TaxTotalAmount`,
  "BT-112": `${SUMS}/ram:GrandTotalAmount`,
  "BT-113": `${SUMS}/ram:TotalPrepaidAmount`,
  "BT-115": `${SUMS}/ram:DuePayableAmount`,
};
const NAMESPACES = {
  rsm: "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
  ram: "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
  udt: "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
  qdt: "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
};

/** The XML parsed by SaxonJS, read back term by term (`read("BT-112")` → "422.00"). */
export async function reader(xml) {
  const parsed = await SaxonJS.getResource({ text: xml, type: "xml" });
  return (term) => SaxonJS.XPath.evaluate(`string-join(${BT[term]}, ' ')`, parsed, { namespaceContext: NAMESPACES });
}

/**
 * The failed assertions of the SVRL report of `xml`. In this XSL only three asserts carry a flag
 * (`warning`); an assert without a flag is an error (ISO Schematron's default), so an error is any
 * failed assert whose flag is not `warning`/`info`/`information` — not only `fatal`/`error`.
 */
export async function schematron(xml) {
  sef ??= compiledSchematron();
  const { principalResult: svrl } = await SaxonJS.transform({ stylesheetFileName: sef, sourceText: xml, destination: "serialized" }, "async");
  assert.match(svrl, /<svrl:fired-rule\b/, "the schematron fired no rule: not a CII document?");
  return [...svrl.matchAll(/<svrl:failed-assert\b([^>]*)>([\s\S]*?)<\/svrl:failed-assert>/g)].map(([, attrs, body]) => ({
    id: /\bid="([^"]*)"/.exec(attrs)?.[1],
    flag: /\bflag="([^"]*)"/.exec(attrs)?.[1],
    location: /\blocation="([^"]*)"/.exec(attrs)?.[1],
    text: /<svrl:text>([\s\S]*?)<\/svrl:text>/.exec(body)?.[1]?.replace(/\s+/g, " ").trim(),
  }));
}

export const isError = (f) => !["warning", "info", "information"].includes(f.flag ?? "");

let tmp;
process.once("exit", () => tmp && fs.rmSync(tmp, { recursive: true, force: true }));

/** xmllint's verdict on `xml` against the Factur-X EN 16931 XSD: null when valid, else its message. */
export function xsdErrors(xml, name) {
  tmp ??= fs.mkdtempSync(path.join(os.tmpdir(), "facturx-test-"));
  const file = path.join(tmp, `${name.replace(/[^\w.-]/g, "_")}.xml`);
  fs.writeFileSync(file, xml);
  try {
    execFileSync("xmllint", ["--noout", "--schema", XSD, file], { stdio: ["ignore", "pipe", "pipe"] });
    return null;
  } catch (e) {
    if (e.code === "ENOENT") assert.fail("xmllint not found: apt-get install -y libxml2-utils (as .ci/run does)");
    return e.stderr?.toString() ?? e.message;
  } finally {
    fs.rmSync(file, { force: true });
  }
}
