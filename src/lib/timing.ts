/**
 * Storage round trips of one request, reported in `Server-Timing` so the latency budget of
 * DESIGN.md §2 stays measurable: `d1-1;desc="batch(3)";dur=1.2, gate;desc="parallel";dur=0.8`.
 * Entries that ran in parallel with the main query are tagged so, and do not count as sequential.
 * Not hono/timing, not even for a total: it writes `dur` before `desc` and appends a `total`
 * entry, so the header that tests pin and partners parse would change shape; and its metrics need
 * the request's Context, which the D1 wrapper below does not have.
 */
export interface TimingEntry {
  name: string;
  desc: string;
  dur: number;
  parallel: boolean;
}

export class StorageTimer {
  readonly entries: TimingEntry[] = [];
  private d1Count = 0;

  async measure<T>(kind: "d1" | string, desc: string, work: () => Promise<T>, parallel = false): Promise<T> {
    const name = kind === "d1" ? `d1-${++this.d1Count}` : kind;
    const start = performance.now();
    try {
      return await work();
    } finally {
      this.entries.push({ name, desc, dur: performance.now() - start, parallel });
    }
  }

  /** Sequential round trips: the figure the latency budget is about. */
  get sequential(): number {
    return this.entries.filter((e) => !e.parallel).length;
  }

  header(): string {
    const parts = this.entries.map(
      (e) => `${e.name};desc="${e.desc}${e.parallel ? " (parallel)" : ""}";dur=${e.dur.toFixed(2)}`,
    );
    parts.push(`storage;desc="sequential round trips";dur=${this.sequential}`);
    return parts.join(", ");
  }
}

const realStatement = new WeakMap<object, D1PreparedStatement>();

class TimedStatement {
  constructor(
    private readonly stmt: D1PreparedStatement,
    private readonly timer: StorageTimer,
    private readonly sql: string,
  ) {
    realStatement.set(this, stmt);
  }

  bind(...values: unknown[]): TimedStatement {
    return new TimedStatement(this.stmt.bind(...values), this.timer, this.sql);
  }

  first<T>(col?: string): Promise<T | null> {
    return this.timer.measure("d1", verb(this.sql), () =>
      col === undefined ? this.stmt.first<T>() : this.stmt.first<T>(col),
    );
  }

  all<T>(): Promise<D1Result<T>> {
    return this.timer.measure("d1", verb(this.sql), () => this.stmt.all<T>());
  }

  run<T>(): Promise<D1Result<T>> {
    return this.timer.measure("d1", verb(this.sql), () => this.stmt.run<T>());
  }

  raw<T>(options?: { columnNames?: boolean }): Promise<T[]> {
    return this.timer.measure("d1", verb(this.sql), () =>
      options?.columnNames ? (this.stmt.raw<T>({ columnNames: true }) as unknown as Promise<T[]>) : this.stmt.raw<T>(),
    );
  }
}

function verb(sql: string): string {
  return (sql.trim().split(/\s+/, 1)[0] ?? "query").toLowerCase();
}

/** Wraps a D1 binding so that every round trip (query or batch) is timed; drizzle runs on top of it. */
export function timedD1(db: D1Database, timer: StorageTimer): D1Database {
  const wrapped = {
    prepare: (sql: string) => new TimedStatement(db.prepare(sql), timer, sql),
    batch: <T>(stmts: D1PreparedStatement[]) =>
      timer.measure("d1", `batch(${stmts.length})`, () =>
        db.batch<T>(stmts.map((s) => realStatement.get(s as object) ?? s)),
      ),
    exec: (sql: string) => timer.measure("d1", "exec", () => db.exec(sql)),
    dump: () => db.dump(),
    withSession: (constraint?: string) => db.withSession(constraint),
  };
  return wrapped as unknown as D1Database;
}
