import { and, eq, lt, sql, type SQL } from "drizzle-orm";
import { auditRow, auditSequence } from "../audit";
import type { Db } from "../client";
import { changes, insertWhere } from "../guarded";
import { incrementCounter, numberExpression } from "../numbering";
import { auditLogs, creditNotes, events, invoices, paymentIntents, paymentLinks, payments, refunds } from "../schema";
import { invoiceStatusAfterMoneySql, statusIn } from "../status-sql";
import { creditNoteIdOfRefund, presentCreditNote, reductionMention, type CreditedAmounts } from "../../domain/credit-note";
import { COLLECTED_PAYMENT_STATUSES, type LedgerEntryStatus, type PaymentStatus } from "../../domain/payment";
import { publicIntent, type IntentState, type IntentStatus, type PaymentMethod } from "../../domain/payment-intent";
import type { Actor, IntentResult, Refusal } from "../../domain/payment-intent-rpc";
import type { PaymentLinkClosure } from "../../domain/payment-link";
import type { RefundState } from "../../domain/refund";
import { owner, scoped, type OrganizationScope } from "../tenancy";

/**
 * The projection of a PaymentIntent object's transitions into D1: the format of its outbox
 * records and the one batch that mirrors each. The object writes and drains the records; the
 * link service writes an intent's first row with `intentRow`. Here, between the two, so that
 * neither imports the other.
 */

interface AuditRecord {
  id: string;
  action: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

/**
 * One transition of a PaymentIntent object, as written to its outbox inside the transition's
 * storage transaction. Every id is minted there, so replaying a record changes nothing.
 */
export interface ProjectionRecord {
  at: string;
  /** Paris date at the transition: an invoice whose payments are all refunded is overdue after it. */
  today: string;
  intent: IntentState;
  previous_status: IntentStatus | null;
  event: { id: string; type: "payment_intent.status_changed"; data: Record<string, unknown> } | null;
  audit: AuditRecord | null;
  actor: Actor;
  request_id: string | null;
  link_status: PaymentLinkClosure | null;
  /**
   * The intent's ledger entry as of this transition (issue 14, seed 002's statuses): `pending`
   * once the money is on its way (a transfer initiated, a card authorized or held), then
   * `completed` (received), `failed`, or `canceled` (a hold released). Records written before
   * issue 14 carry no status: they are the entry of a succeeded intent (`completed`).
   */
  ledger: { id: string; amount: number; method: PaymentMethod; paid_at: string; status?: LedgerEntryStatus } | null;
  /** A refund created or settled by this transition, with its own event and audit entry. */
  refund: {
    state: RefundState;
    event: { id: string; type: "refund.created" | "refund.status_changed"; data: Record<string, unknown> };
    audit: AuditRecord;
  } | null;
  /** The ledger entry's refunded amount after a refund succeeded (absolute, so a replay is harmless). */
  ledger_refund: { refunded_amount: number; status: PaymentStatus } | null;
  /**
   * The credit note a price-reduction refund issues when it succeeds (absent from records written
   * before issue 12): numbered in this batch, created once however often the record is replayed.
   */
  credit_note?: {
    id: string;
    refund_id: string;
    invoice_number: string;
    invoice_issue_date: string;
    reason: string | null;
    currency: string;
    amounts: CreditedAmounts;
    event_id: string;
    audit_id: string;
  } | null;
  invoice_event_id: string;
  invoice_audit_id: string;
}

/** Money on the invoice according to the ledger (payments received, less their refunds): amount_paid is always derived, never added to. */
function paidOn(t: InvoiceTenant): SQL {
  return sql`(SELECT coalesce(sum(${payments.amount} - ${payments.refunded_amount}), 0) FROM ${payments} WHERE ${payments.invoice_id} = ${invoices.id} AND ${statusIn(payments.status, COLLECTED_PAYMENT_STATUSES)} AND ${scoped(t, payments, t.organization_id)})`;
}

/** The D1 row of an intent's state (its projection): the public fields plus the tenant and provider. */
export function intentRow(s: IntentState): typeof paymentIntents.$inferInsert {
  const { object: _object, ...fields } = publicIntent(s);
  return { ...fields, ...owner(s), provider: s.provider };
}

/**
 * The D1 batch mirroring one transition. Idempotent and monotonic: the intent and refund rows
 * only move to a higher version, events/audit/ledger rows are insert-or-ignore on ids minted in
 * the object, the link moves only from active, the ledger's refunded amount only grows, and the
 * invoice's amounts are recomputed from the ledger, its status event written only when its
 * status actually changes. Returns the statements and where each event insert stands.
 */
export function projectionStatements(db: Db, r: ProjectionRecord) {
  const s = r.intent;
  const row = intentRow(s);
  const { id: _id, created_at: _c, ...mutable } = row;
  const tenant = { ...owner(s), organization_id: s.organization_id };
  const event = (e: { id: string; type: string; data: Record<string, unknown> }) =>
    db.insert(events).values({ id: e.id, ...tenant, type: e.type, data: e.data, created_at: r.at, enqueued_at: null }).onConflictDoNothing();
  const audit = (a: AuditRecord, resourceType: string, resourceId: string) =>
    db
      .insert(auditLogs)
      .values(
        auditRow(
          { actor: r.actor, ip: null, requestId: r.request_id, at: r.at },
          { id: a.id, owner: owner(s), organizationId: s.organization_id, resourceType, resourceId, action: a.action, changes: { before: a.before, after: a.after } },
        ),
      )
      .onConflictDoNothing();

  const statements: BatchItem[] = [
    db.insert(paymentIntents).values(row).onConflictDoUpdate({ target: paymentIntents.id, set: mutable, setWhere: sql`excluded.version > ${paymentIntents.version}` }),
  ];
  /** Where each event insert stands in the batch: its result says whether this run wrote it. */
  const eventsAt: Record<string, number> = {};
  if (r.event) {
    eventsAt[r.event.id] = statements.length;
    statements.push(event(r.event));
  }
  if (r.audit) statements.push(audit(r.audit, "payment_intent", s.id));
  if (r.link_status) {
    statements.push(
      db
        .update(paymentLinks)
        .set({
          status: r.link_status,
          ...(r.link_status === "completed" ? { completed_at: r.at } : r.link_status === "revoked" ? { revoked_at: r.at } : {}),
          updated_at: r.at,
          version: sql`${paymentLinks.version} + 1`,
        })
        .where(and(eq(paymentLinks.id, s.payment_link_id), scoped(s, paymentLinks, s.organization_id), eq(paymentLinks.status, "active"))),
    );
  }
  if (r.refund) {
    const f = r.refund.state;
    const refundRow = {
      id: f.id,
      ...tenant,
      payment_intent_id: s.id,
      invoice_id: s.invoice_id,
      amount: f.amount,
      currency: f.currency,
      status: f.status,
      reason: f.reason,
      type: f.type ?? "repayment",
      credit_note_id: f.status === "succeeded" && f.type === "price_reduction" ? creditNoteIdOfRefund(f.id) : null,
      failure_code: f.failure_code,
      pending_reason: f.pending_reason ?? null,
      completed_at: f.completed_at,
      version: f.version,
      created_at: f.created_at,
      updated_at: f.updated_at,
    };
    const { id: _rid, created_at: _rc, ...refundMutable } = refundRow;
    statements.push(db.insert(refunds).values(refundRow).onConflictDoUpdate({ target: refunds.id, set: refundMutable, setWhere: sql`excluded.version > ${refunds.version}` }));
    eventsAt[r.refund.event.id] = statements.length;
    statements.push(event(r.refund.event), audit(r.refund.audit, "refund", f.id));
  }
  const ledgerStatus = r.ledger ? (r.ledger.status ?? "completed") : null;
  if (r.ledger) {
    const entry = { amount: r.ledger.amount, method: r.ledger.method, status: ledgerStatus!, paid_at: r.ledger.paid_at, updated_at: r.at };
    statements.push(
      db
        .insert(payments)
        .values({
          id: r.ledger.id,
          ...tenant,
          invoice_id: s.invoice_id,
          payment_intent_id: s.id,
          payment_link_id: s.payment_link_id,
          // The department paid is the link's (its invoice's, or the one a request names).
          department_id: sql`(SELECT ${paymentLinks.department_id} FROM ${paymentLinks} WHERE ${paymentLinks.id} = ${s.payment_link_id} AND ${scoped(s, paymentLinks, s.organization_id)})` as unknown as string,
          amount: r.ledger.amount,
          refunded_amount: 0,
          currency: s.currency,
          method: r.ledger.method,
          status: ledgerStatus!,
          paid_at: r.ledger.paid_at,
          created_at: r.at,
          updated_at: r.at,
        })
        // The entry follows its intent's attempts (pending → failed → pending → completed); once
        // the money is received it never moves back (a replayed older record changes nothing).
        // A replay of the record that made the entry's current status changes nothing either,
        // its version included: only a move to another status (or amount) is a new version.
        .onConflictDoUpdate({
          target: payments.id,
          set: { ...entry, version: sql`${payments.version} + 1` },
          setWhere: sql`NOT ${statusIn(payments.status, COLLECTED_PAYMENT_STATUSES)} AND (${payments.status} IS NOT excluded.status OR ${payments.amount} IS NOT excluded.amount OR ${payments.paid_at} IS NOT excluded.paid_at)`,
        }),
    );
  }
  if (r.ledger_refund) {
    statements.push(
      db
        .update(payments)
        .set({ refunded_amount: r.ledger_refund.refunded_amount, status: r.ledger_refund.status, updated_at: r.at, version: sql`${payments.version} + 1` })
        .where(and(eq(payments.payment_intent_id, s.id), scoped(s, payments, s.organization_id), lt(payments.refunded_amount, r.ledger_refund.refunded_amount))),
    );
  }
  // A request without an invoice has no credit note (its refunds are repayments) and no invoice to recompute.
  if (r.credit_note && s.invoice_id) {
    const at = statements.length;
    statements.push(...creditNoteStatements(db, r, s.invoice_id, r.credit_note));
    // The credit note's event is the last of its statements.
    eventsAt[r.credit_note.event_id] = at + 3;
  }
  // Only money received or refunded moves the invoice (a pending, failed or released entry does not).
  if ((ledgerStatus === "completed" || r.ledger_refund) && s.invoice_id) {
    eventsAt[r.invoice_event_id] = statements.length;
    statements.push(...invoiceRecompute(db, r, s.invoice_id));
  }
  return { statements, eventsAt };
}

type BatchItem = Parameters<Db["batch"]>[0][number];

/**
 * A price reduction's credit note: the next AV- number, the note, its audit entry and its
 * `credit_note.created` event, all under one guard — the note is not there yet — so a replayed
 * record numbers nothing twice and leaves no gap. Its lines and amounts were computed in the
 * object (domain/credit-note.ts); the seller is the one frozen on the invoice at issue.
 */
function creditNoteStatements(db: Db, r: ProjectionRecord, invoiceId: string, c: NonNullable<ProjectionRecord["credit_note"]>): BatchItem[] {
  const s = r.intent;
  const theInvoice = and(eq(invoices.id, invoiceId), scoped(s, invoices, s.organization_id));
  const guard = sql`NOT EXISTS (SELECT 1 FROM ${creditNotes} WHERE ${creditNotes.id} = ${c.id} AND ${scoped(s, creditNotes, s.organization_id)})
    AND EXISTS (SELECT 1 FROM ${invoices} WHERE ${theInvoice})`;
  const year = Number(r.today.slice(0, 4));
  const number = numberExpression(s.organization_id, "credit_note", year);
  const mentions = {
    document_type: "Avoir",
    type_code: 381,
    issue_date: r.today,
    seller: null,
    reduces: reductionMention(c.invoice_number, c.invoice_issue_date),
    reason: c.reason,
  };
  const note = {
    id: c.id,
    ...owner(s),
    organization_id: s.organization_id,
    invoice_id: invoiceId,
    credit_note_number: "",
    type: "price_reduction" as const,
    refund_id: c.refund_id,
    line_items: c.amounts.line_items,
    invoice_number: c.invoice_number,
    invoice_issue_date: c.invoice_issue_date,
    reason: c.reason,
    currency: c.currency,
    subtotal_amount: c.amounts.subtotal_amount,
    tax_amount: c.amounts.tax_amount,
    total_amount: c.amounts.total_amount,
    tax_breakdown: c.amounts.tax_breakdown,
    mentions,
    issued_at: r.at,
    document_sha256: null,
    xml_sha256: null,
    document_generated_at: null,
    created_at: r.at,
    // Explicit: insertWhere writes NULL for a column left out, not its default.
    version: 1,
  };
  // The seller as printed on the invoice (frozen at issue), copied into the note's mentions.
  const mentionsSql = sql`json_set(${JSON.stringify(mentions)}, '$.seller', json((SELECT json_extract(${invoices.mentions}, '$.seller') FROM ${invoices} WHERE ${theInvoice})))`;
  // The note as the API shows it, with its number and mentions as the insert above stored them.
  const stored = sql`(SELECT json_object('credit_note_number', ${creditNotes.credit_note_number}, 'mentions', json(${creditNotes.mentions})) FROM ${creditNotes} WHERE ${creditNotes.id} = ${c.id} AND ${scoped(s, creditNotes, s.organization_id)})`;
  const presented = sql`json_set(${JSON.stringify(presentCreditNote({ ...note, livemode: s.livemode }))}, '$.credit_note_number', json_extract(${stored}, '$.credit_note_number'), '$.mentions', json(json_extract(${stored}, '$.mentions')))`;
  return [
    incrementCounter(db, s.organization_id, "credit_note", year, guard),
    insertWhere(db, creditNotes, { ...note, credit_note_number: number as unknown as string, mentions: mentionsSql as unknown as Record<string, unknown> }, guard),
    db
      .insert(auditLogs)
      .values(
        auditRow(
          { actor: r.actor, ip: null, requestId: r.request_id, at: r.at },
          {
            id: c.audit_id,
            owner: owner(s),
            organizationId: s.organization_id,
            resourceType: "credit_note",
            resourceId: c.id,
            action: "created",
            changes: sql`json_object('before', NULL, 'after', ${presented})`,
          },
        ),
      )
      .onConflictDoNothing(),
    db
      .insert(events)
      .values({
        id: c.event_id,
        ...owner(s),
        organization_id: s.organization_id,
        type: "credit_note.created",
        data: sql`json_object('credit_note_id', ${c.id}, 'credit_note', ${presented})` as unknown as Record<string, unknown>,
        created_at: r.at,
        enqueued_at: null,
      })
      .onConflictDoNothing(),
  ];
}

/** Sum of the invoice's price-reduction credit notes (its credited_amount), from the notes themselves. */
function creditedOn(t: InvoiceTenant): SQL {
  return sql`(SELECT coalesce(sum(${creditNotes.total_amount}), 0) FROM ${creditNotes} WHERE ${creditNotes.invoice_id} = ${invoices.id} AND ${creditNotes.type} = 'price_reduction' AND ${scoped(t, creditNotes, t.organization_id)})`;
}

function invoiceRecompute(db: Db, r: ProjectionRecord, invoiceId: string) {
  const s = r.intent;
  return invoiceRecomputeStatements(db, {
    tenant: { partner_id: s.partner_id, livemode: s.livemode, organization_id: s.organization_id },
    invoiceId,
    at: r.at,
    today: r.today,
    eventId: r.invoice_event_id,
    auditId: r.invoice_audit_id,
    actor: r.actor,
    requestId: r.request_id,
    cause: [
      ["payment_intent_id", s.id],
      ["refund_id", r.refund?.state.id ?? null],
    ],
  });
}

/** Whose invoice: a tenant row's owner columns and its organization. */
export interface InvoiceTenant {
  partner_id: string;
  livemode: boolean;
  /**
   * ANY_ORGANIZATION: the invoice's own, whichever it is (a counter payment recorded without
   * X-Entity-Id); the rows read here hang off the invoice's id, and what is written takes the
   * organization from the invoice's row.
   */
  organization_id: OrganizationScope;
}

export interface InvoiceRecomputeInput {
  tenant: InvoiceTenant;
  invoiceId: string;
  /** When: the event's and audit entry's time, and the invoice's paid_at if this makes it paid (unless `paidAt`). */
  at: string;
  /** The Paris date: a past due date makes an invoice left with nothing paid overdue. */
  today: string;
  /** Ids minted by the caller: a replay with the same ids writes nothing twice. */
  eventId: string;
  auditId: string;
  actor: { id: string; type: string };
  requestId: string | null;
  /** What moved the money, in the audit entry's `after` (`payment_intent_id`, `refund_id`, `payment_id`…), in this order. */
  cause: [string, string | null][];
  /** The invoice's paid_at if this makes it paid: default `at` (an offline payment's is when it was received). */
  paidAt?: string;
  /** Also required for any write (e.g. the offline payment this batch inserts exists): a refused change writes nothing. */
  guard?: SQL;
}

/**
 * The invoice's amounts and status recomputed from the ledger, as three statements for the
 * batch that moved the money (a payment intent's projection, an offline payment and its void):
 * `invoice.status_changed` and its audit entry are written only if the status actually changes,
 * the invoice only if its amounts do.
 */
export function invoiceRecomputeStatements(db: Db, x: InvoiceRecomputeInput) {
  const t = x.tenant;
  const paid = paidOn(t);
  const credited = creditedOn(t);
  // What the payer owes in all (shared decision of issue 12): the total less the deposits it deducts and its credit notes.
  const payable = sql`(${invoices.total_amount} - ${invoices.deposits_amount} - ${credited})`;
  const next = invoiceStatusAfterMoneySql({ status: invoices.status, paid, total: payable, dueDate: invoices.due_date, today: x.today });
  const theInvoice = and(eq(invoices.id, x.invoiceId), scoped(t, invoices, t.organization_id), x.guard);
  const changed = sql`${theInvoice} AND ${next} != ${invoices.status}`;
  const cause = sql.join(
    x.cause.map(([key, value]) => sql`, ${key}, ${value}`),
    sql``,
  );
  return [
    // In the columns' order: …, data, data_encrypted (NULL: this payload carries no personal data,
    // so nothing to seal), data_expired_at, created_at, enqueued_at.
    // tenancy-exempt: the owner columns are copied from the invoice row selected under scoped().
    db
      .insert(events)
      .select(
        sql`SELECT ${x.eventId}, ${invoices.partner_id}, ${invoices.livemode}, ${invoices.organization_id}, 'invoice.status_changed',
          json_object('invoice_id', ${invoices.id}, 'previous_status', ${invoices.status}, 'current_status', ${next},
            'invoice', json_object('id', ${invoices.id}, 'object', 'invoice', 'invoice_number', ${invoices.invoice_number}, 'status', ${next},
              'currency', ${invoices.currency}, 'total_amount', ${invoices.total_amount}, 'credited_amount', ${credited}, 'amount_paid', ${paid},
              'amount_due', ${payable} - ${paid}, 'version', ${invoices.version} + 1)),
          NULL, NULL, ${x.at}, NULL FROM ${invoices} WHERE ${changed}`,
      )
      .onConflictDoNothing(),
    // tenancy-exempt: the owner columns are copied from the invoice row selected under scoped().
    db
      .insert(auditLogs)
      .select(
        sql`SELECT ${x.auditId}, ${invoices.partner_id}, ${invoices.livemode}, ${invoices.organization_id}, 'invoice', ${invoices.id}, 'status_changed',
          ${x.actor.id}, ${x.actor.type}, NULL, ${x.requestId},
          json_object('before', json_object('status', ${invoices.status}, 'amount_paid', ${invoices.amount_paid}),
                      'after', json_object('status', ${next}, 'amount_paid', ${paid}${cause})),
          ${x.at}, ${auditSequence(sql`${invoices.partner_id}`, sql`${invoices.livemode}`)}, NULL, NULL, NULL FROM ${invoices} WHERE ${changed}`,
      )
      .onConflictDoNothing(),
    db
      .update(invoices)
      .set({
        status: next as unknown as "paid",
        amount_paid: paid as unknown as number,
        credited_amount: credited as unknown as number,
        amount_due: sql`${payable} - ${paid}` as unknown as number,
        paid_at: sql`CASE WHEN ${next} = 'paid' THEN coalesce(${invoices.paid_at}, ${x.paidAt ?? x.at}) ELSE NULL END` as unknown as string,
        version: sql`${invoices.version} + 1` as unknown as number,
        updated_at: x.at,
      })
      .where(and(theInvoice, sql`(${invoices.amount_paid} != ${paid} OR ${invoices.credited_amount} != ${credited})`)),
  ];
}

/**
 * Runs the projection of one record; returns the ids of the events this run wrote (a replay
 * writes none), for the caller to publish.
 */
export async function project(db: Db, r: ProjectionRecord): Promise<string[]> {
  return (await projectReading(db, r)).written;
}

/** `project`, and with `readLink` the intent's link as the batch leaves it (null: no such link). */
export async function projectReading(db: Db, r: ProjectionRecord, options: { readLink?: boolean } = {}): Promise<{ written: string[]; link: PaymentLinkRow | null }> {
  const { statements, eventsAt } = projectionStatements(db, r);
  // A revocation answers with its link as this very batch leaves it: read at its end, no second round trip.
  const s = r.intent;
  const readLink = options.readLink ? [db.select().from(paymentLinks).where(and(eq(paymentLinks.id, s.payment_link_id), scoped(s, paymentLinks, s.organization_id)))] : [];
  const results = await db.batch([...statements, ...readLink] as [BatchItem, ...BatchItem[]]);
  const written = Object.entries(eventsAt)
    .filter(([, at]) => changes(results[at]) === 1)
    .map(([id]) => id);
  return { written, link: options.readLink ? ((results.at(-1) as PaymentLinkRow[])[0] ?? null) : null };
}

export type PaymentLinkRow = typeof paymentLinks.$inferSelect;

/** A revocation's answer (the object's `revokeLink`): the intent, and the link as its projection left it (null: the caller reads it). */
export type LinkRevocationResult = (Extract<IntentResult, { ok: true }> & { link: PaymentLinkRow | null }) | Refusal;
