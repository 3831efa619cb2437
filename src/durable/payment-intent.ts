import { DurableObject } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { createDb, type Db } from "../db/client";
import { paymentIntents, paymentLinks } from "../db/schema";
import { parisToday } from "../domain/dates";
import {
  publicIntent,
  transition,
  TransitionRefused,
  type IntentState,
  type IntentStatus,
  type PaymentMethod,
  type PublicIntent,
} from "../domain/payment-intent";
import type { Env } from "../env";
import { newId } from "../lib/ids";
import { refundSettlement } from "../providers";
import type { ProviderStep } from "../providers/types";
import { presentRefund, REFUNDABLE_INTENT_STATUSES, refundable, refundedStatus, type RefundState } from "../domain/refund";
import { markEnqueued, project, type ProjectionRecord } from "../services/payment-intents/project";
import { log } from "../lib/log";

export type Actor = ProjectionRecord["actor"];

/** Whose the intent must be for a call to reach it (another partner's, mode's or organization's: 404). */
export interface Tenant {
  partnerId: string;
  livemode: boolean;
  organizationId: string;
}

/** RPC answers are values, not exceptions: a refusal is part of the contract, not a crash. */
export type IntentResult =
  | { ok: true; intent: PublicIntent; allowed_methods: PaymentMethod[] }
  | { ok: false; code: string; message: string; status: 400 | 404 | 409 | 422 };

/** Every command names who acts and on whose behalf: the object refuses another tenant's call (404). */
interface CommandMeta {
  actor: Actor;
  requestId?: string | null;
  tenant: Tenant;
}

type Timer =
  | { kind: "expire" }
  | { kind: "provider_step"; attempt: number; step: ProviderStep }
  | { kind: "refund_settle"; refundId: string; outcome: "succeeded" | "failed" };

export type RefundResult =
  | { ok: true; refund: ReturnType<typeof presentRefund>; intent: PublicIntent }
  | { ok: false; code: string; message: string; status: 400 | 404 | 409 | 422 };

const MAX_RETRY_MS = 60_000;

/**
 * One object per payment intent, the source of truth for its state (DESIGN.md §2). Every
 * transition is one synchronous storage transaction that saves the new state, appends an
 * outbox record and arms the alarm; only then does the object talk to D1, projecting the
 * outbox there in one idempotent batch per record. If D1 is unreachable the alarm retries with
 * backoff, and the reconciliation cron asks stale intents to drain. Timers (link expiry,
 * provider settlement) share the one alarm.
 */
export class PaymentIntent extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec(`
        CREATE TABLE IF NOT EXISTS state (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, record TEXT NOT NULL, created_at INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS timers (id INTEGER PRIMARY KEY AUTOINCREMENT, due_at INTEGER NOT NULL, timer TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS refunds (id TEXT PRIMARY KEY, json TEXT NOT NULL, created_at INTEGER NOT NULL);
      `);
    });
  }

  /** The D1 handle projections go through (a seam for fault-injection tests). */
  protected projectionDb(): Db {
    return createDb(this.env.DB);
  }

  // ── RPC ──────────────────────────────────────────────────────────────────────────────

  /** Called right after the link and the intent's first D1 row were written. Idempotent. */
  async init(initial: IntentState): Promise<IntentResult> {
    if (!this.load()) {
      this.ctx.storage.transactionSync(() => {
        this.save(initial);
        if (initial.expires_at !== null) this.addTimer(initial.expires_at, { kind: "expire" });
      });
      await this.reschedule();
    }
    return this.answer();
  }

  async get(intentId: string, tenant: Tenant): Promise<IntentResult> {
    if (!(await this.ensure(intentId, tenant))) return notFound(intentId);
    await this.drain();
    return this.answer();
  }

  /**
   * The payer picks a method. `version` is the intent version the page was rendered for: a form
   * replayed after the intent moved on is refused (`stale_form`) and changes nothing.
   */
  async choose(intentId: string, input: { method: PaymentMethod; version: number } & CommandMeta): Promise<IntentResult> {
    return this.command(intentId, input, (s) => {
      if (!s.allowed_methods.includes(input.method)) throw new TransitionRefused("payment_method_not_allowed", `This link does not accept ${input.method}.`, 400);
      if (input.version !== s.version) throw new TransitionRefused("stale_form", "This form was already used; the page shows the payment's current state.");
      if (s.status === "pending") {
        if (s.selected_payment_method === input.method) return null;
        return { next: { ...s, selected_payment_method: input.method, version: s.version + 1, updated_at: nowIso() }, action: "method_changed" };
      }
      if (s.status !== "created" && s.status !== "failed") throw refusedFor(s.status);
      const next = transition(
        s,
        "pending",
        {
          selected_payment_method: input.method,
          attempt: s.attempt + 1,
          failure_code: null,
          failure_message: null,
          aiia_status: null,
          aiia_transaction_id: null,
          provider_status: null,
          provider: null,
          provider_reference: null,
        },
        nowIso(),
      );
      return { next, action: "status_changed" };
    });
  }

  /**
   * The provider's answer to the payer's authorization of the intent at `version` (pending):
   * the first step applies now (usually → processing), later ones are timers (settlement).
   * Submitting the same authorization twice finds the intent moved on: nothing moves twice.
   */
  async applyProviderSteps(
    intentId: string,
    input: { version: number; provider: string; reference: string; steps: ProviderStep[] } & CommandMeta,
  ): Promise<IntentResult> {
    return this.command(intentId, input, (s) => {
      if (input.version !== s.version || s.status !== "pending") {
        throw new TransitionRefused("stale_form", "This payment attempt was already submitted; the page shows its current state.");
      }
      const [first, ...later] = input.steps;
      if (!first) throw new TransitionRefused("no_provider_step", "The provider returned nothing to apply.", 422);
      const started = { ...s, provider: input.provider, provider_reference: input.reference };
      const now = Date.now();
      for (const step of later) this.addTimer(now + step.afterMs, { kind: "provider_step", attempt: s.attempt, step });
      return this.stepTransition(started, first);
    });
  }

  /** Link revoked by the partner, or expired: only before money is on its way. */
  async cancel(intentId: string, input: { reason: "revoked" | "expired" } & CommandMeta): Promise<IntentResult> {
    return this.command(intentId, input, (s) => {
      if (s.status === "canceled") return null;
      if (!["created", "pending", "failed"].includes(s.status)) throw refusedFor(s.status);
      return { next: transition(s, "canceled", {}, nowIso()), action: "status_changed", linkStatus: input.reason };
    });
  }

  /** Sandbox: drive an outcome through the same transitions a payer and the provider would. */
  async simulate(intentId: string, input: { outcome: SimulatedOutcome } & CommandMeta): Promise<IntentResult> {
    if (!(await this.ensure(intentId, input.tenant))) return notFound(intentId);
    const meta = { actor: input.actor, requestId: input.requestId ?? null, tenant: input.tenant };
    if (this.load()!.livemode) return { ok: false, code: "test_mode_only", message: "Simulations are for test-mode intents.", status: 409 };
    if (input.outcome === "expired") return this.cancel(intentId, { reason: "expired", ...meta });

    let s = this.load()!;
    const method = simulatedMethod(input.outcome, s);
    if (!s.allowed_methods.includes(method)) {
      return { ok: false, code: "payment_method_not_allowed", message: `Outcome ${input.outcome} needs ${method}, which this link does not accept.`, status: 400 };
    }
    const [first, ...rest] = simulatedSteps(input.outcome, s.status === "processing" ? (s.selected_payment_method ?? method) : method);
    if (s.status === "created" || s.status === "failed") {
      const chosen = await this.choose(intentId, { method, version: s.version, ...meta });
      if (!chosen.ok) return chosen;
      s = this.load()!;
    }
    if (s.status === "pending") {
      const started = await this.applyProviderSteps(intentId, {
        version: s.version,
        provider: s.selected_payment_method === "card" ? "sandbox_card" : "sandbox_bank",
        reference: `sbx-simulated-${s.attempt}`,
        steps: [first!],
        ...meta,
      });
      if (!started.ok) return started;
      return this.applyStepsNow(rest, meta);
    }
    if (s.status === "processing") return this.applyStepsNow(rest, meta);
    return { ok: false, code: "invalid_intent_transition", message: `A ${s.status} payment intent cannot be simulated to ${input.outcome}.`, status: 409 };
  }

  /**
   * Creates a refund, its balance check and its creation in one synchronous transaction: the
   * refunds not failed (pending included) never exceed what was received, however many requests
   * arrive at once. No amount means everything still refundable. `refundId` is minted by the
   * caller; a retry with the same id returns the same refund.
   */
  async refund(
    intentId: string,
    input: { refundId: string; amount?: number | undefined; reason: string | null } & CommandMeta,
  ): Promise<RefundResult> {
    if (!(await this.ensure(intentId, input.tenant))) return notFound(intentId);
    let created: RefundState | null = null;
    try {
      this.ctx.storage.transactionSync(() => {
        const existing = this.loadRefund(input.refundId);
        if (existing) {
          // The id derives from the Idempotency-Key: a retry of the same request finds the refund
          // it made; another request under that key (another amount or reason) must not get it.
          const others = this.loadRefunds().filter((r) => r.id !== existing.id);
          const asked = input.amount ?? refundable(this.load()!.amount_received, others);
          if (asked !== existing.amount || input.reason !== existing.reason) {
            throw new TransitionRefused("idempotency_key_reused", "This Idempotency-Key already made a refund with another amount or reason.", 422);
          }
          created = existing;
          return;
        }
        const s = this.load()!;
        if (!REFUNDABLE_INTENT_STATUSES.includes(s.status)) {
          throw new TransitionRefused("payment_intent_not_refundable", `Only a succeeded payment can be refunded; this one is ${s.status}.`, 409);
        }
        const remaining = refundable(s.amount_received, this.loadRefunds());
        const amount = input.amount ?? remaining;
        if (amount > remaining || amount <= 0) {
          throw new TransitionRefused(
            "amount_exceeds_refundable",
            remaining === 0
              ? "Nothing remains refundable on this payment: 0 cents (everything received is refunded or being refunded)."
              : `The refund (${amount} cents) exceeds what remains refundable on this payment: ${remaining} cents.`,
            422,
          );
        }
        const now = nowIso();
        // The money goes back through the payment's provider: the sandbox settles on a timer;
        // with no provider (live mode today) the refund stays pending and says why.
        const settlement = refundSettlement(
          { livemode: s.livemode, method: s.selected_payment_method ?? s.allowed_methods[0]! },
          { refundId: input.refundId, amount, currency: s.currency },
        );
        const refund: RefundState = {
          id: input.refundId,
          payment_intent_id: s.id,
          amount,
          currency: s.currency,
          status: "pending",
          reason: input.reason,
          failure_code: null,
          pending_reason: settlement.kind === "held" ? settlement.pendingReason : null,
          completed_at: null,
          version: 1,
          created_at: now,
          updated_at: now,
        };
        this.saveRefund(refund);
        if (settlement.kind === "settles_after") {
          this.addTimer(Date.now() + settlement.afterMs, { kind: "refund_settle", refundId: refund.id, outcome: settlement.outcome });
        }
        this.appendTransition(s, s, null, input.actor, input.requestId ?? null, null, {
          refund: {
            state: refund,
            event: { id: newId("event"), type: "refund.created", data: { refund_id: refund.id, refund: presentRefund(refund, s.livemode) } },
            audit: { id: newId("audit_log"), action: "created", before: null, after: presentRefund(refund, s.livemode) },
          },
          ledger_refund: null,
        });
        created = refund;
      });
    } catch (err) {
      if (err instanceof TransitionRefused) return { ok: false, code: err.code, message: err.message, status: err.httpStatus };
      throw err;
    }
    await this.drain();
    await this.reschedule();
    const s = this.load()!;
    return { ok: true, refund: presentRefund(this.loadRefund(created!.id)!, s.livemode), intent: publicIntent(s) };
  }

  /** Sandbox: settle a pending refund now, as succeeded or failed. */
  async settleRefund(intentId: string, input: { refundId: string; outcome: "succeeded" | "failed" } & CommandMeta): Promise<RefundResult> {
    if (!(await this.ensure(intentId, input.tenant))) return notFound(intentId);
    const s = this.load()!;
    if (s.livemode) return { ok: false, code: "test_mode_only", message: "Simulations are for test-mode refunds.", status: 409 };
    const refund = this.loadRefund(input.refundId);
    if (!refund) return { ok: false, code: "resource_missing", message: `No such refund: '${input.refundId}'.`, status: 404 };
    if (refund.status !== "pending") return { ok: false, code: "refund_not_pending", message: `The refund is already ${refund.status}.`, status: 409 };
    this.ctx.storage.transactionSync(() => this.settle(refund.id, input.outcome, input.actor, input.requestId ?? null));
    await this.drain();
    await this.reschedule();
    return { ok: true, refund: presentRefund(this.loadRefund(refund.id)!, s.livemode), intent: publicIntent(this.load()!) };
  }

  /** Drains the outbox now (reconciliation cron and tests). */
  async reconcile(intentId: string, tenant: Tenant): Promise<IntentResult> {
    return this.get(intentId, tenant);
  }

  override async alarm(): Promise<void> {
    const now = Date.now();
    const due = this.ctx.storage.sql
      .exec<{ id: number; timer: string }>("SELECT id, timer FROM timers WHERE due_at <= ? ORDER BY due_at, id", now)
      .toArray();
    for (const { id, timer } of due) {
      const t = JSON.parse(timer) as Timer;
      try {
        this.ctx.storage.transactionSync(() => {
          this.ctx.storage.sql.exec("DELETE FROM timers WHERE id = ?", id);
          this.fireTimer(t);
        });
      } catch (err) {
        if (!(err instanceof TransitionRefused)) throw err;
      }
    }
    await this.drain();
    await this.reschedule();
  }

  // ── transitions ─────────────────────────────────────────────────────────────────────

  private fireTimer(t: Timer): void {
    const s = this.load();
    if (!s) return;
    const system: Actor = { id: "payment-intent", type: "system" };
    if (t.kind === "expire") {
      if (["created", "pending", "failed"].includes(s.status)) {
        this.appendTransition(s, transition(s, "canceled", {}, nowIso()), "status_changed", system, null, "expired");
      } else if (s.status === "processing") {
        this.addTimer(Date.now() + 60_000, { kind: "expire" }); // decide once the transfer has settled
      }
      return;
    }
    if (t.kind === "refund_settle") {
      // A sandbox timer: it never settles a live refund, whatever armed it (no money moved).
      if (!s.livemode) this.settle(t.refundId, t.outcome, system, null);
      return;
    }
    if (t.attempt !== s.attempt || s.status !== "processing") return;
    const { next, action, linkStatus } = this.stepTransition(s, t.step);
    this.appendTransition(s, next, action, system, null, linkStatus ?? null);
  }

  private stepTransition(s: IntentState, step: ProviderStep): Transition {
    const now = nowIso();
    const patch: Partial<IntentState> = {
      provider_status: step.providerStatus,
      // The aiia_* fields describe an open-banking transfer; a card payment leaves them null.
      ...(step.aiiaStatus ? { aiia_status: step.aiiaStatus } : {}),
      ...(step.aiiaStatus && step.transactionId ? { aiia_transaction_id: step.transactionId } : {}),
    };
    if (step.intentStatus === "succeeded") {
      return { next: transition(s, "succeeded", { ...patch, amount_received: s.amount, completed_at: now }, now), action: "status_changed", linkStatus: "completed" };
    }
    if (step.intentStatus === "failed") {
      return {
        next: transition(s, "failed", { ...patch, failure_code: step.failureCode ?? "payment_failed", failure_message: step.failureMessage ?? null }, now),
        action: "status_changed",
      };
    }
    if (s.status === "processing") return { next: { ...s, ...patch, version: s.version + 1, updated_at: now }, action: "provider_update" };
    return { next: transition(s, "processing", patch, now), action: "status_changed" };
  }

  private async applyStepsNow(steps: ProviderStep[], meta: CommandMeta): Promise<IntentResult> {
    for (const step of steps) {
      const s = this.load()!;
      if (s.status !== "processing") break;
      const { next, action, linkStatus } = this.stepTransition(s, step);
      this.ctx.storage.transactionSync(() => this.appendTransition(s, next, action, meta.actor, meta.requestId ?? null, linkStatus ?? null));
    }
    await this.drain();
    await this.reschedule();
    return this.answer();
  }

  /**
   * Runs a command: decide from the current state (synchronously), persist state + outbox in
   * one transaction, then project. A refusal writes nothing.
   */
  private async command(intentId: string, meta: CommandMeta, decide: (s: IntentState) => Transition | null): Promise<IntentResult> {
    if (!(await this.ensure(intentId, meta.tenant))) return notFound(intentId);
    try {
      this.ctx.storage.transactionSync(() => {
        const s = this.load()!;
        const t = decide(s);
        if (t) this.appendTransition(s, t.next, t.action, meta.actor, meta.requestId ?? null, t.linkStatus ?? null);
      });
    } catch (err) {
      if (err instanceof TransitionRefused) return { ok: false, code: err.code, message: err.message, status: err.httpStatus };
      throw err;
    }
    await this.drain();
    await this.reschedule();
    return this.answer();
  }

  /** Inside a storage transaction: the new state and its outbox record. */
  private appendTransition(
    prev: IntentState,
    next: IntentState,
    action: string | null,
    actor: Actor,
    requestId: string | null,
    linkStatus: ProjectionRecord["link_status"],
    refund: Pick<ProjectionRecord, "refund" | "ledger_refund"> = { refund: null, ledger_refund: null },
  ): void {
    const at = refund.refund?.state.updated_at ?? next.updated_at;
    const statusChanged = prev.status !== next.status;
    const pub = publicIntent(next);
    const record: ProjectionRecord = {
      at,
      today: parisToday(),
      intent: next,
      previous_status: statusChanged ? prev.status : null,
      event: statusChanged
        ? {
            id: newId("event"),
            type: "payment_intent.status_changed",
            data: { payment_intent_id: next.id, previous_status: prev.status, current_status: next.status, payment_intent: pub },
          }
        : null,
      audit: action ? { id: newId("audit_log"), action, before: pick(publicIntent(prev)), after: pick(pub) } : null,
      actor,
      request_id: requestId,
      link_status: linkStatus,
      ledger: statusChanged && next.status === "succeeded"
        ? { id: `pay-${next.id.slice(3)}`, amount: next.amount_received, method: next.selected_payment_method!, paid_at: next.completed_at! }
        : null,
      ...refund,
      invoice_event_id: newId("event"),
      invoice_audit_id: newId("audit_log"),
    };
    this.save(next);
    this.ctx.storage.sql.exec("INSERT INTO outbox (record, created_at) VALUES (?, ?)", JSON.stringify(record), Date.now());
    // Armed with the record, in the same transaction: if the process dies before the drain that
    // follows lands it in D1 (and before reschedule() sets the real next alarm), this alarm drains
    // it after the restart. Without it, a refund on a paid intent committed here stayed invisible
    // in D1 and unsettled until something else woke the object (the cron only reconciles unpaid
    // intents). Found by `npm run soak`'s fault run.
    void this.ctx.storage.setAlarm(Date.now() + 2000);
  }

  /**
   * Inside a storage transaction: a pending refund settles. Succeeded: the intent's refunded
   * amount grows and its status follows (partially_refunded, refunded), the ledger entry too, and
   * the projection recomputes the invoice. Failed: the amount is released. Settling twice is a no-op.
   */
  private settle(refundId: string, outcome: "succeeded" | "failed", actor: Actor, requestId: string | null): void {
    const refund = this.loadRefund(refundId);
    const s = this.load();
    if (!refund || !s || refund.status !== "pending") return;
    const now = nowIso();
    const settled: RefundState = {
      ...refund,
      status: outcome,
      failure_code: outcome === "failed" ? "refund_failed" : null,
      pending_reason: null,
      completed_at: outcome === "succeeded" ? now : null,
      version: refund.version + 1,
      updated_at: now,
    };
    this.saveRefund(settled);
    let next = s;
    let ledgerRefund: ProjectionRecord["ledger_refund"] = null;
    if (outcome === "succeeded") {
      const refundedAmount = s.refunded_amount + refund.amount;
      const status = refundedStatus(s.amount_received, refundedAmount);
      next = transition(s, status, { refunded_amount: refundedAmount }, now);
      ledgerRefund = { refunded_amount: refundedAmount, status: status === "refunded" ? "refunded" : "partially_refunded" };
    }
    this.appendTransition(s, next, outcome === "succeeded" ? "refunded" : null, actor, requestId, null, {
      refund: {
        state: settled,
        event: {
          id: newId("event"),
          type: "refund.status_changed",
          data: { refund_id: refund.id, previous_status: "pending", current_status: outcome, refund: presentRefund(settled, s.livemode) },
        },
        audit: { id: newId("audit_log"), action: "status_changed", before: { status: "pending" }, after: { status: outcome, failure_code: settled.failure_code } },
      },
      ledger_refund: ledgerRefund,
    });
  }

  private loadRefunds(): RefundState[] {
    return this.ctx.storage.sql
      .exec<{ json: string }>("SELECT json FROM refunds ORDER BY created_at, id")
      .toArray()
      .map((r) => JSON.parse(r.json) as RefundState);
  }

  private loadRefund(id: string): RefundState | null {
    const row = this.ctx.storage.sql.exec<{ json: string }>("SELECT json FROM refunds WHERE id = ?", id).toArray()[0];
    return row ? (JSON.parse(row.json) as RefundState) : null;
  }

  private saveRefund(r: RefundState): void {
    this.ctx.storage.sql.exec(
      "INSERT INTO refunds (id, json, created_at) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET json = excluded.json",
      r.id,
      JSON.stringify(r),
      Date.parse(r.created_at),
    );
  }

  // ── projection ──────────────────────────────────────────────────────────────────────

  /** Projections of outbox records in flight in this instance, shared by concurrent drains. */
  private readonly projecting = new Map<number, Promise<boolean>>();

  /**
   * Projects every outbox record in order; stops at the first failure and lets the alarm retry.
   * Commands interleave while a drain awaits D1, so several drains can run: a record another
   * drain is already projecting is awaited, not projected again. Each record thus costs one
   * batch and publishes its events once, and every caller returns only once its records are in D1.
   */
  private async drain(): Promise<void> {
    const rows = this.ctx.storage.sql.exec<{ seq: number; record: string }>("SELECT seq, record FROM outbox ORDER BY seq").toArray();
    for (const { seq, record } of rows) {
      let projection = this.projecting.get(seq);
      if (!projection) {
        projection = this.projectOne(seq, record).finally(() => this.projecting.delete(seq));
        this.projecting.set(seq, projection);
      }
      if (!(await projection)) return;
    }
  }

  /** Projects one record; on failure leaves it in the outbox and arms the retry. */
  private async projectOne(seq: number, record: string): Promise<boolean> {
    const r = JSON.parse(record) as ProjectionRecord;
    let written: string[];
    try {
      written = await project(this.projectionDb(), r);
    } catch (err) {
      const failures = Number(this.meta("projection_failures") ?? "0") + 1;
      this.setMeta("projection_failures", String(failures));
      this.setMeta("retry_at", String(Date.now() + Math.min(500 * 2 ** failures, MAX_RETRY_MS)));
      log.warn("payment intent projection failed; alarm will retry", { request_id: r.request_id, payment_intent_id: r.intent.id, version: r.intent.version, error: err });
      return false;
    }
    this.ctx.storage.sql.exec("DELETE FROM outbox WHERE seq = ?", seq);
    this.setMeta("projection_failures", "0");
    await this.publish(written);
    return true;
  }

  /** Hands written events to the webhooks queue; the outbox relay cron covers a failure here. */
  private async publish(eventIds: string[]): Promise<void> {
    if (eventIds.length === 0) return;
    try {
      await this.env.WEBHOOKS.sendBatch(eventIds.map((id) => ({ body: { event_id: id } })));
      await markEnqueued(this.projectionDb(), this.load()!, eventIds, nowIso());
    } catch (err) {
      log.warn("event publish deferred to the relay", { error: err });
    }
  }

  /** One alarm for everything: the next timer, or the projection retry while the outbox is not empty. */
  private async reschedule(): Promise<void> {
    const nextTimer = this.ctx.storage.sql.exec<{ t: number | null }>("SELECT min(due_at) AS t FROM timers").one().t;
    const pending = this.ctx.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM outbox").one().n > 0;
    const retryAt = pending ? Number(this.meta("retry_at") ?? Date.now()) : null;
    const candidates = [nextTimer, retryAt].filter((t): t is number => t !== null);
    if (candidates.length === 0) {
      await this.ctx.storage.deleteAlarm();
      return;
    }
    await this.ctx.storage.setAlarm(Math.min(...candidates));
  }

  // ── storage ─────────────────────────────────────────────────────────────────────────

  private load(): IntentState | null {
    const row = this.ctx.storage.sql.exec<{ json: string }>("SELECT json FROM state WHERE id = 1").toArray()[0];
    return row ? (JSON.parse(row.json) as IntentState) : null;
  }

  private save(s: IntentState): void {
    this.ctx.storage.sql.exec("INSERT INTO state (id, json) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET json = excluded.json", JSON.stringify(s));
  }

  private addTimer(dueAt: number, timer: Timer): void {
    this.ctx.storage.sql.exec("INSERT INTO timers (due_at, timer) VALUES (?, ?)", dueAt, JSON.stringify(timer));
  }

  private meta(key: string): string | null {
    return this.ctx.storage.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0]?.value ?? null;
  }

  private setMeta(key: string, value: string): void {
    this.ctx.storage.sql.exec("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", key, value);
  }

  /**
   * An object created before its init call landed (the worker died in between) initializes
   * itself from its D1 row, which is written first. Either way the caller's tenant must be the
   * intent's (partner, mode, organization), or the object answers as if it did not exist.
   */
  private async ensure(intentId: string, tenant: Tenant): Promise<boolean> {
    if (this.load()) return this.load()!.id === intentId && this.belongsTo(tenant);
    const db = this.projectionDb();
    const [row] = await db
      .select({ intent: paymentIntents, methods: paymentLinks.payment_methods, expires_at: paymentLinks.expires_at })
      .from(paymentIntents)
      .innerJoin(paymentLinks, eq(paymentLinks.id, paymentIntents.payment_link_id))
      .where(
        and(
          eq(paymentIntents.id, intentId),
          eq(paymentIntents.partner_id, tenant.partnerId),
          eq(paymentIntents.livemode, tenant.livemode),
          eq(paymentIntents.organization_id, tenant.organizationId),
        ),
      );
    if (!row) return false;
    const i = row.intent;
    await this.init({
      id: i.id,
      partner_id: i.partner_id,
      livemode: i.livemode,
      organization_id: i.organization_id,
      invoice_id: i.invoice_id,
      payment_link_id: i.payment_link_id,
      amount: i.amount,
      currency: i.currency,
      status: i.status as IntentStatus,
      allowed_methods: row.methods,
      selected_payment_method: i.selected_payment_method as PaymentMethod | null,
      provider: i.provider,
      provider_reference: null,
      aiia_status: i.aiia_status as IntentState["aiia_status"],
      aiia_transaction_id: i.aiia_transaction_id,
      provider_status: i.provider_status,
      amount_received: i.amount_received,
      refunded_amount: i.refunded_amount,
      failure_code: i.failure_code,
      failure_message: i.failure_message,
      completed_at: i.completed_at,
      expires_at: row.expires_at ? Date.parse(row.expires_at) : null,
      attempt: 0,
      version: i.version,
      created_at: i.created_at,
      updated_at: i.updated_at,
    });
    return true;
  }

  /** The object checks its caller's tenant itself, so a worker needs no D1 read before calling it. */
  private belongsTo(t: Tenant): boolean {
    const s = this.load()!;
    return s.partner_id === t.partnerId && s.livemode === t.livemode && s.organization_id === t.organizationId;
  }

  private answer(): IntentResult {
    const s = this.load()!;
    return { ok: true, intent: publicIntent(s), allowed_methods: s.allowed_methods };
  }
}

interface Transition {
  next: IntentState;
  action: string;
  linkStatus?: ProjectionRecord["link_status"];
}

export type SimulatedOutcome = "succeeded" | "insufficient_funds" | "account_blocked" | "card_declined" | "expired";

/** The method a simulated outcome goes through: the payer's choice, else the link's first method. */
function simulatedMethod(outcome: Exclude<SimulatedOutcome, "expired">, s: IntentState): PaymentMethod {
  if (outcome === "card_declined") return "card";
  if (outcome === "account_blocked") return "sepa_credit";
  return s.selected_payment_method ?? s.allowed_methods[0]!;
}

function simulatedSteps(outcome: Exclude<SimulatedOutcome, "expired">, method: PaymentMethod): ProviderStep[] {
  if (outcome === "card_declined") {
    return [{ afterMs: 0, providerStatus: "declined", intentStatus: "failed", failureCode: "card_declined", failureMessage: "Paiement refusé par la banque émettrice." }];
  }
  if (method === "card") {
    return outcome === "succeeded"
      ? [
          { afterMs: 0, providerStatus: "authorized", intentStatus: "processing" },
          { afterMs: 0, providerStatus: "captured", intentStatus: "succeeded" },
        ]
      : [{ afterMs: 0, providerStatus: "declined", intentStatus: "failed", failureCode: outcome, failureMessage: "Fonds insuffisants." }];
  }
  const initiated: ProviderStep = { afterMs: 0, aiiaStatus: "initiated", providerStatus: "initiated", intentStatus: "processing", transactionId: `aiia-tx-sim-${Date.now()}` };
  if (outcome === "succeeded") {
    return [initiated, { afterMs: 0, aiiaStatus: "authorized", providerStatus: "authorized", intentStatus: "processing" }, { afterMs: 0, aiiaStatus: "settled", providerStatus: "settled", intentStatus: "succeeded" }];
  }
  return [
    initiated,
    {
      afterMs: 0,
      aiiaStatus: "rejected",
      providerStatus: "rejected",
      intentStatus: "failed",
      failureCode: outcome,
      failureMessage: outcome === "insufficient_funds" ? "Fonds insuffisants sur le compte du payeur." : "Le compte du payeur est bloqué.",
    },
  ];
}

function refusedFor(status: IntentStatus): TransitionRefused {
  if (status === "processing") return new TransitionRefused("payment_processing", "The payment is being processed; it can no longer be changed or revoked.");
  if (status === "succeeded" || status === "partially_refunded" || status === "refunded") {
    return new TransitionRefused("payment_completed", "The payment has already succeeded.");
  }
  return new TransitionRefused("payment_intent_canceled", "The payment link was revoked or has expired.");
}

function notFound(intentId: string): { ok: false; code: string; message: string; status: 404 } {
  return { ok: false, code: "resource_missing", message: `No such payment_intent: '${intentId}'.`, status: 404 };
}

/** The fields an audit entry of an intent keeps. */
function pick(p: PublicIntent) {
  return {
    status: p.status,
    selected_payment_method: p.selected_payment_method,
    aiia_status: p.aiia_status,
    provider_status: p.provider_status,
    failure_code: p.failure_code,
    version: p.version,
  };
}

function nowIso(): string {
  return new Date().toISOString();
}
