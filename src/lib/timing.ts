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

  /** `parallel` may be decided when the work ends (the partner gate of a write: whether a read overlapped it). */
  async measure<T>(kind: "d1" | string, desc: string, work: () => Promise<T>, parallel: boolean | (() => boolean) = false): Promise<T> {
    const name = kind === "d1" ? `d1-${++this.d1Count}` : kind;
    const start = performance.now();
    try {
      return await work();
    } finally {
      this.entries.push({ name, desc, dur: performance.now() - start, parallel: typeof parallel === "function" ? parallel() : parallel });
    }
  }

  /**
   * The freshest D1 bookmark a Durable Object reported for this request: the object writes D1
   * through its own session, which the request's session cannot see. Kept here because the timer
   * already goes wherever a storage call is made (service and page contexts).
   */
  private objectBookmark: string | null = null;

  /** Notes a bookmark an object answered with (D1 bookmarks sort oldest to newest as strings). */
  sawBookmark(bookmark: unknown): void {
    if (typeof bookmark === "string" && bookmark !== "" && (this.objectBookmark === null || bookmark > this.objectBookmark)) this.objectBookmark = bookmark;
  }

  /** The later of the request's own session bookmark and the objects' (null if neither wrote or read). */
  latestBookmark(own: string | null): string | null {
    if (own === null) return this.objectBookmark;
    return this.objectBookmark !== null && this.objectBookmark > own ? this.objectBookmark : own;
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

type Trip = <T>(desc: string, work: () => Promise<T>) => Promise<T>;

class TimedStatement {
  constructor(
    private readonly stmt: D1PreparedStatement,
    private readonly trip: Trip,
    private readonly sql: string,
  ) {
    realStatement.set(this, stmt);
  }

  bind(...values: unknown[]): TimedStatement {
    return new TimedStatement(this.stmt.bind(...values), this.trip, this.sql);
  }

  first<T>(col?: string): Promise<T | null> {
    return this.trip(verb(this.sql), () => (col === undefined ? this.stmt.first<T>() : this.stmt.first<T>(col)));
  }

  all<T>(): Promise<D1Result<T>> {
    return this.trip(verb(this.sql), () => this.stmt.all<T>());
  }

  run<T>(): Promise<D1Result<T>> {
    return this.trip(verb(this.sql), () => this.stmt.run<T>());
  }

  raw<T>(options?: { columnNames?: boolean }): Promise<T[]> {
    return this.trip(verb(this.sql), () =>
      options?.columnNames ? (this.stmt.raw<T>({ columnNames: true }) as unknown as Promise<T[]>) : this.stmt.raw<T>(),
    );
  }
}

function verb(sql: string): string {
  return (sql.trim().split(/\s+/, 1)[0] ?? "query").toLowerCase();
}

/** What drizzle needs of D1: a binding, or a session of one (`withSession`), which has no exec or dump. */
export type D1Client = Pick<D1Database, "prepare" | "batch"> & Partial<Pick<D1Database, "exec" | "dump" | "withSession">>;

/**
 * Wraps a D1 binding or session so that every round trip (query or batch) is timed; drizzle runs
 * on top of it (it only calls prepare and batch). `refine` maps a round trip's failure to the
 * error the caller should see (request-context: a bookmark D1 refuses becomes a 400).
 */
export function timedD1(db: D1Client, timer: StorageTimer, refine?: (error: unknown) => unknown): D1Database {
  const trip = <T>(desc: string, work: () => Promise<T>): Promise<T> =>
    refine ? timer.measure("d1", desc, work).catch((error: unknown) => Promise.reject(refine(error))) : timer.measure("d1", desc, work);
  const wrapped = {
    prepare: (sql: string) => new TimedStatement(db.prepare(sql), trip, sql),
    batch: <T>(stmts: D1PreparedStatement[]) =>
      trip(`batch(${stmts.length})`, () => db.batch<T>(stmts.map((s) => realStatement.get(s as object) ?? s))),
    ...(db.exec ? { exec: (sql: string) => trip("exec", () => db.exec!(sql)) } : {}),
  };
  return wrapped as unknown as D1Database;
}
