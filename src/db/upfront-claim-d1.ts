import { IdempotencyKeyHeld } from "../lib/errors";
import { isWriteSql } from "./claiming-d1";
import { aheadOfGate } from "./fenced-d1";

/**
 * The Idempotency-Key claim of the operations that act through a Durable Object
 * (middleware/idempotency.ts `claimsUpfront`): the key must be held before the object acts, and
 * the claim may take over an abandoned claim of the same request, so it is an upsert whose
 * outcome is read back rather than a plain insert that fails. It still costs no round trip of its
 * own when the operation reads D1 first in a batch (a refund reads the invoice): the claim's two
 * statements (the upsert, then the holder) ride in front of that read batch, and the batch's
 * results say whether the key is ours. Otherwise — a lone statement, a batch that writes (it
 * would run even if the upsert claimed nothing), or an object call first (`claimNow`, called by
 * `intentCall`) — the claim runs alone just before, as it always did. Once another request holds
 * the key, everything the request then tries throws `IdempotencyKeyHeld`: nothing runs.
 */

export type UpfrontOutcome<H> = { state: "none" } | { state: "claimed" } | { state: "held"; holder: H | undefined };

export interface UpfrontClaimD1<H> {
  d1: D1Database;
  /** Claims now, alone, unless a batch already carried the claim (before a Durable Object call). */
  claimNow(): Promise<void>;
  /** Waits for a claim in flight; then how it went. */
  settle(): Promise<UpfrontOutcome<H>>;
}

class UpfrontStatement {
  constructor(
    readonly inner: D1PreparedStatement,
    readonly writes: boolean,
    private readonly claimer: UpfrontClaimer<unknown>,
  ) {}

  bind(...values: unknown[]): UpfrontStatement {
    return new UpfrontStatement(this.inner.bind(...values), this.writes, this.claimer);
  }

  async first<T>(col?: string): Promise<T | null> {
    await this.claimer.claimNow();
    return col === undefined ? this.inner.first<T>() : this.inner.first<T>(col);
  }

  async all<T>(): Promise<D1Result<T>> {
    await this.claimer.claimNow();
    return this.inner.all<T>();
  }

  async run<T>(): Promise<D1Result<T>> {
    await this.claimer.claimNow();
    return this.inner.run<T>();
  }

  async raw<T>(options?: { columnNames?: boolean }): Promise<T[]> {
    await this.claimer.claimNow();
    return options?.columnNames ? (this.inner.raw<T>({ columnNames: true }) as unknown as Promise<T[]>) : this.inner.raw<T>();
  }
}

class UpfrontClaimer<H> {
  private outcome: UpfrontOutcome<H> = { state: "none" };
  private inFlight: Promise<unknown> | null = null;

  constructor(
    private readonly db: D1Database,
    /** The upsert (RETURNING the claim id when it claimed) and the select of the holder. */
    private readonly claim: (db: D1Database) => [D1PreparedStatement, D1PreparedStatement],
  ) {}

  /** Runs `statements` behind the claim's, or alone once the claim is settled. */
  private async carry(statements: D1PreparedStatement[]): Promise<D1Result[]> {
    for (;;) {
      if (this.outcome.state === "held") throw new IdempotencyKeyHeld();
      if (this.outcome.state === "claimed") return statements.length ? this.db.batch(statements) : [];
      if (this.inFlight === null) break;
      await this.inFlight.catch(() => undefined);
    }
    const attempt = (async () => {
      // In front of reads, the claim runs alongside the partner gate like them (a refused
      // caller's claim is released, db/fenced-d1.ts aheadOfGate); alone, it is a step of its own.
      const claim = this.claim(this.db).map((s) => (statements.length > 0 ? aheadOfGate(s) : s));
      const results = await this.db.batch([...claim, ...statements]);
      if ((results[0]!.results ?? []).length === 0) {
        this.outcome = { state: "held", holder: (results[1]!.results ?? [])[0] as H | undefined };
        throw new IdempotencyKeyHeld();
      }
      this.outcome = { state: "claimed" };
      return results.slice(claim.length);
    })();
    this.inFlight = attempt;
    try {
      return await attempt;
    } finally {
      this.inFlight = null;
    }
  }

  async claimNow(): Promise<void> {
    if (this.outcome.state === "claimed") return;
    await this.carry([]);
  }

  async batch(statements: D1PreparedStatement[]): Promise<D1Result[]> {
    const inner = statements.map((s) => (s instanceof UpfrontStatement ? s.inner : s));
    // A batch that writes runs only once the key is ours: an upsert that claimed nothing would not stop it.
    if (statements.some((s) => s instanceof UpfrontStatement && s.writes)) {
      await this.claimNow();
      return this.db.batch(inner);
    }
    return this.carry(inner);
  }

  async settle(): Promise<UpfrontOutcome<H>> {
    while (this.inFlight !== null) await this.inFlight.catch(() => undefined);
    return this.outcome;
  }
}

/** Wraps the request's client so that the key is claimed in front of its first batch, or alone before anything else. */
export function upfrontClaimD1<H>(db: D1Database, claim: (db: D1Database) => [D1PreparedStatement, D1PreparedStatement]): UpfrontClaimD1<H> {
  const claimer = new UpfrontClaimer<H>(db, claim);
  const d1 = {
    prepare: (sql: string) => new UpfrontStatement(db.prepare(sql), isWriteSql(sql), claimer as UpfrontClaimer<unknown>),
    batch: (statements: D1PreparedStatement[]) => claimer.batch(statements),
  };
  return { d1: d1 as unknown as D1Database, claimNow: () => claimer.claimNow(), settle: () => claimer.settle() };
}
