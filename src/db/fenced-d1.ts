import { isWriteSql } from "./claiming-d1";

/**
 * A D1 client whose writes wait for a fence — the partner gate's answer on a write request
 * (middleware/gate.ts) — while its reads go at once. A write operation usually reads before it
 * writes (the invoice it issues, the intent it refunds): those reads then run alongside the
 * gate's call instead of after it, and nothing is written until the gate has said the caller is
 * neither revoked nor throttled (the fence throws its refusal). A batch that holds a write waits
 * whole. Duck-typed like drizzle's client: prepare, bind, the statement methods, batch.
 */

export interface Fence {
  /** Resolves when writing is allowed; throws the gate's refusal. */
  wait(): Promise<void>;
  /** Notes that a read started before the gate answered (the gate then ran in parallel). */
  readStarted(): void;
}

class FencedStatement {
  constructor(
    readonly inner: D1PreparedStatement,
    readonly writes: boolean,
    readonly fence: Fence,
  ) {}

  bind(...values: unknown[]): FencedStatement {
    return new FencedStatement(this.inner.bind(...values), this.writes, this.fence);
  }

  private async before(): Promise<void> {
    if (this.writes) await this.fence.wait();
    else this.fence.readStarted();
  }

  async first<T>(col?: string): Promise<T | null> {
    await this.before();
    return col === undefined ? this.inner.first<T>() : this.inner.first<T>(col);
  }

  async all<T>(): Promise<D1Result<T>> {
    await this.before();
    return this.inner.all<T>();
  }

  async run<T>(): Promise<D1Result<T>> {
    await this.before();
    return this.inner.run<T>();
  }

  async raw<T>(options?: { columnNames?: boolean }): Promise<T[]> {
    await this.before();
    return options?.columnNames ? (this.inner.raw<T>({ columnNames: true }) as unknown as Promise<T[]>) : this.inner.raw<T>();
  }
}

/**
 * A statement that may run before the gate answers although it writes: the upfront
 * Idempotency-Key claim riding in front of an operation's read batch (db/upfront-claim-d1.ts),
 * so that the key costs no round trip of its own (issue 16 §2). It is bookkeeping, not the
 * operation's work: if the gate then refuses the caller, the idempotency middleware releases the
 * claim and keeps nothing (middleware/idempotency.ts), and nothing else was written.
 */
export function aheadOfGate(statement: D1PreparedStatement): D1PreparedStatement {
  return statement instanceof FencedStatement ? (new FencedStatement(statement.inner, false, statement.fence) as unknown as D1PreparedStatement) : statement;
}

export function fencedD1(db: D1Database, fence: Fence): D1Database {
  const d1 = {
    prepare: (sql: string) => new FencedStatement(db.prepare(sql), isWriteSql(sql), fence),
    batch: async <T>(statements: D1PreparedStatement[]): Promise<D1Result<T>[]> => {
      if (statements.some((s) => s instanceof FencedStatement && s.writes)) await fence.wait();
      else fence.readStarted();
      return db.batch<T>(statements.map((s) => (s instanceof FencedStatement ? s.inner : s)));
    },
  };
  return d1 as unknown as D1Database;
}
