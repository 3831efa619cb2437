import { and, eq, sql } from "drizzle-orm";
import { changes, insertWhere } from "../../db/guarded";
import { departments, invoices } from "../../db/schema";
import { parisToday } from "../../domain/dates";
import type { LineInput } from "../../domain/vat";
import { NotFound } from "../../lib/errors";
import { isId, newId } from "../../lib/ids";
import { auditEntry, eventEntry, publishEvents, sealedEvent, type ServiceContext } from "../context";
import { payerEmailHash, sealPayer, type Payer } from "./payer";
import { auditedInvoice, presentInvoiceWith, type InvoiceRow } from "./present";
import { assessDueDate, draftAmounts, requireExemptionReason } from "./rules";
import { owner, scoped } from "../tenancy";

export interface InvoiceInput {
  department_id: string;
  payer: Payer;
  line_items: LineInput[];
  due_date?: string | null | undefined;
  payment_terms?: string | null | undefined;
  currency?: "EUR" | undefined;
  vat_exemption_reason?: string | null | undefined;
  metadata?: Record<string, string> | undefined;
}

/**
 * A draft: amounts computed, no number yet (numbers are given at issue). One batch: the insert,
 * its audit entry and `invoice.created`, all only if the department is the organization's.
 */
export async function createInvoice({ ctx, organizationId, input }: { ctx: ServiceContext; organizationId: string; input: InvoiceInput }) {
  const amounts = draftAmounts(input.line_items);
  requireExemptionReason(input.line_items, input.vat_exemption_reason);
  const warnings = assessDueDate(input.due_date, parisToday(), ctx.principal.livemode);
  if (!isId("department", input.department_id)) throw new NotFound("department", input.department_id, "department_id");

  const id = newId("invoice");
  const [payerSealed, emailHash] = await Promise.all([
    sealPayer(ctx.env.ENCRYPTION_KEY, id, input.payer),
    payerEmailHash(ctx.env.ENCRYPTION_KEY, input.payer.email),
  ]);
  const row: InvoiceRow = {
    id,
    ...owner(ctx),
    organization_id: organizationId,
    department_id: input.department_id,
    status: "draft",
    invoice_number: null,
    currency: input.currency ?? "EUR",
    payer_encrypted: payerSealed,
    payer_email_hash: emailHash,
    ...amounts,
    amount_paid: 0,
    amount_due: amounts.total_amount,
    due_date: input.due_date ?? null,
    payment_terms: input.payment_terms ?? null,
    vat_exemption_reason: input.vat_exemption_reason ?? null,
    mentions: null,
    metadata: input.metadata ?? {},
    warnings,
    credit_note_id: null,
    issued_at: null,
    paid_at: null,
    cancelled_at: null,
    version: 1,
    created_at: ctx.now,
    updated_at: ctx.now,
  };
  const invoice = presentInvoiceWith(row, input.payer);
  const departmentIsTheOrganizations = sql`EXISTS (SELECT 1 FROM ${departments} WHERE ${and(eq(departments.id, input.department_id), scoped(ctx, departments, organizationId))})`;
  const eventId = newId("event");
  const [inserted] = await ctx.db.batch([
    insertWhere(ctx.db, invoices, row, departmentIsTheOrganizations),
    auditEntry(
      ctx,
      { organizationId, resourceType: "invoice", resourceId: id, action: "created", before: null, after: auditedInvoice(invoice) },
      departmentIsTheOrganizations,
    ),
    eventEntry(ctx, await sealedEvent(ctx, { id: eventId, organizationId, type: "invoice.created", data: { invoice_id: id, invoice } }), departmentIsTheOrganizations),
  ]);
  if (changes(inserted) === 0) throw new NotFound("department", input.department_id, "department_id");
  publishEvents(ctx, [eventId]);
  return invoice;
}
