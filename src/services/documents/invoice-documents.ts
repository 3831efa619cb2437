import { and, eq, isNull, sql, type SQL } from "drizzle-orm";
import { changes } from "../../db/guarded";
import { bankAccounts, creditNotes, departments, invoices, organizations } from "../../db/schema";
import { addDays, parisToday } from "../../domain/dates";
import { invoiceMentions, type Mentions } from "../../domain/invoice-mentions";
import type { InvoiceDocument } from "../../documents/model";
import { documentEngine } from "./engine";
import { seal, sha256HexBytes, unseal } from "../../lib/crypto";
import { Conflict, NotFound } from "../../lib/errors";
import { isId } from "../../lib/ids";
import { purposeMacHex } from "../../lib/keys";
import { log } from "../../lib/log";
import type { Env } from "../../env";
import { auditEntry, type ServiceContext } from "../context";
import { isBusinessPayer, unsealPayer, type Payer } from "../invoices/payer";
import type { CreditNoteRow, InvoiceRow } from "../invoices/present";
import { scoped, type OrganizationScope } from "../tenancy";
import { archiveKey, getArchived, putArchived, type ArchivedKind } from "./archive";
import { creditNoteModel, invoiceModel, sellerFromOrganization, type Payee } from "./models";
import { renderFacturX, type FacturX } from "./render";

export type DocumentFormat = "pdf" | "xml";

export interface ServedDocument {
  bytes: Uint8Array;
  contentType: "application/pdf" | "application/xml";
  filename: string;
  /** SHA-256 of the bytes, as recorded on the resource (null for a draft preview). */
  sha256: string | null;
}

type OrganizationRow = typeof organizations.$inferSelect;

/** The payee account printed on an invoice is frozen at issue, sealed like every IBAN. */
export function sealPayee(key: string, invoiceId: string, payee: Payee): Promise<string> {
  return seal(key, JSON.stringify(payee), `invoice:${invoiceId}:payee`);
}

async function unsealPayee(key: string, invoiceId: string, sealed: string): Promise<Payee> {
  return JSON.parse(await unseal(key, sealed, `invoice:${invoiceId}:payee`)) as Payee;
}

/** The department's default active account, in full (a French invoice prints the payee's IBAN). */
export async function defaultPayee(ctx: ServiceContext, organizationId: string, departmentId: string | SQL): Promise<Payee | null> {
  return payeeOf(ctx.env, (await defaultAccountQuery(ctx, organizationId, departmentId))[0]);
}

/** The query of `defaultPayee`, to put in a caller's batch (`departmentId` may be a subquery). */
export function defaultAccountQuery(ctx: ServiceContext, organizationId: OrganizationScope, departmentId: string | SQL) {
  return ctx.db
    .select()
    .from(bankAccounts)
    .where(and(scoped(ctx, bankAccounts, organizationId), sql`${bankAccounts.department_id} = ${departmentId}`, eq(bankAccounts.status, "active"), eq(bankAccounts.is_default, true)))
    .limit(1);
}

export async function payeeOf(env: Env, account: typeof bankAccounts.$inferSelect | undefined): Promise<Payee | null> {
  if (!account) return null;
  return { iban: await unseal(env.ENCRYPTION_KEY, account.iban_encrypted, `bank_account:${account.id}`), bic: account.bic, account_name: account.account_name };
}

/**
 * The invoice's permanent payment address, printed with a QR code on its document: it leads to
 * the payment page of whichever link is active when the payer scans it (pages/routes/invoice.ts).
 * Keyed by an HMAC of the invoice id, so it can be printed without storing a token, and cannot be
 * guessed from an id.
 */
export async function invoicePayUrl(env: Env, invoiceId: string): Promise<string> {
  return `${env.PUBLIC_BASE_URL}/p/f/${invoicePayRef(invoiceId, await invoicePayMac(env, invoiceId))}`;
}

export function invoicePayRef(invoiceId: string, mac: string): string {
  return `${invoiceId}.${mac}`;
}

export async function invoicePayMac(env: Env, invoiceId: string): Promise<string> {
  return (await purposeMacHex(env.ENCRYPTION_KEY, "invoice_pay_url", invoiceId)).slice(0, 32);
}

/** The mentions an invoice is issued with (frozen at issue; computed live for a draft's preview). */
export function mentionsFor(input: {
  row: InvoiceRow;
  seller: OrganizationRow;
  departmentName: string | null;
  payer: Payer;
  issueDate: string;
  dueDate: string;
  quoteNumber?: string | null;
}): Mentions {
  // Mentions hold the seller's identity and its printed extras as fields of their own, as issued
  // invoices already store them.
  const { public_entity_unit, email, primary_color, ...identity } = sellerFromOrganization(input.seller, input.departmentName);
  return invoiceMentions({
    issueDate: input.issueDate,
    dueDate: input.dueDate,
    seller: identity,
    buyerIsBusiness: isBusinessPayer(input.payer),
    paymentTerms: input.row.payment_terms,
    vatExemptionReason: input.row.vat_exemption_reason,
    sellerUnit: public_entity_unit,
    vatOnDebits: input.seller.vat_on_debits,
    sellerEmail: email,
    primaryColor: primary_color,
    quoteNumber: input.quoteNumber ?? null,
  });
}

function filename(number: string | null, id: string, format: DocumentFormat): string {
  return `${number ?? `brouillon-${id}`}.${format}`;
}

function served(format: DocumentFormat, bytes: Uint8Array, name: string, sha256: string | null): ServedDocument {
  return { bytes, contentType: format === "pdf" ? "application/pdf" : "application/xml", filename: name, sha256 };
}

/** The invoice's Factur-X as issued, from its frozen data alone. */
export async function renderIssuedInvoice(env: Env, row: InvoiceRow, payee: Payee | null): Promise<FacturX> {
  const payer = await unsealPayer(env.ENCRYPTION_KEY, row.id, row.payer_encrypted);
  const doc = invoiceModel({
    row,
    number: row.invoice_number,
    mentions: row.mentions as unknown as Mentions,
    payer,
    payee,
    paymentUrl: await invoicePayUrl(env, row.id),
    quoteNumber: (row.mentions as { quote_number?: string | null } | null)?.quote_number ?? null,
  });
  return renderFacturX(doc, { created_at: row.issued_at!, document_id: row.id });
}

/**
 * GET /v1/invoices/{id}/pdf|xml. A draft: a preview PDF rendered now (no number, no Factur-X, never
 * stored). Issued: the archived bytes, byte-identical on every call; an archive missing after a
 * crash is regenerated from the frozen data, checked against the hash recorded at issue, and stored.
 */
export async function getInvoiceDocument({ ctx, organizationId, id, format }: { ctx: ServiceContext; organizationId: OrganizationScope; id: string; format: DocumentFormat }): Promise<ServedDocument> {
  if (!isId("invoice", id)) throw new NotFound("invoice", id, "id");
  const [row] = await ctx.db
    .select()
    .from(invoices)
    .where(and(eq(invoices.id, id), scoped(ctx, invoices, organizationId)));
  if (!row) throw new NotFound("invoice", id, "id");
  if (row.status === "draft") {
    if (format === "xml") throw new Conflict("A draft has no Factur-X XML: issue it first (GET …/pdf renders a preview of the draft).", "invoice_not_issued");
    return served("pdf", await renderDraftPreview(ctx, row.organization_id, row), filename(null, row.id, "pdf"), null);
  }
  if (!row.issued_at || !row.invoice_number) throw new Conflict("This invoice was cancelled as a draft: it was never issued and has no document.", "invoice_not_issued");
  const bytes = await archivedInvoice(ctx, row, format);
  return served(format, bytes, filename(row.invoice_number, row.id, format), await sha256HexBytes(bytes));
}

async function renderDraftPreview(ctx: ServiceContext, organizationId: string, row: InvoiceRow): Promise<Uint8Array> {
  const [[seller], [department]] = await ctx.db.batch([
    ctx.db.select().from(organizations).where(and(eq(organizations.id, organizationId), scoped(ctx, organizations))),
    ctx.db.select({ name: departments.name }).from(departments).where(and(eq(departments.id, row.department_id), scoped(ctx, departments, organizationId))),
  ]);
  if (!seller) throw new NotFound("invoice", row.id, "id");
  const payer = await unsealPayer(ctx.env.ENCRYPTION_KEY, row.id, row.payer_encrypted);
  const today = parisToday(new Date(ctx.now));
  const mentions = mentionsFor({ row, seller, departmentName: department?.name ?? null, payer, issueDate: today, dueDate: row.due_date ?? addDays(today, 30) });
  const doc: InvoiceDocument = invoiceModel({ row, number: null, mentions, payer, payee: await defaultPayee(ctx, organizationId, row.department_id), paymentUrl: null });
  return (await documentEngine()).renderInvoicePdf(doc, null, { created_at: ctx.now, document_id: row.id });
}

async function archivedInvoice(ctx: ServiceContext, row: InvoiceRow, format: DocumentFormat): Promise<Uint8Array> {
  const owner = { partner_id: row.partner_id, livemode: row.livemode, organization_id: row.organization_id };
  if (row.document_sha256 && row.xml_sha256) {
    const sha = format === "pdf" ? row.document_sha256 : row.xml_sha256;
    const stored = await getArchived(ctx.env, archiveKey(owner, "invoices", row.id, sha, format), sha);
    if (stored) return stored;
    // Lost after the issue (or never stored): the frozen data give the same bytes again.
    const payee = row.payee_encrypted ? await unsealPayee(ctx.env.ENCRYPTION_KEY, row.id, row.payee_encrypted) : null;
    const again = await renderIssuedInvoice(ctx.env, row, payee);
    if (again.pdfSha256 !== row.document_sha256 || again.xmlSha256 !== row.xml_sha256) {
      log.error("document_regeneration_mismatch", { invoice_id: row.id, request_id: ctx.requestId });
      throw new Error(`invoice ${row.id}: regenerated document does not match the hash recorded at issue`);
    }
    await storeFacturX(ctx.env, owner, "invoices", row.id, again);
    return format === "pdf" ? again.pdf : again.xml;
  }
  // No hashes yet (see archiveIssuedInvoice): made and recorded now, then served from the archive.
  const archived = await archiveIssuedInvoice(ctx, row);
  if (!archived.document_sha256) throw new Error(`invoice ${row.id}: documents could not be recorded`);
  return archivedInvoice(ctx, archived, format);
}

/**
 * Makes, stores and records the documents of an issued invoice that has none yet: one issued while
 * another issue took its predicted number, or before documents existed (then with the department's
 * current default account, frozen from now on). Guarded: the first recorder wins, and the row
 * returned carries the hashes recorded.
 */
export async function archiveIssuedInvoice(ctx: ServiceContext, row: InvoiceRow): Promise<InvoiceRow> {
  if (row.document_sha256) return row;
  const owner = { partner_id: row.partner_id, livemode: row.livemode, organization_id: row.organization_id };
  const payee = row.payee_encrypted ? await unsealPayee(ctx.env.ENCRYPTION_KEY, row.id, row.payee_encrypted) : await defaultPayee(ctx, row.organization_id, row.department_id);
  const made = await renderIssuedInvoice(ctx.env, row, payee);
  await storeFacturX(ctx.env, owner, "invoices", row.id, made);
  const payeeSealed = row.payee_encrypted ?? (payee ? await sealPayee(ctx.env.ENCRYPTION_KEY, row.id, payee) : null);
  const first = and(eq(invoices.id, row.id), scoped(ctx, invoices, row.organization_id), isNull(invoices.document_sha256));
  const guard = sql`EXISTS (SELECT 1 FROM ${invoices} WHERE ${first})`;
  const [, , now] = await ctx.db.batch([
    auditEntry(ctx, { organizationId: row.organization_id, resourceType: "invoice", resourceId: row.id, action: "document_archived", before: null, after: { sha256: made.pdfSha256, xml_sha256: made.xmlSha256 } }, guard),
    ctx.db.update(invoices).set({ document_sha256: made.pdfSha256, xml_sha256: made.xmlSha256, document_generated_at: ctx.now, payee_encrypted: payeeSealed }).where(first),
    ctx.db.select().from(invoices).where(and(eq(invoices.id, row.id), scoped(ctx, invoices, row.organization_id))),
  ]);
  return now[0] ?? row;
}

export async function storeFacturX(env: Env, owner: { partner_id: string; livemode: boolean; organization_id: string }, kind: ArchivedKind, id: string, doc: FacturX): Promise<void> {
  await Promise.all([
    putArchived(env, archiveKey(owner, kind, id, doc.pdfSha256, "pdf"), doc.pdf, doc.pdfSha256),
    putArchived(env, archiveKey(owner, kind, id, doc.xmlSha256, "xml"), doc.xml, doc.xmlSha256),
  ]);
}

/**
 * Stores a document made before its batch, while the batch runs (one round trip instead of two).
 * The key carries the hash, so a batch that then changes nothing leaves an unreferenced object,
 * never a wrong one; a put that fails while the batch commits leaves the hash recorded and the
 * document regenerated byte-identical at its first download — so a failed put is logged, not
 * thrown. Timed in Server-Timing as running alongside.
 */
export function storeAlongside(ctx: ServiceContext, owner: { partner_id: string; livemode: boolean; organization_id: string }, kind: ArchivedKind, id: string, doc: FacturX): Promise<void> {
  return ctx.timer
    .measure("r2", "put pdf+xml", () => afterGate(ctx).then((allowed) => (allowed ? storeFacturX(ctx.env, owner, kind, id, doc) : undefined)), true)
    .catch((err: unknown) => log.error("document archive put failed", { [`${kind}_id`]: id, request_id: ctx.requestId, error: err }));
}

/** Whether the request may act (the partner gate's answer on a write): a refused caller stores nothing, and its batch answers the refusal. */
async function afterGate(ctx: ServiceContext): Promise<boolean> {
  try {
    await ctx.beforeEffect?.();
    return true;
  } catch {
    return false;
  }
}

// ---- credit notes ----

export async function renderCreditNote(env: Env, note: CreditNoteRow, invoice: InvoiceRow): Promise<FacturX> {
  const payer = await unsealPayer(env.ENCRYPTION_KEY, invoice.id, invoice.payer_encrypted);
  return renderFacturX(creditNoteModel({ note, invoice, payer }), { created_at: note.issued_at, document_id: note.id });
}

/**
 * A credit note's documents are made once, after the batch that created it gave it its number
 * (a cancel, or a price-reduction refund settling inside the payment intent's projection): by the
 * cancel request itself, the first download, or the minute cron — whichever comes first records
 * the hashes (guarded), the others find them.
 */
export async function ensureCreditNoteDocuments(ctx: ServiceContext, note: CreditNoteRow, invoice: InvoiceRow): Promise<{ note: CreditNoteRow; made: FacturX | null }> {
  const owner = { partner_id: note.partner_id, livemode: note.livemode, organization_id: note.organization_id };
  if (note.document_sha256) return { note, made: null };
  const made = await renderCreditNote(ctx.env, note, invoice);
  await storeFacturX(ctx.env, owner, "credit_notes", note.id, made);
  const first = and(eq(creditNotes.id, note.id), scoped(ctx, creditNotes, note.organization_id), isNull(creditNotes.document_sha256));
  const guard = sql`EXISTS (SELECT 1 FROM ${creditNotes} WHERE ${first})`;
  const [, updated] = await ctx.db.batch([
    auditEntry(ctx, { organizationId: note.organization_id, resourceType: "credit_note", resourceId: note.id, action: "document_archived", before: null, after: { sha256: made.pdfSha256, xml_sha256: made.xmlSha256 } }, guard),
    ctx.db.update(creditNotes).set({ document_sha256: made.pdfSha256, xml_sha256: made.xmlSha256, document_generated_at: ctx.now, version: sql`${creditNotes.version} + 1` }).where(first),
  ]);
  if (changes(updated) === 0) {
    const [now] = await ctx.db.select().from(creditNotes).where(and(eq(creditNotes.id, note.id), scoped(ctx, creditNotes, note.organization_id)));
    return { note: now ?? note, made: null };
  }
  return { note: { ...note, document_sha256: made.pdfSha256, xml_sha256: made.xmlSha256, document_generated_at: ctx.now, version: note.version + 1 }, made };
}

/** GET /v1/credit_notes/{id}/pdf|xml: the archived bytes (archived now if they were not yet). */
export async function getCreditNoteDocument({ ctx, organizationId, id, format }: { ctx: ServiceContext; organizationId: OrganizationScope; id: string; format: DocumentFormat }): Promise<ServedDocument> {
  if (!isId("credit_note", id)) throw new NotFound("credit_note", id, "id");
  const [notes, invs] = await ctx.db.batch([
    ctx.db.select().from(creditNotes).where(and(eq(creditNotes.id, id), scoped(ctx, creditNotes, organizationId))),
    ctx.db
      .select()
      .from(invoices)
      .where(and(scoped(ctx, invoices, organizationId), sql`${invoices.id} = (SELECT ${creditNotes.invoice_id} FROM ${creditNotes} WHERE ${creditNotes.id} = ${id} AND ${scoped(ctx, creditNotes, organizationId)})`)),
  ]);
  const note = notes[0];
  const invoice = invs[0];
  if (!note || !invoice) throw new NotFound("credit_note", id, "id");
  const name = filename(note.credit_note_number, note.id, format);
  const ensured = await ensureCreditNoteDocuments(ctx, note, invoice);
  if (ensured.made) {
    const made = ensured.made;
    return format === "pdf" ? served("pdf", made.pdf, name, made.pdfSha256) : served("xml", made.xml, name, made.xmlSha256);
  }
  const current = ensured.note;
  const sha = format === "pdf" ? current.document_sha256! : current.xml_sha256!;
  const owner = { partner_id: current.partner_id, livemode: current.livemode, organization_id: current.organization_id };
  const stored = await getArchived(ctx.env, archiveKey(owner, "credit_notes", current.id, sha, format), sha);
  if (stored) return served(format, stored, name, sha);
  const again = await renderCreditNote(ctx.env, current, invoice);
  if (again.pdfSha256 !== current.document_sha256 || again.xmlSha256 !== current.xml_sha256) {
    log.error("document_regeneration_mismatch", { credit_note_id: current.id, request_id: ctx.requestId });
    throw new Error(`credit note ${current.id}: regenerated document does not match the recorded hash`);
  }
  await storeFacturX(ctx.env, owner, "credit_notes", current.id, again);
  return served(format, format === "pdf" ? again.pdf : again.xml, name, sha);
}
