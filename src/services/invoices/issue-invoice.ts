import { and, eq, sql } from "drizzle-orm";
import { changes } from "../../db/guarded";
import { departments, invoices, organizations, quotes } from "../../db/schema";
import { addDays, parisToday } from "../../domain/dates";
import type { Warning } from "../../domain/identity";
import { formatNumber } from "../../domain/numbering";
import { BusinessRule, Conflict, NotFound } from "../../lib/errors";
import { isId, newId } from "../../lib/ids";
import { auditEntry, eventEntry, publishEvents, sealedEvent, type ServiceContext } from "../context";
import { archiveIssuedInvoice, defaultAccountQuery, mentionsFor, payeeOf, renderIssuedInvoice, sealPayee, storeAlongside } from "../documents/invoice-documents";
import { assertDepositsStillDeductible, depositsStillDeductible } from "./deposits";
import { invoiceWhere } from "./get-invoice";
import { counterStill, counterValue, incrementCounter, numberExpression } from "./numbering";
import { unsealPayer } from "./payer";
import { presentInvoiceWith, type InvoiceRow } from "./present";
import { assessDueDate, withoutWarning } from "./rules";
import { organizationOfObject, scoped, type OrganizationScope } from "../tenancy";

/**
 * draft → issued. The mandatory mentions and the payee account are frozen now, and the Factur-X
 * documents (PDF/A-3 + CII XML) are generated once, stored in the archive, and their SHA-256
 * recorded in the same batch as the number, the status change, its audit entry and
 * `invoice.status_changed`. The number is therefore known before the batch: the issue predicts
 * the counter's next value and its batch holds only if the counter has not moved (else it
 * changes nothing and tries again) — numbers stay gap-free and the batch atomic. A missing due
 * date becomes 30 days after issue (L441-10).
 */
export async function issueInvoice({ ctx, organizationId: scope, id }: { ctx: ServiceContext; organizationId: OrganizationScope; id: string }) {
  if (!isId("invoice", id)) throw new NotFound("invoice", id, "id");
  const today = parisToday(new Date(ctx.now));
  const year = Number(today.slice(0, 4));
  const theInvoice = invoiceWhere(ctx, scope, id);
  const theDepartment = sql`(SELECT ${invoices.department_id} FROM ${invoices} WHERE ${theInvoice})`;
  // X-Entity-Id is optional here: the seller and the counter are the invoice's own organization's,
  // found by subquery in this same read.
  const theOrganization = organizationOfObject(ctx, invoices, scope, id);
  const [rows, orgs, depts, counter, fromQuote, accounts] = await ctx.db.batch([
    ctx.db.select().from(invoices).where(theInvoice),
    ctx.db.select().from(organizations).where(and(eq(organizations.id, theOrganization), scoped(ctx, organizations))),
    ctx.db
      .select({ name: departments.name })
      .from(departments)
      .where(and(scoped(ctx, departments, scope), sql`${departments.id} = ${theDepartment}`)),
    counterValue(ctx.db, theOrganization, "invoice", year),
    ctx.db
      .select({ number: quotes.quote_number })
      .from(quotes)
      .where(and(scoped(ctx, quotes, scope), sql`${quotes.id} = (SELECT ${invoices.quote_id} FROM ${invoices} WHERE ${theInvoice})`)),
    defaultAccountQuery(ctx, scope, theDepartment),
  ]);
  const before = rows[0];
  const seller = orgs[0];
  if (!before || !seller) throw new NotFound("invoice", id, "id");
  const organizationId = before.organization_id;
  if (before.status !== "draft") {
    throw new Conflict(`Invoice already ${before.status}${before.invoice_number ? ` as ${before.invoice_number}` : ""}: only a draft can be issued.`, "invoice_not_draft");
  }

  const dueDate = before.due_date ?? addDays(today, 30);
  const livemode = ctx.principal.livemode;
  if (livemode && dueDate < today) {
    throw new BusinessRule(`The draft's due date ${dueDate} has passed: set a new due_date before issuing.`, "due_date_in_past", "due_date");
  }
  const warnings: Warning[] = [...withoutWarning(before.warnings, "due_date_in_past"), ...assessDueDate(dueDate, today, false)];
  if (!seller.vat_number && before.line_items.some((l) => l.vat_rate > 0)) {
    // CGI ann. II 242 nonies A: an invoice charging VAT shows the seller's VAT number.
    const message = "The organization has no VAT number; an invoice that charges VAT must show it (CGI ann. II art. 242 nonies A).";
    if (livemode) throw new BusinessRule(message, "seller_vat_number_required", "organization.vat_number");
    warnings.push({ code: "seller_vat_number_missing", param: "organization.vat_number", message: `${message} Accepted in test mode only: the Factur-X identifies the seller by its SIREN (BT-32).` });
  }
  if (!seller.address) {
    const message = "The organization has no address; an invoice must show the seller's address (L441-9).";
    if (livemode) throw new BusinessRule(message, "seller_address_required", "organization.address");
    warnings.push({ code: "seller_address_missing", param: "organization.address", message: `${message} Accepted in test mode only.` });
  }

  const payer = await unsealPayer(ctx.env.ENCRYPTION_KEY, id, before.payer_encrypted);
  const payee = await payeeOf(ctx.env, accounts[0]);
  const mentions = mentionsFor({ row: before, seller, departmentName: depts[0]?.name ?? null, payer, issueDate: today, dueDate, quoteNumber: fromQuote[0]?.number ?? null });
  const payeeSealed = payee ? await sealPayee(ctx.env.ENCRYPTION_KEY, id, payee) : null;
  // A final invoice issues only while every deposit it deducts is still paid and reserved for it.
  if ((before.deducted_deposits ?? []).length > 0) await assertDepositsStillDeductible(ctx, organizationId, before);
  const stillDraft = and(
    invoiceWhere(ctx, organizationId, id),
    eq(invoices.status, "draft"),
    eq(invoices.version, before.version),
    depositsStillDeductible(ctx, organizationId, before),
  );

  const base: InvoiceRow = {
    ...before,
    status: "issued",
    issued_at: ctx.now,
    due_date: dueDate,
    mentions: mentions as unknown as Record<string, unknown>,
    payee_encrypted: payeeSealed,
    warnings,
    version: before.version + 1,
    updated_at: ctx.now,
  };
  const issuedFields = {
    status: "issued" as const,
    issued_at: ctx.now,
    due_date: dueDate,
    mentions: base.mentions,
    payee_encrypted: payeeSealed,
    warnings,
    version: base.version,
    updated_at: ctx.now,
  };
  const stillDraftGuard = sql`EXISTS (SELECT 1 FROM ${invoices} WHERE ${stillDraft})`;

  // 1. Predicted: the number is the counter's next value, the documents are made with it and their
  //    hashes go into this very batch — which holds only if the counter has not moved meanwhile.
  const last = counter[0]?.last ?? 0;
  const number = formatNumber("invoice", year, last + 1);
  const after: InvoiceRow = { ...base, invoice_number: number };
  const docs = await renderIssuedInvoice(ctx.env, after, payee);
  const stored = storeAlongside(ctx, before, "invoices", id, docs);
  Object.assign(after, { document_sha256: docs.pdfSha256, xml_sha256: docs.xmlSha256, document_generated_at: ctx.now });

  const predicted = sql`${stillDraftGuard} AND ${counterStill(organizationId, "invoice", year, last)}`;
  const invoice = presentInvoiceWith(after, payer);
  const eventId = newId("event");
  // The counter moves last, and only if this invoice took the number in this batch (the number is
  // on the row and the counter has not moved yet): every statement before it sees the counter as predicted.
  const tookNumber = sql`EXISTS (SELECT 1 FROM ${invoices} WHERE ${and(invoiceWhere(ctx, organizationId, id), eq(invoices.invoice_number, number), eq(invoices.version, after.version))})`;
  const [results] = await Promise.all([ctx.db.batch([
    auditEntry(
      ctx,
      {
        organizationId,
        resourceType: "invoice",
        resourceId: id,
        action: "status_changed",
        before: { status: "draft", invoice_number: null },
        after: { status: "issued", invoice_number: number, issued_at: ctx.now, due_date: dueDate, document: { sha256: docs.pdfSha256, xml_sha256: docs.xmlSha256 } },
      },
      predicted,
    ),
    eventEntry(
      ctx,
      await sealedEvent(ctx, { id: eventId, organizationId, type: "invoice.status_changed", data: { invoice_id: id, previous_status: "draft", current_status: "issued", invoice } }),
      predicted,
    ),
    ctx.db
      .update(invoices)
      .set({ ...issuedFields, invoice_number: number, document_sha256: docs.pdfSha256, xml_sha256: docs.xmlSha256, document_generated_at: ctx.now })
      .where(and(stillDraft, counterStill(organizationId, "invoice", year, last))),
    incrementCounter(ctx.db, organizationId, "invoice", year, sql`${tookNumber} AND ${counterStill(organizationId, "invoice", year, last)}`),
    ctx.db.select({ status: invoices.status, version: invoices.version }).from(invoices).where(invoiceWhere(ctx, organizationId, id)),
  ]), stored]);
  if (changes(results[2]) === 1) {
    publishEvents(ctx, [eventId]);
    return invoice;
  }
  const current = results[4][0];
  if (!current || current.status !== "draft" || current.version !== before.version) {
    throw new Conflict("The invoice changed while it was being issued; read it again.", "concurrent_update");
  }

  // 2. Contended (another invoice of the organization took that number): the number is given by
  //    the counter inside the batch, as always, and the documents are made from the frozen row
  //    right after it and recorded with their own audit entry (`document_archived`) — never a
  //    render per retry under load. A crash in between leaves them to the first download.
  const numberSql = numberExpression(organizationId, "invoice", year);
  const contendedEventId = newId("event");
  const unnumbered = presentInvoiceWith({ ...base }, payer);
  const second = await ctx.db.batch([
    incrementCounter(ctx.db, organizationId, "invoice", year, stillDraftGuard),
    auditEntry(
      ctx,
      {
        organizationId,
        resourceType: "invoice",
        resourceId: id,
        action: "status_changed",
        before: null,
        after: null,
        changesSql: sql`json_object('before', json_object('status', 'draft', 'invoice_number', NULL), 'after', json_object('status', 'issued', 'invoice_number', ${numberSql}, 'issued_at', ${ctx.now}, 'due_date', ${dueDate}))`,
      },
      stillDraftGuard,
    ),
    eventEntry(
      ctx,
      await sealedEvent(ctx, {
        id: contendedEventId,
        organizationId,
        type: "invoice.status_changed",
        data: { invoice_id: id, previous_status: "draft", current_status: "issued", invoice: unnumbered },
        assigned: { "invoice.invoice_number": numberSql },
      }),
      stillDraftGuard,
    ),
    ctx.db.update(invoices).set({ ...issuedFields, invoice_number: numberSql }).where(stillDraft),
    ctx.db.select().from(invoices).where(invoiceWhere(ctx, organizationId, id)),
  ]);
  const issuedRow = second[4][0];
  if (changes(second[3]) === 0 || !issuedRow) throw new Conflict("The invoice changed while it was being issued; read it again.", "concurrent_update");
  publishEvents(ctx, [contendedEventId]);
  const archived = await archiveIssuedInvoice(ctx, issuedRow);
  return presentInvoiceWith(archived, payer);
}
