import { DurableObject } from "cloudflare:workers";
import { createDb, type Db } from "../db/client";
import type { ProjectionRecord } from "../db/projection/payment-intent";
import {
  applyProviderStep,
  cancelByPartner,
  cancelIntent,
  captureIntent,
  choosePaymentMethod,
  expireHold,
  expireIntent,
  providerStepDue,
  publicIntent,
  startProviderSteps,
  TransitionRefused,
  type CancelReason,
  type IntentChange,
  type IntentState,
  type PaymentMethod,
  type ProviderStep,
} from "../domain/payment-intent";
import {
  belongsTo,
  notFound,
  refusalOf,
  type Actor,
  type CommandMeta,
  type IntentResult,
  type RefundResult,
  type Refusal,
  type SimulatedOutcome,
  type Tenant,
} from "../domain/payment-intent-rpc";
import { newRefund, presentRefund, requestRefund, settleRefund, type RefundInvoice, type RefundOutcome, type RefundType } from "../domain/refund";
import type { Env } from "../env";
import { withLatencyModel } from "../lib/latency-model";
import { log } from "../lib/log";
import { refundSettlement } from "../providers";
import { planSimulation, simulatedProvider, simulatedReference } from "../providers/sandbox-simulation";
import { OutboxDriver } from "./payment-intent/outbox";
import type { LinkRevocationResult, PaymentLinkRow } from "../db/projection/payment-intent";
import { creditNoteCreated, refundCreated, refundSettled, transitionRecord } from "./payment-intent/record";
import { intentFromD1 } from "./payment-intent/recover";
import { IntentStore, type Timer } from "./payment-intent/store";

/** Who the audit trail names for what the object does on its own (timers). */
const SYSTEM: Actor = { id: "payment-intent", type: "system" };

/** Who acts in a change, and for which request. */
type Who = Pick<CommandMeta, "actor" | "requestId">;

/**
 * One object per payment intent, the source of truth for its state (DESIGN.md §2). Every
 * transition is one synchronous storage transaction that saves the new state, appends an
 * outbox record and arms the alarm; only then does the object talk to D1, projecting the
 * outbox there in one idempotent batch per record. If D1 is unreachable the alarm retries with
 * backoff, and the reconciliation cron asks stale intents to drain. Timers (link expiry,
 * provider settlement, sandbox refund settlement) share the one alarm.
 *
 * What to decide is domain/payment-intent.ts and domain/refund.ts; the storage is
 * payment-intent/store.ts; the way to D1 is payment-intent/outbox.ts. This class holds the RPC
 * methods and the alarm that tie them together.
 */
export class PaymentIntent extends DurableObject<Env> {
  private readonly store: IntentStore;
  private readonly outbox: OutboxDriver;

  constructor(ctx: DurableObjectState, env: Env) {
    // Its projections' D1 round trips take the bench's modeled latency too (src/lib/latency-model.ts).
    super(ctx, withLatencyModel(env));
    this.store = new IntentStore(ctx.storage);
    this.outbox = new OutboxDriver(this.store, {
      db: () => this.projectionDb(),
      queue: () => this.env.WEBHOOKS,
      now: () => this.now(),
      defer: (work) => ctx.waitUntil(work),
      publishDb: () => createDb(this.env.DB),
    });
    ctx.blockConcurrencyWhile(async () => this.store.setUp());
  }

  /**
   * The object's D1 session (read replication): opened on the primary, where its projections are
   * written, and kept for the object's life, so its reads are never older than its writes. Its
   * bookmark goes back in every RPC answer (`d1_bookmark`) for the API response's X-D1-Bookmark.
   */
  private d1Session: D1DatabaseSession | null = null;

  /** The D1 handle projections go through (a seam for fault-injection tests). */
  protected projectionDb(): Db {
    this.d1Session ??= this.env.DB.withSession("first-primary");
    return createDb(this.d1Session as unknown as D1Database);
  }

  /** The object's clock (a seam: tests move it to make timers due instead of waiting for them). */
  protected now(): number {
    return Date.now();
  }

  // ── RPC ──────────────────────────────────────────────────────────────────────────────

  /** Called right after the link and the intent's first D1 row were written. Idempotent. */
  async init(initial: IntentState): Promise<IntentResult> {
    if (!this.store.state()) {
      this.store.transaction(() => {
        this.store.saveState(initial);
        if (initial.expires_at !== null) this.store.addTimer(initial.expires_at, { kind: "expire" });
        // Recovered from D1 as a hold (its storage lost): its release at capture_before is still due.
        if (initial.status === "requires_capture" && initial.capture_before) this.store.addTimer(Date.parse(initial.capture_before), { kind: "hold_expire" });
      });
      await this.outbox.reschedule();
    }
    return this.answer();
  }

  async get(intentId: string, tenant: Tenant): Promise<IntentResult> {
    if (!(await this.ensure(intentId, tenant))) return notFound("payment_intent", intentId);
    await this.outbox.drain();
    return this.answer();
  }

  /**
   * The payer picks a method. `version` is the intent version the page was rendered for: a form
   * replayed after the intent moved on is refused (`stale_form`) and changes nothing.
   */
  async choose(intentId: string, input: { method: PaymentMethod; version: number } & CommandMeta): Promise<IntentResult> {
    return this.command(intentId, input, (s, now) => choosePaymentMethod(s, input, now));
  }

  /**
   * The provider's answer to the payer's authorization of the intent at `version` (pending):
   * the first step applies now (usually → processing), later ones are timers (settlement).
   */
  async applyProviderSteps(
    intentId: string,
    input: { version: number; provider: string; reference: string; steps: ProviderStep[] } & CommandMeta,
  ): Promise<IntentResult> {
    return this.command(intentId, input, (s, now) => {
      const { change, later } = startProviderSteps(s, input, now);
      for (const { dueAt, attempt, step } of later) this.store.addTimer(dueAt, { kind: "provider_step", attempt, step });
      return change;
    });
  }

  /** Link revoked by the partner, or expired: only before money is on its way. */
  async cancel(intentId: string, input: { reason: CancelReason } & CommandMeta): Promise<IntentResult> {
    return this.command(intentId, input, (s, now) => cancelIntent(s, input.reason, now));
  }

  /**
   * Revokes the intent's payment link (`DELETE /v1/payment_links/{id}`) without the caller reading
   * the link first: a link's intent is named by the link's id (`pairedId`), and the answer carries
   * the link as the projection batch that revoked it leaves it (read at the end of that batch).
   * `link` is absent when nothing was projected for this call — the intent was already canceled,
   * or D1 failed and the alarm will land it: the caller then reads the link itself. A link that is
   * not this intent's is not found.
   */
  async revokeLink(intentId: string, input: { linkId: string } & CommandMeta): Promise<LinkRevocationResult> {
    if (!(await this.ensure(intentId, input.tenant)) || this.store.state()!.payment_link_id !== input.linkId) return notFound("payment_link", input.linkId);
    const requestId = input.requestId ?? null;
    if (requestId !== null) this.outbox.wantLink(requestId);
    let link: PaymentLinkRow | null | undefined;
    let result: IntentResult;
    try {
      result = await this.command(intentId, input, (s, now) => cancelIntent(s, "revoked", now));
    } finally {
      // Taken whatever happened, so nothing is left waiting in the outbox driver.
      link = requestId === null ? undefined : this.outbox.takeLink(requestId);
    }
    return result.ok ? { ...result, link: link ?? null } : result;
  }

  /**
   * The partner captures a hold (at most the authorized amount, once). Only the captured amount
   * enters the ledger; the rest of the authorization is released.
   */
  async capture(intentId: string, input: { amount?: number | undefined } & CommandMeta): Promise<IntentResult> {
    return this.command(intentId, input, (s, now) => captureIntent(s, input, now));
  }

  /** The partner cancels: a hold is released; an intent the payer can still act on is canceled and its link revoked. */
  async cancelByPartner(intentId: string, input: CommandMeta): Promise<IntentResult> {
    return this.command(intentId, input, (s, now) => cancelByPartner(s, now));
  }

  /** Sandbox clock: a test-mode hold whose capture_before is at or before `asOf` (Unix ms) is released now. */
  async sweepHold(intentId: string, input: { asOf: number } & CommandMeta): Promise<IntentResult> {
    if (!(await this.ensure(intentId, input.tenant))) return notFound("payment_intent", intentId);
    if (this.store.state()!.livemode) return { ok: false, code: "test_mode_only", message: "The sandbox clock is for test-mode intents.", status: 409 };
    return this.command(intentId, input, (s) => {
      const change = expireHold(s, input.asOf);
      // The transition is stamped with the real time; the sandbox clock only decides that it is due.
      return change ? { ...change, next: { ...change.next, updated_at: new Date(this.now()).toISOString() } } : null;
    });
  }

  /** Sandbox: drive an outcome through the same transitions a payer and the provider would. */
  async simulate(intentId: string, input: { outcome: SimulatedOutcome } & CommandMeta): Promise<IntentResult> {
    if (!(await this.ensure(intentId, input.tenant))) return notFound("payment_intent", intentId);
    const meta = { actor: input.actor, requestId: input.requestId ?? null, tenant: input.tenant };
    // Defence in depth: the API refuses live credentials before calling.
    if (this.store.state()!.livemode) return { ok: false, code: "test_mode_only", message: "Simulations are for test-mode intents.", status: 409 };
    const plan = planSimulation(input.outcome, this.store.state()!, this.now());
    if (plan.kind === "expire") return this.cancel(intentId, { reason: "expired", ...meta });
    if (plan.kind === "refused") return plan.refusal;
    if (plan.choose) {
      const chosen = await this.choose(intentId, { method: plan.method, version: this.store.state()!.version, ...meta });
      if (!chosen.ok) return chosen;
    }
    const s = this.store.state()!;
    if (s.status === "pending") {
      const started = await this.applyProviderSteps(intentId, {
        version: s.version,
        provider: simulatedProvider(s.selected_payment_method),
        reference: simulatedReference(s),
        steps: [plan.first],
        ...meta,
      });
      if (!started.ok) return started;
      return this.applyStepsNow(plan.rest, meta);
    }
    if (s.status === "processing") return this.applyStepsNow(plan.rest, meta);
    // Moved on while we awaited (a revocation slipped in between): the simulation loses.
    return { ok: false, code: "invalid_intent_transition", message: `A ${s.status} payment intent cannot be simulated to ${input.outcome}.`, status: 409 };
  }

  /**
   * Creates a refund, its balance check and its creation in one synchronous transaction: the
   * refunds not failed (pending included) never exceed what was received, however many requests
   * arrive at once. No amount means everything still refundable. `refundId` is minted by the
   * caller; a retry with the same id returns the same refund. The type is the one asked, or the
   * default rule over `invoice` as the caller read it (it knows the invoice; this object does not).
   *
   * It answers once the refund is in this object's storage (with its outbox record and the
   * drain alarm, in the same transaction), before the record lands in D1: the request's storage
   * path is the gate, its read batch and this call, nothing nested (issue 16 §2). The projection
   * follows at once; if D1 fails, the alarm retries until it lands (the record is idempotent).
   * Until then `findRefund` answers the refund, and the refund id names this intent
   * (domain/refund.ts refundIdNaming) so that a read can find this object.
   */
  async refund(
    intentId: string,
    input: { refundId: string; amount?: number | undefined; reason: string | null; type?: RefundType | null; invoice?: RefundInvoice | null } & CommandMeta,
  ): Promise<RefundResult> {
    if (!(await this.ensure(intentId, input.tenant))) return notFound("payment_intent", intentId);
    const refused = this.transact(() => {
      const s = this.store.state()!;
      const now = this.now();
      const decided = requestRefund(s, this.store.refunds(), input);
      if (decided.kind === "existing") return;
      // The money goes back through the payment's provider: the sandbox settles on a timer;
      // with no provider (live mode today) the refund stays pending and says why.
      const settlement = refundSettlement(
        { livemode: s.livemode, method: s.selected_payment_method ?? s.allowed_methods[0]! },
        { refundId: input.refundId, amount: decided.amount, currency: s.currency },
      );
      const refund = newRefund(
        s,
        {
          id: input.refundId,
          amount: decided.amount,
          reason: input.reason,
          pendingReason: settlement.kind === "held" ? settlement.pendingReason : null,
          type: decided.type,
          creditBasis: decided.creditBasis,
        },
        now,
      );
      this.store.saveRefund(refund);
      if (settlement.kind === "settles_after") {
        this.store.addTimer(now + settlement.afterMs, { kind: "refund_settle", refundId: refund.id, outcome: settlement.outcome });
      }
      this.commit(s, { next: s, action: null, refund: { refund: refundCreated(refund, s.livemode), ledger_refund: null } }, input, now);
    });
    if (refused) return refused;
    this.ctx.waitUntil(this.flushAfterAnswer());
    const s = this.store.state()!;
    return { ok: true, refund: presentRefund(this.store.refund(input.refundId)!, s.livemode), intent: publicIntent(s), d1_bookmark: this.d1Bookmark() };
  }

  /**
   * A refund of this intent as the object has it, ahead of D1 (the read path's fallback while
   * its projection is in flight); another tenant's, or no such refund: not found.
   */
  async findRefund(intentId: string, input: { refundId: string; tenant: Tenant }): Promise<RefundResult> {
    if (!(await this.ensure(intentId, input.tenant))) return notFound("refund", input.refundId);
    const refund = this.store.refund(input.refundId);
    if (!refund) return notFound("refund", input.refundId);
    const s = this.store.state()!;
    return { ok: true, refund: presentRefund(refund, s.livemode), intent: publicIntent(s), d1_bookmark: this.d1Bookmark() };
  }

  /** Sandbox: settle a pending refund now, as succeeded or failed. */
  async settleRefund(intentId: string, input: { refundId: string; outcome: RefundOutcome } & CommandMeta): Promise<RefundResult> {
    if (!(await this.ensure(intentId, input.tenant))) return notFound("payment_intent", intentId);
    const s = this.store.state()!;
    if (s.livemode) return { ok: false, code: "test_mode_only", message: "Simulations are for test-mode refunds.", status: 409 };
    const refund = this.store.refund(input.refundId);
    if (!refund) return notFound("refund", input.refundId);
    if (refund.status !== "pending") return { ok: false, code: "refund_not_pending", message: `The refund is already ${refund.status}.`, status: 409 };
    this.store.transaction(() => this.settle(refund.id, input.outcome, input, this.now()));
    await this.outbox.flush();
    return { ok: true, refund: presentRefund(this.store.refund(refund.id)!, s.livemode), intent: publicIntent(this.store.state()!), d1_bookmark: this.d1Bookmark() };
  }

  /** Drains the outbox now (reconciliation cron and tests). */
  async reconcile(intentId: string, tenant: Tenant): Promise<IntentResult> {
    return this.get(intentId, tenant);
  }

  /** Fires the timers due (each in its own transaction), then lands their records and re-arms. */
  override async alarm(): Promise<void> {
    for (const { id, timer } of this.store.dueTimers(this.now())) {
      // A refused transition leaves its timer in place, as if it had not fired.
      this.transact(() => {
        this.store.deleteTimer(id);
        this.fireTimer(timer, this.now());
      });
    }
    await this.outbox.flush();
  }

  // ── inside ──────────────────────────────────────────────────────────────────────────

  private fireTimer(t: Timer, now: number): void {
    const s = this.store.state();
    if (!s) return;
    const who = { actor: SYSTEM, requestId: null };
    if (t.kind === "expire") {
      const expiry = expireIntent(s, now);
      if (expiry.kind === "cancel") this.commit(s, expiry.change, who, now);
      if (expiry.kind === "recheck") this.store.addTimer(expiry.at, { kind: "expire" });
      return;
    }
    if (t.kind === "hold_expire") {
      const change = expireHold(s, now);
      if (change) this.commit(s, change, who, now);
      return;
    }
    if (t.kind === "refund_settle") {
      // A sandbox timer: it never settles a live refund, whatever armed it (no money moved).
      if (!s.livemode) this.settle(t.refundId, t.outcome, who, now);
      return;
    }
    const change = providerStepDue(s, t, now);
    if (change) this.commit(s, change, who, now);
  }

  /** Inside a storage transaction: a pending refund settles (settling twice is a no-op). */
  private settle(refundId: string, outcome: RefundOutcome, who: Who, now: number): void {
    const refund = this.store.refund(refundId);
    const s = this.store.state();
    if (!refund || !s) return;
    const settled = settleRefund(s, refund, outcome, now);
    if (!settled) return;
    this.store.saveRefund(settled.refund);
    this.commit(
      s,
      {
        next: settled.next,
        action: outcome === "succeeded" ? "refunded" : null,
        refund: {
          refund: refundSettled(settled.refund, s.livemode),
          ledger_refund: settled.ledgerRefund,
          credit_note: settled.credited ? creditNoteCreated(settled.refund, settled.credited) : null,
        },
      },
      who,
      now,
    );
  }

  /** The projection after an answer already given: a failure is the alarm's to retry, never the caller's. */
  private async flushAfterAnswer(): Promise<void> {
    try {
      await this.outbox.flush();
    } catch (err) {
      // The record stays in the outbox; the drain alarm armed with it retries.
      log.warn("payment intent projection after the answer failed; alarm will retry", { payment_intent_id: this.store.state()?.id, error: err });
    }
  }

  private async applyStepsNow(steps: ProviderStep[], who: Who): Promise<IntentResult> {
    for (const step of steps) {
      const s = this.store.state()!;
      if (s.status !== "processing") break;
      const now = this.now();
      this.store.transaction(() => this.commit(s, applyProviderStep(s, step, now), who, now));
    }
    await this.outbox.flush();
    return this.answer();
  }

  /**
   * Runs a command: decide from the current state (synchronously), persist state + outbox in
   * one transaction, then project. A refusal writes nothing.
   */
  private async command(intentId: string, meta: CommandMeta, decide: (s: IntentState, now: number) => IntentChange | null): Promise<IntentResult> {
    if (!(await this.ensure(intentId, meta.tenant))) return notFound("payment_intent", intentId);
    const refused = this.transact(() => {
      const s = this.store.state()!;
      const now = this.now();
      const change = decide(s, now);
      if (change) this.commit(s, change, meta, now);
    });
    if (refused) return refused;
    await this.outbox.flush();
    return this.answer();
  }

  /** One storage transaction; a refused decision rolls it back and is answered as a value. */
  private transact(work: () => void): Refusal | null {
    try {
      this.store.transaction(work);
      return null;
    } catch (err) {
      if (err instanceof TransitionRefused) return refusalOf(err);
      throw err;
    }
  }

  /** Inside a storage transaction: the new state and its outbox record. */
  private commit(
    prev: IntentState,
    change: { next: IntentState; action: string | null; linkStatus?: IntentChange["linkStatus"]; refund?: Pick<ProjectionRecord, "refund" | "ledger_refund" | "credit_note"> },
    who: Who,
    now: number,
  ): void {
    const record = transitionRecord(
      prev,
      change.next,
      { action: change.action, actor: who.actor, requestId: who.requestId ?? null, linkStatus: change.linkStatus ?? null, ...(change.refund ? { refund: change.refund } : {}) },
      now,
    );
    this.store.commit(change.next, record, now);
    // A hold just authorized: its own end is a timer (the alarm releases it at capture_before).
    if (change.next.status === "requires_capture" && prev.status !== "requires_capture" && change.next.capture_before) {
      this.store.addTimer(Date.parse(change.next.capture_before), { kind: "hold_expire" });
    }
  }

  /**
   * Whether the caller may reach this intent. An object created before its init call landed
   * initializes itself from its D1 row, which is written first. Either way the caller's tenant
   * must be the intent's (partner, mode, organization), or the object answers as if it did not exist.
   */
  private async ensure(intentId: string, tenant: Tenant): Promise<boolean> {
    const s = this.store.state();
    if (s) return s.id === intentId && belongsTo(s, tenant);
    const recovered = await intentFromD1(this.projectionDb(), intentId, tenant);
    if (!recovered) return false;
    await this.init(recovered);
    return true;
  }

  private answer(): IntentResult {
    const s = this.store.state()!;
    return { ok: true, intent: publicIntent(s), allowed_methods: s.allowed_methods, d1_bookmark: this.d1Bookmark() };
  }

  private d1Bookmark(): string | null {
    return this.d1Session?.getBookmark() ?? null;
  }
}
