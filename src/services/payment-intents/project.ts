import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client";
import { changes } from "../../db/guarded";
import { auditLogs, events, invoices, paymentIntents, paymentLinks, payments } from "../../db/schema";
import { publicIntent, type IntentState, type IntentStatus, type PaymentMethod } from "../../domain/payment-intent";

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
  audit: { id: string; action: string; before: Record<string, unknown> | null; after: Record<string, unknown> | null } | null;
  actor: { id: string; type: "partner" | "system" | "payer" };
  request_id: string | null;
  link_status: "completed" | "expired" | "revoked" | null;
  ledger: { id: string; amount: number; method: PaymentMethod; paid_at: string } | null;
  invoice_event_id: string;
  invoice_audit_id: string;
}

/** Money on the invoice according to the ledger: amount_paid is always derived, never added to. */
const paid = sql`(SELECT coalesce(sum(${payments.amount} - ${payments.refunded_amount}), 0) FROM ${payments} WHERE ${payments.invoice_id} = ${invoices.id})`;

function invoiceStatusAfter(today: string): SQL {
  return sql`(CASE WHEN ${paid} >= ${invoices.total_amount} THEN 'paid'
    WHEN ${paid} > 0 THEN 'partially_paid'
    WHEN ${invoices.status} IN ('paid', 'partially_paid') THEN (CASE WHEN ${invoices.due_date} < ${today} THEN 'overdue' ELSE 'issued' END)
    ELSE ${invoices.status} END)`;
}

/** The D1 row of an intent's state (its projection): the public fields plus the tenant and provider. */
export function intentRow(s: IntentState): typeof paymentIntents.$inferInsert {
  const { object: _object, ...fields } = publicIntent(s);
  return { ...fields, partner_id: s.partner_id, provider: s.provider };
}

/**
 * The D1 batch mirroring one transition. Idempotent and monotonic: the intent row only moves to
 * a higher version, events/audit/ledger rows are insert-or-ignore on ids minted in the object,
 * the link moves only from active, and the invoice's amounts are recomputed from the ledger,
 * its status event written only when its status actually changes.
 */
export function projectionStatements(db: Db, r: ProjectionRecord) {
  const s = r.intent;
  const row = intentRow(s);
  const { id: _id, created_at: _c, ...mutable } = row;
  const statements = [
    db
      .insert(paymentIntents)
      .values(row)
      .onConflictDoUpdate({ target: paymentIntents.id, set: mutable, setWhere: sql`excluded.version > ${paymentIntents.version}` }),
  ];
  const tenant = { partner_id: s.partner_id, livemode: s.livemode, organization_id: s.organization_id };
  const extra = [];
  if (r.event) {
    extra.push(db.insert(events).values({ id: r.event.id, ...tenant, type: r.event.type, data: r.event.data, created_at: r.at, enqueued_at: null }).onConflictDoNothing());
  }
  if (r.audit) {
    extra.push(
      db
        .insert(auditLogs)
        .values({
          id: r.audit.id,
          ...tenant,
          resource_type: "payment_intent",
          resource_id: s.id,
          action: r.audit.action,
          user_id: r.actor.id,
          user_type: r.actor.type,
          ip_address: null,
          request_id: r.request_id,
          changes: { before: r.audit.before, after: r.audit.after },
          created_at: r.at,
        })
        .onConflictDoNothing(),
    );
  }
  if (r.link_status) {
    extra.push(
      db
        .update(paymentLinks)
        .set({
          status: r.link_status,
          ...(r.link_status === "completed" ? { completed_at: r.at } : r.link_status === "revoked" ? { revoked_at: r.at } : {}),
          updated_at: r.at,
        })
        .where(and(eq(paymentLinks.id, s.payment_link_id), eq(paymentLinks.status, "active"))),
    );
  }
  if (r.ledger) {
    extra.push(
      db
        .insert(payments)
        .values({
          id: r.ledger.id,
          ...tenant,
          invoice_id: s.invoice_id,
          payment_intent_id: s.id,
          payment_link_id: s.payment_link_id,
          amount: r.ledger.amount,
          refunded_amount: 0,
          currency: s.currency,
          method: r.ledger.method,
          status: "completed",
          paid_at: r.ledger.paid_at,
          created_at: r.at,
          updated_at: r.at,
        })
        .onConflictDoNothing(),
    );
    extra.push(...invoiceRecompute(db, r));
  }
  return [...statements, ...extra] as const;
}

/** Index, in the projection batch, of the invoice event insert (to learn whether it was written). */
export function invoiceEventIndex(r: ProjectionRecord): number | null {
  if (!r.ledger) return null;
  return 1 + (r.event ? 1 : 0) + (r.audit ? 1 : 0) + (r.link_status ? 1 : 0) + 1;
}

function invoiceRecompute(db: Db, r: ProjectionRecord) {
  const next = invoiceStatusAfter(r.today);
  const changed = sql`${invoices.id} = ${r.intent.invoice_id} AND ${next} != ${invoices.status}`;
  return [
    db
      .insert(events)
      .select(
        sql`SELECT ${r.invoice_event_id}, ${invoices.partner_id}, ${invoices.livemode}, ${invoices.organization_id}, 'invoice.status_changed',
          json_object('invoice_id', ${invoices.id}, 'previous_status', ${invoices.status}, 'current_status', ${next},
            'invoice', json_object('id', ${invoices.id}, 'object', 'invoice', 'invoice_number', ${invoices.invoice_number}, 'status', ${next},
              'currency', ${invoices.currency}, 'total_amount', ${invoices.total_amount}, 'amount_paid', ${paid},
              'amount_due', ${invoices.total_amount} - ${paid}, 'version', ${invoices.version} + 1)),
          ${r.at}, NULL FROM ${invoices} WHERE ${changed}`,
      )
      .onConflictDoNothing(),
    db
      .insert(auditLogs)
      .select(
        sql`SELECT ${r.invoice_audit_id}, ${invoices.partner_id}, ${invoices.livemode}, ${invoices.organization_id}, 'invoice', ${invoices.id}, 'status_changed',
          ${r.actor.id}, ${r.actor.type}, NULL, ${r.request_id},
          json_object('before', json_object('status', ${invoices.status}, 'amount_paid', ${invoices.amount_paid}),
                      'after', json_object('status', ${next}, 'amount_paid', ${paid}, 'payment_intent_id', ${r.intent.id})),
          ${r.at} FROM ${invoices} WHERE ${changed}`,
      )
      .onConflictDoNothing(),
    db
      .update(invoices)
      .set({
        status: next as unknown as "paid",
        amount_paid: paid as unknown as number,
        amount_due: sql`${invoices.total_amount} - ${paid}` as unknown as number,
        paid_at: sql`CASE WHEN ${next} = 'paid' THEN coalesce(${invoices.paid_at}, ${r.at}) ELSE NULL END` as unknown as string,
        version: sql`${invoices.version} + 1` as unknown as number,
        updated_at: r.at,
      })
      .where(and(eq(invoices.id, r.intent.invoice_id), sql`${invoices.amount_paid} != ${paid}`)),
  ];
}

/** Runs the projection of one record; returns the ids of the events it wrote, to publish. */
export async function project(db: Db, r: ProjectionRecord): Promise<string[]> {
  const statements = projectionStatements(db, r);
  const results = await db.batch(statements as unknown as [(typeof statements)[number], ...(typeof statements)[number][]]);
  const written: string[] = [];
  if (r.event) written.push(r.event.id);
  const i = invoiceEventIndex(r);
  if (i !== null && changes(results[i]) === 1) written.push(r.invoice_event_id);
  return written;
}

/** Marks events as handed to the webhooks queue. */
export function markEnqueued(db: Db, ids: string[], at: string) {
  return db.update(events).set({ enqueued_at: at }).where(inArray(events.id, ids));
}
