import { z } from "@hono/zod-openapi";
import { and, eq, sql, type SQL } from "drizzle-orm";
import { changes, insertWhere } from "../../db/guarded";
import { invoiceRecomputeStatements } from "../../db/projection/payment-intent";
import { departments, invoices, paymentIntents, paymentLinks, payments } from "../../db/schema";
import { statusIn } from "../../db/status-sql";
import { boundToInstant, isCalendarDate, parisToday } from "../../domain/dates";
import { PAYABLE_INVOICE_STATUSES } from "../../domain/invoice-status";
import { nothingLeftToPay, OFFLINE_PAYMENT_METHODS, type OfflinePaymentMethod } from "../../domain/payment";
import { BusinessRule, Conflict, NotFound, ValidationError } from "../../lib/errors";
import { Cents, DateBound } from "../../lib/fields";
import { isId, newId } from "../../lib/ids";
import { Text } from "../../lib/text";
import { auditEntry, eventEntry, publishEvents, type ServiceContext } from "../context";
import { ANY_ORGANIZATION, organizationOfObject, owner, scoped, type OrganizationScope } from "../tenancy";
import { presentPayment, type PaymentRow } from "./query";

export const RecordOfflinePaymentInput = z
  .strictObject({
    amount: Cents({ min: 1, max: 100_000_000_000 }).openapi({ description: "Received, in cents: at most what remains payable on the invoice.", example: 15000 }),
    method: z.enum(OFFLINE_PAYMENT_METHODS).openapi({ description: "How it was paid: `cash`, `cheque`, `bank_transfer` (seen on the account) or `other`.", example: "cheque" }),
    received_at: DateBound.openapi({
      description: "When the money was received: an instant, or a date read in Europe/Paris (its midnight). Not in the future.",
      example: "2026-03-02",
    }),
    reference: Text({ min: 1, max: 100 }).optional().openapi({ description: "The cheque number, the transfer's label, a receipt book number…", example: "CHQ 0012345" }),
    note: Text({ min: 1, max: 1000, multiline: true }).optional().openapi({ description: "Free text for whoever reads the ledger (kept in the payment's events and audit trail: no personal data).", example: "Remis au guichet de la mairie annexe" }),
  })
  .openapi("OfflinePaymentCreate", { example: { amount: 15000, method: "cheque", received_at: "2026-03-02", reference: "CHQ 0012345" } });

type Input = z.infer<typeof RecordOfflinePaymentInput>;

/** A client clock a little ahead of ours is not a payment from the future. */
const CLOCK_SKEW_MS = 60_000;

/** `received_at` as the payment's paid_at: an instant as given, a Paris date at its midnight; 400 if in the future. */
function receivedAt(value: string, now: Date): string {
  const at = boundToInstant(value, "start")!;
  const future = isCalendarDate(value) ? value > parisToday(now) : Date.parse(at) > now.getTime() + CLOCK_SKEW_MS;
  if (future) throw new ValidationError(`received_at ${value} is in the future: record a payment once it is received.`, "received_at", "received_at_in_future");
  return at;
}

/**
 * A payment taken outside the platform (a régie's counter, a cheque, a transfer seen on the
 * account), recorded on an invoice in ONE batch: the ledger entry (completed, no intent nor link),
 * `payment.created` and its audit entry, and the invoice's amounts and status recomputed from the
 * ledger as for an online payment (`invoice.status_changed` when the status changes). All of it
 * only if, inside the batch: the invoice is payable (issued, partially paid, overdue); the amount
 * fits in what is due once the active payment links and uncaptured holds are counted (the counter
 * does not take precedence over a link: the payer could still pay it online, and the invoice would
 * be paid twice — revoke the link first); and the invoice's department accepts the method and,
 * for cash, the amount (its `offline_methods` and `cash_ceiling`). The batch ends with reads that
 * say why a refusal happened; nothing is written then.
 */
export async function recordOfflinePayment({ ctx, organizationId, invoiceId, input }: { ctx: ServiceContext; organizationId: OrganizationScope; invoiceId: string; input: Input }) {
  if (!isId("invoice", invoiceId)) throw new NotFound("invoice", invoiceId, "id");
  const paidAt = receivedAt(input.received_at, new Date(Date.parse(ctx.now)));
  // Without X-Entity-Id, the invoice's own organization, by subquery in the batch itself (NULL
  // when the invoice is not the caller's, and then `fits` writes nothing): what the batch writes
  // takes it from there, the payment, its event, its audit entry.
  const theOrganization: string | SQL = organizationId === ANY_ORGANIZATION ? organizationOfObject(ctx, invoices, organizationId, invoiceId) : organizationId;

  const ownInvoice = and(eq(invoices.id, invoiceId), scoped(ctx, invoices, organizationId));
  const invoiceDepartment = sql`(SELECT ${invoices.department_id} FROM ${invoices} WHERE ${ownInvoice})`;
  const ownDepartment = and(eq(departments.id, invoiceDepartment), scoped(ctx, departments, organizationId));
  // Promised out of what is due, as when a link is created (services/payment-links/create-payment-link.ts):
  // active links, and card holds authorized but not yet captured (their link is completed, the money still to come).
  const heldIntent = sql`EXISTS (SELECT 1 FROM ${paymentIntents} WHERE ${paymentIntents.id} = ${paymentLinks.payment_intent_id} AND ${scoped(ctx, paymentIntents, organizationId)} AND ${paymentIntents.status} = 'requires_capture')`;
  const reserved = sql`(SELECT coalesce(sum(${paymentLinks.amount}), 0) FROM ${paymentLinks} WHERE ${paymentLinks.invoice_id} = ${invoiceId} AND ${scoped(ctx, paymentLinks, organizationId)} AND (${paymentLinks.status} = 'active' OR (${paymentLinks.status} = 'completed' AND ${paymentLinks.type} = 'preauth' AND ${heldIntent})))`;
  const available = sql`((SELECT ${invoices.amount_due} FROM ${invoices} WHERE ${ownInvoice}) - ${reserved})`;
  const acceptsMethod = sql`(${departments.offline_methods} IS NULL OR EXISTS (SELECT 1 FROM json_each(${departments.offline_methods}) WHERE json_each.value = ${input.method}))`;
  const underCeiling = input.method === "cash" ? sql` AND (${departments.cash_ceiling} IS NULL OR ${input.amount} <= ${departments.cash_ceiling})` : sql``;
  const fits = sql`EXISTS (SELECT 1 FROM ${invoices} WHERE ${ownInvoice} AND ${statusIn(invoices.status, PAYABLE_INVOICE_STATUSES)})
    AND ${input.amount} <= ${available}
    AND EXISTS (SELECT 1 FROM ${departments} WHERE ${ownDepartment} AND ${acceptsMethod}${underCeiling})`;

  const paymentId = newId("payment");
  const thePayment = and(eq(payments.id, paymentId), scoped(ctx, payments, organizationId));
  const recorded = sql`EXISTS (SELECT 1 FROM ${payments} WHERE ${thePayment})`;
  const row: PaymentRow = {
    id: paymentId,
    ...owner(ctx),
    version: 1,
    organization_id: typeof theOrganization === "string" ? theOrganization : "", // without X-Entity-Id, the invoice's: in SQL below
    invoice_id: invoiceId,
    payment_intent_id: null,
    payment_link_id: null,
    amount: input.amount,
    refunded_amount: 0,
    currency: "EUR", // the invoice's: in SQL below
    method: input.method,
    status: "completed",
    paid_at: paidAt,
    department_id: null, // the invoice's: in SQL below
    reference: input.reference ?? null,
    note: input.note ?? null,
    voided_at: null,
    void_reason: null,
    created_at: ctx.now,
    updated_at: ctx.now,
  };
  const invoiceCurrency = sql`(SELECT ${invoices.currency} FROM ${invoices} WHERE ${ownInvoice})`;
  const assigned = { "payment.currency": invoiceCurrency, "payment.department_id": invoiceDepartment, "payment.organization_id": sql`${theOrganization}` };
  const draft = presentPayment(row);
  const eventId = newId("event");
  const invoiceEventId = newId("event");
  const recompute = invoiceRecomputeStatements(ctx.db, {
    tenant: { ...owner(ctx), organization_id: organizationId },
    invoiceId,
    at: ctx.now,
    today: parisToday(new Date(Date.parse(ctx.now))),
    eventId: invoiceEventId,
    auditId: newId("audit_log"),
    actor: ctx.actor,
    requestId: ctx.requestId,
    cause: [["payment_id", paymentId]],
    paidAt,
    guard: recorded,
  });
  const statements: BatchItem[] = [
    // drizzle takes an SQL value in place of any column's value (these inserts are INSERT … SELECT
    // under a guard, db/guarded.ts insertWhere); its types only know the column's.
    insertWhere(ctx.db, payments, { ...row, organization_id: theOrganization as string, currency: invoiceCurrency as unknown as string, department_id: invoiceDepartment as unknown as string }, fits),
    eventEntry(ctx, { id: eventId, organizationId: theOrganization as string, type: "payment.created", data: { payment_id: paymentId, payment: draft }, assigned }, recorded),
    auditEntry(
      ctx,
      {
        organizationId: theOrganization as string,
        resourceType: "payment",
        resourceId: paymentId,
        action: "created",
        before: null,
        after: null,
        changesSql: sql`json_object('before', NULL, 'after', json_set(${JSON.stringify(draft)}, '$.organization_id', ${theOrganization}, '$.currency', ${invoiceCurrency}, '$.department_id', ${invoiceDepartment}))`,
      },
      recorded,
    ),
    ...recompute,
    ctx.db.select().from(payments).where(thePayment),
    // Why a refusal happened (read after the guarded writes, in the same round trip).
    ctx.db.select({ status: invoices.status, invoice_number: invoices.invoice_number, amount_due: invoices.amount_due, reserved: sql<number>`${reserved}` }).from(invoices).where(ownInvoice),
    ctx.db.select({ offline_methods: departments.offline_methods, cash_ceiling: departments.cash_ceiling }).from(departments).where(ownDepartment),
  ];
  const invoiceEventAt = 3;
  const results = (await ctx.db.batch(statements as [BatchItem, ...BatchItem[]])) as unknown[];
  const [created] = results.at(-3) as PaymentRow[];
  if (!created) {
    throw refusal(invoiceId, input, (results.at(-2) as InvoiceState[])[0], (results.at(-1) as DepartmentRules[])[0]);
  }
  publishEvents(ctx, [eventId, ...(changes(results[invoiceEventAt]) === 1 ? [invoiceEventId] : [])]);
  return presentPayment(created);
}

type InvoiceState = { status: string; invoice_number: string | null; amount_due: number; reserved: number };
type DepartmentRules = { offline_methods: OfflinePaymentMethod[] | null; cash_ceiling: number | null };

/** The error of a refused payment, from the state read in the same batch. */
function refusal(invoiceId: string, input: Input, invoice: InvoiceState | undefined, department: DepartmentRules | undefined): Error {
  if (!invoice) return new NotFound("invoice", invoiceId, "id");
  if (!(PAYABLE_INVOICE_STATUSES as readonly string[]).includes(invoice.status)) {
    return new Conflict(`A ${invoice.status} invoice takes no payment (issue it first; paid and cancelled invoices take none).`, "invoice_not_payable", "id");
  }
  if (department?.offline_methods && !department.offline_methods.includes(input.method)) {
    const accepted = department.offline_methods.length > 0 ? `it accepts ${department.offline_methods.join(", ")}` : "it accepts none";
    return new BusinessRule(`The invoice's department does not accept payments by ${input.method} at the counter (${accepted}).`, "offline_method_not_accepted", "method");
  }
  if (input.method === "cash" && department?.cash_ceiling != null && input.amount > department.cash_ceiling) {
    return new BusinessRule(
      `A cash payment of ${input.amount} cents is above the department's cash ceiling of ${department.cash_ceiling} cents.`,
      "cash_ceiling_exceeded",
      "amount",
    );
  }
  const reserved = Number(invoice.reserved);
  const available = Math.max(invoice.amount_due - reserved, 0);
  if (available === 0) return nothingLeftToPay(invoice, invoiceId, "Revoke them to take the payment here.", "id");
  return new BusinessRule(
    `Amount ${input.amount} cents is more than what remains payable on invoice ${invoice.invoice_number ?? invoiceId}: ${available} cents (amount due ${invoice.amount_due}${reserved > 0 ? `, of which ${reserved} in active payment links or uncaptured holds: revoke them to take the payment here` : ""}).`,
    "amount_exceeds_due",
    "amount",
  );
}

type BatchItem = Parameters<ServiceContext["db"]["batch"]>[0][number];
