import type { Db } from "../../db/client";
import { projectReading, type PaymentLinkRow, type ProjectionRecord } from "../../db/projection/payment-intent";
import type { Env } from "../../env";
import { log } from "../../lib/log";
import { publishEventIds } from "../../queues/publish";
import type { IntentStore } from "./store";

/** The longest wait between two projection attempts while D1 is down. */
const MAX_RETRY_MS = 60_000;

/** Backoff of the projection retry: 1 s, 2 s, 4 s … up to a minute. */
export function retryDelay(failures: number): number {
  return Math.min(500 * 2 ** failures, MAX_RETRY_MS);
}

export interface OutboxDeps {
  /** Read at each use, so a test can point the object's projections elsewhere. */
  db: () => Db;
  queue: () => Env["WEBHOOKS"];
  now: () => number;
  /**
   * Work that must not hold the caller's answer: handing written events to the webhooks queue
   * (a queue send and a D1 write). The object's `ctx.waitUntil`; awaited where not given.
   */
  defer?: (work: Promise<unknown>) => void;
  /** Where the publish marks events enqueued: off the object's D1 session, whose bookmark its answers carry (default: `db`). */
  publishDb?: () => Db;
}

/**
 * Drives the object's outbox to D1: projects each record in one idempotent batch, in order,
 * publishes the events it wrote, and keeps the one alarm set to the next timer or the retry.
 */
export class OutboxDriver {
  /** Projections of outbox records in flight in this instance, shared by concurrent drains. */
  private readonly projecting = new Map<number, Promise<boolean>>();
  /**
   * Requests (by request id) that want their link as their record's projection leaves it (a
   * revocation answers with it), and the rows read for them until taken.
   */
  private readonly linkWanted = new Set<string>();
  private readonly linkRead = new Map<string, PaymentLinkRow | null>();

  /** The next projection of a record of `requestId` also reads its link back, in the same batch. */
  wantLink(requestId: string): void {
    this.linkWanted.add(requestId);
  }

  /** The link read by that projection (undefined when none ran: no change, or D1 failed); forgets the request. */
  takeLink(requestId: string): PaymentLinkRow | null | undefined {
    this.linkWanted.delete(requestId);
    const row = this.linkRead.get(requestId);
    this.linkRead.delete(requestId);
    return row;
  }

  constructor(
    private readonly store: IntentStore,
    private readonly deps: OutboxDeps,
  ) {}

  /**
   * Projects every outbox record in order; stops at the first failure and lets the alarm retry.
   * Commands interleave while a drain awaits D1, so several drains can run: a record another
   * drain is already projecting is awaited, not projected again. Each record thus costs one
   * batch and publishes its events once, and every caller returns only once its records are in D1.
   */
  async drain(): Promise<void> {
    for (const { seq, record } of this.store.outbox()) {
      let projection = this.projecting.get(seq);
      if (!projection) {
        projection = this.projectOne(seq, record).finally(() => this.projecting.delete(seq));
        this.projecting.set(seq, projection);
      }
      if (!(await projection)) return;
    }
  }

  /** After a change: land it in D1, then set the alarm for what remains. */
  async flush(): Promise<void> {
    await this.drain();
    await this.reschedule();
  }

  /** One alarm for everything: the next timer, or the projection retry while the outbox is not empty. */
  async reschedule(): Promise<void> {
    const nextTimer = this.store.nextTimerAt();
    const retryAt = this.store.hasOutbox() ? Number(this.store.meta("retry_at") ?? this.deps.now()) : null;
    const candidates = [nextTimer, retryAt].filter((t): t is number => t !== null);
    await this.store.setAlarm(candidates.length === 0 ? null : Math.min(...candidates));
  }

  /** Projects one record; on failure leaves it in the outbox and arms the retry. */
  private async projectOne(seq: number, record: string): Promise<boolean> {
    const r = JSON.parse(record) as ProjectionRecord;
    let written: string[];
    try {
      const readLink = r.request_id !== null && this.linkWanted.has(r.request_id);
      const projected = await projectReading(this.deps.db(), r, { readLink });
      written = projected.written;
      if (readLink) this.linkRead.set(r.request_id!, projected.link);
    } catch (err) {
      const failures = Number(this.store.meta("projection_failures") ?? "0") + 1;
      this.store.setMeta("projection_failures", String(failures));
      this.store.setMeta("retry_at", String(this.deps.now() + retryDelay(failures)));
      log.warn("payment intent projection failed; alarm will retry", { request_id: r.request_id, payment_intent_id: r.intent.id, version: r.intent.version, error: err });
      return false;
    }
    this.store.deleteFromOutbox(seq);
    this.store.setMeta("projection_failures", "0");
    // The change is in D1: the caller may answer. Its events reach the queue just after (a
    // send lost here is relayed by the outbox cron once 30 s old), so neither the queue send nor
    // the enqueued_at write is a sequential round trip of the request (issue 16 §2).
    const published = this.publish(written);
    if (this.deps.defer) this.deps.defer(published);
    else await published;
    return true;
  }

  /** Hands written events to the webhooks queue; the outbox relay cron covers a failure here. */
  private async publish(eventIds: string[]): Promise<void> {
    if (eventIds.length === 0) return;
    try {
      const s = this.store.state()!;
      await publishEventIds({ queue: this.deps.queue(), db: (this.deps.publishDb ?? this.deps.db)() }, eventIds, { tenant: s, organization: s.organization_id }, new Date(this.deps.now()).toISOString());
    } catch (err) {
      log.warn("event publish deferred to the relay", { error: err });
    }
  }
}
