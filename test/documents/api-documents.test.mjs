// Issue 12, "Validation in npm test", applied to what the API serves: the real Worker under
// `wrangler dev` (local D1, R2 and Durable Objects), driven through its HTTP API as a partner would,
// builds a table of invoices and credit notes; for each, the PDF and the XML are downloaded and
// checked by tools that did not make them:
// - the `factur-x.xml` that poppler's pdfdetach extracts from the PDF is byte-equal to the …/xml
//   download, and its SHA-256 (and the PDF's) is the one the resource's `document` records;
// - that XML passes the official Factur-X 1.09 EN 16931 XSD (xmllint) and schematron (SaxonJS) with
//   no failed assertion flagged fatal or error (warnings are printed), and its totals (BT-109, 110,
//   112, 113, 115) are the API's amounts;
// - the PDF says PDF/A-3B with the Factur-X EN 16931 extension in its XMP (pdfinfo -meta), embeds
//   every font (pdffonts), and reads the number and amounts (pdftotext).
// `UPDATE_SAMPLES=1` also writes page 1 of seed 001's invoice to docs/samples/api-facture-seed001.png.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { E2E_SECRETS, sleep, startWranglerDev } from "../helpers/wrangler-dev.mjs";
import { isError, reader, schematron, xsdErrors } from "./facturx-rules.mjs";

const ROOT = path.resolve(import.meta.dirname, "../..");
const SAMPLE_PNG = path.join(ROOT, "docs/samples/api-facture-seed001");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "api-documents-"));
const t0 = Date.now();
/** @type {Awaited<ReturnType<typeof startWranglerDev>> | undefined} */
let server;
/** Every schematron warning seen, by document, for the summary. */
const warnings = [];
const figures = [];

function run(cmd, ...args) {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  } catch (e) {
    if (e.code === "ENOENT") assert.fail(`${cmd} not found: apt-get install -y poppler-utils (as .ci/run does)`);
    throw e;
  }
}

const sha256 = (buf) => createHash("sha256").update(buf).digest("hex");
/** Cents as the CII writes them: "1234.50". */
const decimal = (cents) => `${cents < 0 ? "-" : ""}${Math.trunc(Math.abs(cents) / 100)}.${String(Math.abs(cents) % 100).padStart(2, "0")}`;
/** Cents as the PDF prints them: "1 234,50 €" (no-break spaces made plain, as `text()` does). */
const euros = (cents) => `${new Intl.NumberFormat("fr-FR", { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(cents / 100)} €`.replace(/[\u00a0\u202f]/g, " ");
const compactDate = (isoDay) => isoDay.replaceAll("-", "");

// ── The API, as a partner calls it ───────────────────────────────────────────────────────────

let auth = `Bearer ${E2E_SECRETS.ADMIN_API_KEY}`;

/** @param {string} method @param {string} urlPath @param {{ body?: unknown, entity?: string }} [options] */
async function call(method, urlPath, options = {}) {
  const { body, entity } = options;
  assert.ok(server, "wrangler dev is up");
  return fetch(`${server.base}${urlPath}`, {
    method,
    headers: {
      authorization: auth,
      ...(entity ? { "x-entity-id": entity } : {}),
      ...(body ? { "content-type": "application/json" } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
}

async function json(expected, method, urlPath, options) {
  const res = await call(method, urlPath, options);
  const text = await res.text();
  assert.equal(res.status, expected, `${method} ${urlPath} → ${res.status}: ${text}`);
  return JSON.parse(text);
}

async function download(urlPath, entity) {
  const res = await call("GET", urlPath, { entity });
  const buf = Buffer.from(await res.arrayBuffer());
  assert.equal(res.status, 200, `GET ${urlPath} → ${res.status}: ${buf.toString("utf8", 0, 500)}`);
  return { buf, type: res.headers.get("content-type"), disposition: res.headers.get("content-disposition") };
}

/** Polls `read` until `done(value)` (the sandbox settles payments and refunds within seconds). */
async function until(what, read, done, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) assert.fail(`${what}: still ${JSON.stringify(value).slice(0, 400)} after ${timeoutMs / 1000} s`);
    await sleep(200);
  }
}

// ── The world: seed 001's town hall and a company that opted for VAT on debits ─────────────

async function organization(body, department, bankAccount, kyc) {
  const org = await json(201, "POST", "/v1/organizations", { body });
  const dept = await json(201, "POST", `/v1/organizations/${org.id}/departments`, { body: department });
  await json(201, "POST", `/v1/departments/${dept.id}/bank_accounts`, { body: bankAccount });
  if (kyc) await json(201, "POST", `/v1/departments/${dept.id}/kyc`, { body: bankAccount });
  return { id: org.id, dept: dept.id, org };
}

/** A draft made and issued; `body` is the POST /v1/invoices body without the department. */
async function issued(seller, body) {
  const draft = await json(201, "POST", "/v1/invoices", { body: { department_id: seller.dept, ...body }, entity: seller.id });
  return json(200, "POST", `/v1/invoices/${draft.id}/issue`, { entity: seller.id });
}

/** Pays `amount` (default: all that is due) through a link and the sandbox; resolves with the invoice once the money is in. */
async function pay(seller, invoice, amount) {
  const link = await json(201, "POST", "/v1/payment_links", {
    body: { invoice_id: invoice.id, payment_methods: ["sepa_credit"], ...(amount ? { amount } : {}) },
    entity: seller.id,
  });
  const intent = await json(200, "POST", `/v1/sandbox/payment_intents/${link.payment_intent_id}/simulate`, { body: { outcome: "succeeded" } });
  assert.equal(intent.status, "succeeded");
  const paid = await until(
    `${invoice.invoice_number} paid ${amount ?? "in full"}`,
    () => json(200, "GET", `/v1/invoices/${invoice.id}`, { entity: seller.id }),
    (i) => i.amount_paid >= (amount ?? invoice.amount_due),
  );
  return { invoice: paid, intentId: link.payment_intent_id };
}

const CONSUMER = { name: "Jean Dupont", email: "jean.dupont@example.com", address: { line1: "15 rue de la Paix", postal_code: "69002", city: "Lyon", country: "FR" } };
const BUSINESS = {
  name: "SARL Les Lilas",
  email: "compta@leslilas.example",
  siren: "732829320",
  vat_number: "FR44732829320",
  address: { line1: "4 place du Marché", postal_code: "92340", city: "Bourg-la-Reine", country: "FR" },
};

/**
 * Each case: what to download (`kind`, `id`, `seller`) and the business terms that make it, as a
 * function of the resource the API returns. Built concurrently; each test awaits its own.
 * @type {Record<string, Promise<{ kind: "invoices" | "credit_notes", id: string, seller: string, terms?: (r: any) => Record<string, string>, text?: (r: any) => string[], absent?: string[], check?: (r: any, read: (term: string) => string) => Promise<void> | void }>>}
 */
const cases = {};

function scenarios(lyon, atelier) {
  cases.seed = (async () => {
    // Seed 001 "Étape 1", verbatim (its due date is in the past: accepted in test mode with a warning).
    const invoice = await issued(lyon, {
      payer: CONSUMER,
      line_items: [{ description: "Consommation eau T1 2024", quantity: 125, unit_price: 320, vat_rate: 5.5 }],
      due_date: "2024-03-31",
      payment_terms: "Paiement sous 30 jours",
    });
    return {
      kind: "invoices",
      id: invoice.id,
      seller: lyon.id,
      terms: (r) => ({
        "BT-1": r.invoice_number,
        "BT-3": "380",
        "BT-27": "Mairie de Lyon",
        "BT-30": "216901234",
        "BT-41": "Régie de l'Eau",
        "BT-44": "Jean Dupont",
        "BT-47": "",
        "BT-84": "FR7612345678901234567890123",
        "BT-119": "5.5",
        "BT-117": "22.00",
      }),
      text: () => ["Mairie de Lyon", "Régie de l'Eau", "Jean Dupont", "FR76 1234 5678 9012 3456 7890 123", "BNPAFRPPXXX"],
      // A consumer payer: no B2B penalty or recovery indemnity.
      absent: ["Indemnité forfaitaire", "pénalités"],
    };
  })();

  cases.mixed = (async () => {
    // 2.5 × 42.50 = 106.25 at 20 % → 21.25; 3.75 × 19.99 = 74.9625 → 74.96 at 5.5 % → 4.1228 → 4.12.
    const invoice = await issued(lyon, {
      payer: { name: "Claire Martin", email: "claire.martin@example.com" },
      line_items: [
        { description: "Intervention technicien", quantity: 2.5, unit: "HUR", unit_price: 4250, vat_rate: 20 },
        { description: "Énergie de la pompe", quantity: 3.75, unit: "KWH", unit_price: 1999, vat_rate: 5.5 },
      ],
    });
    assert.deepEqual([invoice.subtotal_amount, invoice.tax_amount, invoice.total_amount], [18121, 2537, 20658], "the API's own arithmetic");
    return {
      kind: "invoices",
      id: invoice.id,
      seller: lyon.id,
      terms: (r) => ({
        "BT-129": "2.5 3.75",
        "BT-130": "HUR KWH",
        "BT-131": r.line_items.map((l) => decimal(l.net_amount)).join(" "),
      }),
    };
  })();

  cases.exempt = (async () => {
    const reason = "Exonération de TVA, article 261-4-4° du CGI";
    const invoice = await issued(atelier, {
      payer: BUSINESS,
      line_items: [
        { description: "Formation professionnelle continue", quantity: 1, unit: "DAY", unit_price: 45000, vat_rate: 0 },
        { description: "Manuel de formation", quantity: 1, unit_price: 2000, vat_rate: 20 },
      ],
      vat_exemption_reason: reason,
    });
    return {
      kind: "invoices",
      id: invoice.id,
      seller: atelier.id,
      terms: () => ({ "BT-120": reason }),
      check: (r, read) => assert.deepEqual(read("BT-118").split(" ").sort(), ["E", "S"], "an exempt category beside the standard one"),
      text: () => [reason],
    };
  })();

  cases.business = (async () => {
    const invoice = await issued(atelier, {
      payer: BUSINESS,
      line_items: [{ description: "Étude d'éclairage", quantity: 3, unit: "DAY", unit_price: 65000, vat_rate: 20 }],
      payment_terms: "Paiement à 30 jours par virement",
    });
    return {
      kind: "invoices",
      id: invoice.id,
      seller: atelier.id,
      terms: () => ({ "BT-44": "SARL Les Lilas", "BT-47": "732829320", "BT-48": "FR44732829320", "BT-30": "801234568", "BT-31": "FR66801234568" }),
      // B2B mentions: the buyer's SIREN, the late-payment penalty and the 40 € indemnity.
      text: () => ["SARL Les Lilas", "SIREN 732 829 320", "pénalités au taux", "Indemnité forfaitaire pour frais de recouvrement : 40 €"],
    };
  })();

  cases.debits = (async () => {
    const invoice = await issued(atelier, {
      payer: BUSINESS,
      line_items: [{ description: "Maintenance des luminaires (février)", quantity: 1, unit: "MON", unit_price: 48000, vat_rate: 20 }],
      operation_category: "services",
      service_period: { start: "2026-02-01", end: "2026-02-28" },
    });
    assert.equal(invoice.operation_category, "services");
    return {
      kind: "invoices",
      id: invoice.id,
      seller: atelier.id,
      // VAT on debits: due at the invoice's date (BT-8 code 5), the period instead of a date of supply.
      terms: () => ({ "BT-8": "5", "BT-72": "", "BT-73": "20260201", "BT-74": "20260228" }),
      text: () => ["Option pour le paiement de la taxe d'après les débits"],
    };
  })();

  const deposit = (async () => {
    const invoice = await issued(atelier, {
      type: "deposit",
      payer: BUSINESS,
      line_items: [{ description: "Acompte de 30 % — aménagement de bureaux", quantity: 1, unit_price: 150000, vat_rate: 20 }],
    });
    assert.equal(invoice.type, "deposit");
    await pay(atelier, invoice);
    return invoice;
  })();
  cases.deposit = deposit.then((invoice) => ({
    kind: "invoices",
    id: invoice.id,
    seller: atelier.id,
    // Archived at issue, before it was paid: nothing prepaid on the document, and it never changes.
    terms: () => ({ "BT-3": "386" }),
    check: (r) => assert.equal(r.status, "paid"),
  }));

  cases.final = deposit.then(async (paidDeposit) => {
    const invoice = await issued(atelier, {
      payer: BUSINESS,
      line_items: [{ description: "Aménagement de bureaux", quantity: 1, unit_price: 500000, vat_rate: 20 }],
      deducted_deposits: [paidDeposit.id],
    });
    assert.equal(invoice.deposits_amount, paidDeposit.total_amount);
    assert.equal(invoice.amount_due, invoice.total_amount - paidDeposit.total_amount);
    return {
      kind: "invoices",
      id: invoice.id,
      seller: atelier.id,
      terms: () => ({
        "BT-3": "380",
        "BT-25": paidDeposit.invoice_number,
        "BT-26": compactDate(paidDeposit.mentions.issue_date),
        "BT-113": decimal(paidDeposit.total_amount),
      }),
      text: (r) => [paidDeposit.invoice_number, euros(r.total_amount - paidDeposit.total_amount)],
    };
  });

  cases.partial = (async () => {
    const invoice = await issued(lyon, {
      payer: CONSUMER,
      line_items: [{ description: "Abonnement annuel au service des eaux", quantity: 1, unit_price: 100000, vat_rate: 5.5 }],
    });
    const { invoice: after } = await pay(lyon, invoice, 30000);
    assert.equal(after.status, "partially_paid");
    assert.equal(after.amount_due, invoice.total_amount - 30000);
    return {
      kind: "invoices",
      id: invoice.id,
      seller: lyon.id,
      check: (r) => assert.deepEqual([r.status, r.amount_paid], ["partially_paid", 30000]),
    };
  })();

  cases.cancellation = (async () => {
    const invoice = await issued(lyon, {
      payer: CONSUMER,
      line_items: [{ description: "Consommation eau T2 2024", quantity: 98, unit: "MTQ", unit_price: 320, vat_rate: 5.5 }],
    });
    const cancelled = await json(200, "POST", `/v1/invoices/${invoice.id}/cancel`, { body: { reason: "Erreur de facturation" }, entity: lyon.id });
    assert.equal(cancelled.status, "cancelled");
    const note = cancelled.credit_note;
    assert.equal(note.type, "cancellation");
    assert.deepEqual([note.subtotal_amount, note.tax_amount, note.total_amount], [invoice.subtotal_amount, invoice.tax_amount, invoice.total_amount]);
    return {
      kind: "credit_notes",
      id: note.id,
      seller: lyon.id,
      terms: (r) => ({ "BT-1": r.credit_note_number, "BT-3": "381", "BT-25": invoice.invoice_number, "BT-26": compactDate(invoice.mentions.issue_date) }),
      text: () => [invoice.invoice_number],
    };
  })();

  cases.reduction = (async () => {
    // 187.50 at 20 % (37.50 VAT) and 100.00 at 10 % (10.00 VAT): 335.00 paid, then 100 € back as a price reduction.
    const invoice = await issued(lyon, {
      payer: CONSUMER,
      line_items: [
        { description: "Location de la salle des fêtes", quantity: 1, unit_price: 18750, vat_rate: 20 },
        { description: "Repas du personnel", quantity: 4, unit_price: 2500, vat_rate: 10 },
      ],
    });
    assert.equal(invoice.total_amount, 33500);
    const { intentId } = await pay(lyon, invoice);
    const refund = await json(201, "POST", "/v1/refunds", {
      body: { payment_intent_id: intentId, amount: 10000, reason: "Remise commerciale de 100€", type: "price_reduction" },
      entity: lyon.id,
    });
    const settled = await until(
      `refund ${refund.id} settled`,
      () => json(200, "GET", `/v1/refunds/${refund.id}`, { entity: lyon.id }),
      (r) => r.status !== "pending",
    );
    assert.equal(settled.status, "succeeded");
    const { data } = await json(200, "GET", `/v1/credit_notes?invoice_id=${invoice.id}`, { entity: lyon.id });
    assert.equal(data.length, 1, "one credit note for the price reduction");
    const [note] = data;
    assert.deepEqual([note.type, note.refund_id, note.total_amount, settled.credit_note_id], ["price_reduction", refund.id, 10000, note.id]);
    // The price went down: the invoice is not owed the 100 € again.
    const after = await json(200, "GET", `/v1/invoices/${invoice.id}`, { entity: lyon.id });
    assert.deepEqual([after.status, after.credited_amount, after.amount_due], ["paid", 10000, 0]);
    return {
      kind: "credit_notes",
      id: note.id,
      seller: lyon.id,
      terms: (r) => ({ "BT-3": "381", "BT-25": invoice.invoice_number, "BT-112": "100.00" }),
      // VAT per rate as the API states it.
      check: (r, read) =>
        assert.deepEqual(
          zip(read("BT-119"), read("BT-116"), read("BT-117")).sort(),
          r.tax_breakdown.map((b) => [String(b.vat_rate), decimal(b.taxable_amount), decimal(b.tax_amount)]).sort(),
        ),
      text: () => [invoice.invoice_number],
    };
  })();

  // A case that failed is reported by its own test; unobserved until then.
  for (const p of Object.values(cases)) p.catch(() => {});
}

function zip(...columns) {
  const split = columns.map((c) => c.split(" "));
  return split[0].map((_, i) => split.map((c) => c[i]));
}

before(
  async () => {
    server = await startWranglerDev({ prefix: "api-documents-" });
    figures.push(`wrangler dev ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const partner = await json(201, "POST", "/v1/admin/partners", { body: { name: "Documents E2E" } });
    auth = `Bearer ${partner.credentials.secret_key}`;
    const account = { bic: "BNPAFRPPXXX", account_name: "Compte Régie Eau", bank_name: "BNP Paribas", is_default: true };
    const [lyon, atelier] = await Promise.all([
      // Seed 001, steps 3 to 6 (its SIRET and VAT number fail their checksums: test mode accepts them).
      organization(
        {
          type: "public_entity",
          name: "Mairie de Lyon",
          siret: "21690123400019",
          vat_number: "FR21216901234",
          address: { line1: "1 Place de la Comédie", postal_code: "69001", city: "Lyon", country: "FR" },
        },
        { name: "Régie de l'Eau", code: "REG-EAU-001", description: "Gestion des factures d'eau potable" },
        { iban: "FR7612345678901234567890123", ...account },
        true,
      ),
      organization(
        {
          type: "company",
          name: "Atelier Lumière SAS",
          siret: "80123456800013",
          vat_number: "FR66801234568",
          vat_on_debits: true,
          address: { line1: "18 rue de la Roquette", postal_code: "75011", city: "Paris", country: "FR" },
        },
        { name: "Atelier Lumière", code: "ATL-01" },
        { iban: "FR7630001007941234567890185", bic: "BDFEFRPPCCT", account_name: "Atelier Lumière SAS", is_default: true },
        false,
      ),
    ]);
    assert.equal(atelier.org.vat_on_debits, true);
    scenarios(lyon, atelier);
  },
  { timeout: 120_000 },
);

after(async () => {
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
  const byRule = new Map();
  for (const w of warnings) byRule.set(w.id, [...(byRule.get(w.id) ?? []), w.document]);
  console.log(
    [
      ...figures,
      `api-documents: ${((Date.now() - t0) / 1000).toFixed(1)} s in all`,
      `schematron warnings: ${warnings.length ? [...byRule].map(([id, docs]) => `${id} (${docs.join(", ")})`).join("; ") : "none"}`,
    ].join("\n"),
  );
});

/** Downloads the document of a case and checks it against the rules and the API's amounts. */
async function checkDocument(t, c) {
  const base = `/v1/${c.kind}/${c.id}`;
  const pdf = await download(`${base}/pdf`, c.seller);
  const xml = await download(`${base}/xml`, c.seller);
  const again = await download(`${base}/pdf`, c.seller);
  const r = await json(200, "GET", base, { entity: c.seller });
  const number = c.kind === "invoices" ? r.invoice_number : r.credit_note_number;
  assert.equal(pdf.type, "application/pdf");
  assert.equal(pdf.disposition, `inline; filename="${number}.pdf"`);
  assert.match(xml.type ?? "", /^application\/xml/);
  assert.ok(again.buf.equals(pdf.buf), "every download of the archived PDF is byte-identical");

  // The embedded XML is the …/xml download, and both are the archived documents the resource names.
  const work = fs.mkdtempSync(path.join(dir, `${number}-`));
  const pdfFile = path.join(work, `${number}.pdf`);
  fs.writeFileSync(pdfFile, pdf.buf);
  const attachments = path.join(work, "attachments");
  fs.mkdirSync(attachments);
  run("pdfdetach", "-saveall", "-o", attachments, pdfFile);
  assert.deepEqual(fs.readdirSync(attachments), ["factur-x.xml"], "one attachment, factur-x.xml");
  const embedded = fs.readFileSync(path.join(attachments, "factur-x.xml"));
  assert.ok(embedded.equals(xml.buf), "the XML embedded in the PDF is the …/xml download, byte for byte");
  assert.ok(r.document, `${number}: the resource names its document`);
  assert.equal(sha256(embedded), r.document.xml_sha256, "document.xml_sha256");
  assert.equal(sha256(pdf.buf), r.document.sha256, "document.sha256");

  // The official rules.
  const text = embedded.toString("utf8");
  const xsd = xsdErrors(text, number);
  assert.equal(xsd, null, `XSD: ${xsd}\n${text}`);
  const failed = await schematron(text);
  for (const w of failed.filter((f) => !isError(f))) {
    t.diagnostic(`warning ${w.id}: ${w.text} (${w.location})`);
    warnings.push({ ...w, document: number });
  }
  const errors = failed.filter(isError);
  assert.deepEqual(errors, [], `schematron errors:\n${errors.map((e) => `${e.flag ?? "(no flag)"} ${e.id}: ${e.text}`).join("\n")}\n${text}`);

  // The totals are the API's: an invoice's prepaid amount is its deducted deposits (nothing was
  // paid at issue, when the document was archived); a credit note's are its own.
  const read = await reader(text);
  const totals = { "BT-109": r.subtotal_amount, "BT-110": r.tax_amount, "BT-112": r.total_amount };
  if (c.kind === "invoices") Object.assign(totals, { "BT-113": r.deposits_amount, "BT-115": r.total_amount - r.deposits_amount });
  assert.deepEqual(
    Object.fromEntries(Object.keys(totals).map((term) => [term, read(term)])),
    Object.fromEntries(Object.entries(totals).map(([term, cents]) => [term, decimal(cents)])),
    "totals of the XML = the API's amounts",
  );
  const terms = { "BT-1": number, "BT-24": "urn:cen.eu:en16931:2017", ...(c.terms?.(r) ?? {}) };
  assert.deepEqual(Object.fromEntries(Object.keys(terms).map((term) => [term, read(term)])), terms);
  await c.check?.(r, read);

  // The PDF: PDF/A-3B with the Factur-X extension schema, every font embedded, and what it says.
  const meta = run("pdfinfo", "-meta", pdfFile);
  assert.match(meta, /<pdfaid:part>3<\/pdfaid:part>/);
  assert.match(meta, /<pdfaid:conformance>B<\/pdfaid:conformance>/);
  assert.match(meta, /<fx:ConformanceLevel>EN 16931<\/fx:ConformanceLevel>/);
  assert.match(meta, /<fx:DocumentFileName>factur-x\.xml<\/fx:DocumentFileName>/);
  assert.match(meta, /<fx:DocumentType>INVOICE<\/fx:DocumentType>/);
  const fonts = run("pdffonts", pdfFile).trim().split("\n").slice(2);
  assert.ok(fonts.length > 0, "fonts listed");
  for (const row of fonts) assert.match(row, /\s+yes\s+yes\s+yes\s+\d+\s+\d+$/, `embedded subset with ToUnicode: ${row}`);
  const printed = run("pdftotext", "-layout", pdfFile, "-").replace(/[\u00a0\u202f]/g, " ");
  for (const expected of [number, euros(r.total_amount), ...(c.text?.(r) ?? [])]) assert.ok(printed.includes(expected), `the PDF prints "${expected}":\n${printed}`);
  for (const unexpected of c.absent ?? []) assert.ok(!printed.includes(unexpected), `the PDF does not print "${unexpected}":\n${printed}`);
  return { pdfFile, number, pdfBytes: pdf.buf.length, xmlBytes: xml.buf.length };
}

const TABLE = [
  ["seed", "(1) seed 001: public-entity seller with its régie, consumer payer, 5.5 %, IBAN printed"],
  ["mixed", "(2) mixed 20 % and 5.5 % with fractional quantities in hours and kWh"],
  ["exempt", "(3) a 0 % line with its exemption reason beside a 20 % line"],
  ["business", "(4) business payer with SIREN and VAT number (B2B mentions)"],
  ["debits", "(5) company seller opted for VAT on debits, services over a period"],
  ["deposit", "(6) deposit invoice (386), paid through the sandbox"],
  ["final", "(7) final invoice deducting the paid deposit (BT-113, BT-25)"],
  ["partial", "(8) partially paid invoice: its archived document still validates"],
  ["cancellation", "(9) credit note (381) of a cancelled invoice, citing it"],
  ["reduction", "(10) partial credit note of a 100 € price-reduction refund over two VAT rates"],
];

for (const [key, name] of TABLE) {
  test(`API document ${name}`, { timeout: 60_000 }, async (t) => {
    const started = Date.now();
    const c = await cases[key];
    const { pdfFile, number, pdfBytes, xmlBytes } = await checkDocument(t, c);
    figures.push(`  ${key} ${number}: PDF ${pdfBytes} B, XML ${xmlBytes} B, ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (key === "seed" && process.env.UPDATE_SAMPLES === "1") {
      run("pdftoppm", "-r", "80", "-png", "-f", "1", "-l", "1", "-singlefile", pdfFile, SAMPLE_PNG);
      t.diagnostic(`wrote ${path.relative(ROOT, SAMPLE_PNG)}.png`);
    }
  });
}
