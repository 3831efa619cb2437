import { and, eq, sql } from "drizzle-orm";
import { changes } from "../../db/guarded";
import { invoices, organizations } from "../../db/schema";
import { addDays, parisToday } from "../../domain/dates";
import { invoiceMentions } from "../../domain/invoice-mentions";
import type { Warning } from "../../domain/identity";
import { BusinessRule, Conflict, NotFound } from "../../lib/errors";
import { isId, newId } from "../../lib/ids";
import { auditEntry, eventEntry, publishEvents, sealedEvent, type ServiceContext } from "../context";
import { invoiceWhere } from "./get-invoice";
import { incrementCounter, numberExpression } from "./numbering";
import { isBusinessPayer, unsealPayer } from "./payer";
import { presentInvoiceWith, type InvoiceRow } from "./present";
import { assessDueDate, withoutWarning } from "./rules";
import { organizationWhere } from "../organizations/get-organization";

/**
 * draft → issued. The number comes from the organization's gap-free counter inside the same
 * batch as the status change, its audit entry and `invoice.status_changed`; the mandatory
 * mentions are frozen now. A missing due date becomes 30 days after issue (L441-10).
 */
export async function issueInvoice({ ctx, organizationId, id }: { ctx: ServiceContext; organizationId: string; id: string }) {
  if (!isId("invoice", id)) throw new NotFound("invoice", id, "id");
  const [rows, orgs] = await ctx.db.batch([
    ctx.db.select().from(invoices).where(invoiceWhere(ctx, organizationId, id)),
    ctx.db.select().from(organizations).where(organizationWhere(ctx, organizationId)),
  ]);
  const before = rows[0];
  const seller = orgs[0];
  if (!before || !seller) throw new NotFound("invoice", id, "id");
  if (before.status !== "draft") {
    throw new Conflict(`Invoice already ${before.status}${before.invoice_number ? ` as ${before.invoice_number}` : ""}: only a draft can be issued.`, "invoice_not_draft");
  }

  const today = parisToday();
  const year = Number(today.slice(0, 4));
  const dueDate = before.due_date ?? addDays(today, 30);
  const livemode = ctx.principal.livemode;
  if (livemode && dueDate < today) {
    throw new BusinessRule(`The draft's due date ${dueDate} has passed: set a new due_date before issuing.`, "due_date_in_past", "due_date");
  }
  const warnings: Warning[] = [...withoutWarning(before.warnings, "due_date_in_past"), ...assessDueDate(dueDate, today, false)];
  if (!seller.address) {
    const message = "The organization has no address; an invoice must show the seller's address (L441-9).";
    if (livemode) throw new BusinessRule(message, "seller_address_required", "organization.address");
    warnings.push({ code: "seller_address_missing", param: "organization.address", message: `${message} Accepted in test mode only.` });
  }

  const payer = await unsealPayer(ctx.env.ENCRYPTION_KEY, id, before.payer_encrypted);
  const mentions = invoiceMentions({
    issueDate: today,
    dueDate,
    seller: { name: seller.name, siret: seller.siret, siren: seller.siren, vat_number: seller.vat_number, address: seller.address },
    buyerIsBusiness: isBusinessPayer(payer),
    paymentTerms: before.payment_terms,
    vatExemptionReason: before.vat_exemption_reason,
  });
  const after: InvoiceRow = {
    ...before,
    status: "issued",
    issued_at: ctx.now,
    due_date: dueDate,
    mentions: mentions as unknown as Record<string, unknown>,
    warnings,
    version: before.version + 1,
    updated_at: ctx.now,
  };

  const stillDraft = and(invoiceWhere(ctx, organizationId, id), eq(invoices.status, "draft"), eq(invoices.version, before.version));
  const guard = sql`EXISTS (SELECT 1 FROM ${invoices} WHERE ${stillDraft})`;
  const number = numberExpression(organizationId, "invoice", year);
  const invoice = presentInvoiceWith(after, payer);
  const eventId = newId("event");
  const results = await ctx.db.batch([
    incrementCounter(ctx.db, organizationId, "invoice", year, guard),
    auditEntry(
      ctx,
      {
        organizationId,
        resourceType: "invoice",
        resourceId: id,
        action: "status_changed",
        before: null,
        after: null,
        changesSql: sql`json_object('before', json_object('status', 'draft', 'invoice_number', NULL), 'after', json_object('status', 'issued', 'invoice_number', ${number}, 'issued_at', ${ctx.now}, 'due_date', ${dueDate}))`,
      },
      guard,
    ),
    eventEntry(
      ctx,
      await sealedEvent(ctx, {
        id: eventId,
        organizationId,
        type: "invoice.status_changed",
        data: { invoice_id: id, previous_status: "draft", current_status: "issued", invoice },
        assigned: { "invoice.invoice_number": number },
      }),
      guard,
    ),
    ctx.db
      .update(invoices)
      .set({
        status: "issued",
        invoice_number: number,
        issued_at: after.issued_at,
        due_date: dueDate,
        mentions: after.mentions,
        warnings,
        version: after.version,
        updated_at: ctx.now,
      })
      .where(stillDraft),
    ctx.db.select({ invoice_number: invoices.invoice_number }).from(invoices).where(invoiceWhere(ctx, organizationId, id)),
  ]);
  if (changes(results[3]) === 0) throw new Conflict("The invoice changed while it was being issued; read it again.", "concurrent_update");
  const invoiceNumber = results[4][0]?.invoice_number ?? null;
  publishEvents(ctx, [eventId]);
  return { ...invoice, invoice_number: invoiceNumber };
}
