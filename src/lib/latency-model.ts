/**
 * The bench's latency model (issue 16): locally every storage round trip is nearly free, so the
 * bench cannot show what a caller far from D1's primary would feel. With
 * `BENCH_LATENCY_MODEL="d1=50,do=10"` (set by `npm run bench -- --model d1=50,do=10` through
 * `wrangler dev --var`), every D1 round trip (a prepared statement's first/all/run/raw, a batch,
 * an exec, the same through a `withSession(…)` session) takes 50 ms more and every Durable Object
 * call (stub fetch or RPC method) 10 ms more: half before the call leaves, half after it answers.
 *
 * Never in production: the variable is honoured only when ENVIRONMENT is `development`, which a
 * deployed worker never has (wrangler.toml leaves it unset, and sets no BENCH_LATENCY_MODEL).
 * Off, it costs one property read per env (the entry points call it for each request); no Proxy.
 *
 * The wrappers are duck-typed, as drizzle is (it calls prepare, bind, batch, first, all, raw,
 * run): a wrapped statement is not a D1PreparedStatement, so batch() unwraps the statements it is
 * given before handing them to the real binding.
 */

import { log } from "./log";

export type LatencyModel = { d1: number; do: number };

/** The only ENVIRONMENT under which the model applies: local development (`wrangler dev`, the tests). */
const ENABLED_IN = "development";
const MAX_MS = 10_000;

/** `"d1=50,do=10"` → `{ d1: 50, do: 10 }`; a key left out is 0 ms. Throws on anything else. */
export function parseLatencyModel(spec: string): LatencyModel {
  const model: LatencyModel = { d1: 0, do: 0 };
  const parts = spec.split(",").map((p) => p.trim()).filter(Boolean);
  if (!parts.length) throw new Error(`BENCH_LATENCY_MODEL: empty (expected e.g. "d1=50,do=10")`);
  for (const part of parts) {
    const m = /^(d1|do)=(\d+(?:\.\d+)?)$/.exec(part);
    if (!m) throw new Error(`BENCH_LATENCY_MODEL: "${part}" is not d1=<ms> or do=<ms> (expected e.g. "d1=50,do=10")`);
    const ms = Number(m[2]);
    if (ms > MAX_MS) throw new Error(`BENCH_LATENCY_MODEL: ${part} is over ${MAX_MS} ms`);
    model[m[1] as keyof LatencyModel] = ms;
  }
  return model;
}

/** Wrapped envs by the env they wrap: workerd hands the same env object to every request of an isolate. */
const wrapped = new WeakMap<object, object>();
let refusalLogged = false;

/**
 * The env to run with: `env` itself unless BENCH_LATENCY_MODEL is set and ENVIRONMENT is
 * `development`, else a copy whose D1 databases and Durable Object namespaces add the model's
 * latency. Set anywhere else, the variable is ignored (logged once per isolate).
 */
export function withLatencyModel<E extends object>(env: E): E {
  const spec = (env as { BENCH_LATENCY_MODEL?: unknown }).BENCH_LATENCY_MODEL;
  if (spec === undefined) return env;
  return modelled(env, spec);
}

function modelled<E extends object>(env: E, spec: unknown): E {
  const known = wrapped.get(env);
  if (known) return known as E;
  if ((env as { ENVIRONMENT?: unknown }).ENVIRONMENT !== ENABLED_IN || typeof spec !== "string") {
    if (!refusalLogged) {
      refusalLogged = true;
      log.error("BENCH_LATENCY_MODEL is set but ignored: the latency model runs only in local development (a bench setting, never a deployed one)", { required_environment: ENABLED_IN });
    }
    wrapped.set(env, env);
    return env;
  }
  const model = parseLatencyModel(spec);
  const out: Record<string, unknown> = { ...(env as Record<string, unknown>) };
  for (const [name, value] of Object.entries(env)) {
    if (isD1(value)) out[name] = model.d1 > 0 ? modelD1(value, model.d1) : value;
    else if (isNamespace(value)) out[name] = model.do > 0 ? modelNamespace(value, model.do) : value;
  }
  wrapped.set(env, out);
  return out as E;
}

// ── the round trip ──────────────────────────────────────────────────────────────────────

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One modeled round trip: half the latency on the way out, half on the way back. */
async function trip<T>(ms: number, call: () => Promise<T>): Promise<T> {
  await sleep(ms / 2);
  const result = await call();
  await sleep(ms / 2);
  return result;
}

/** Methods of a native binding are called on the binding itself (workerd checks `this`). */
function passThrough(target: object, prop: string | symbol): unknown {
  const value = Reflect.get(target, prop);
  return typeof value === "function" ? value.bind(target) : value;
}

// ── D1 ──────────────────────────────────────────────────────────────────────────────────

type D1Like = Pick<D1Database, "prepare" | "batch">;

function isD1(value: unknown): value is D1Database {
  const v = value as Partial<D1Like> | null;
  return typeof v === "object" && v !== null && typeof v.prepare === "function" && typeof v.batch === "function";
}

class ModeledStatement {
  constructor(
    readonly inner: D1PreparedStatement,
    private readonly ms: number,
  ) {}

  bind(...values: unknown[]): ModeledStatement {
    return new ModeledStatement(this.inner.bind(...values), this.ms);
  }

  first(...args: [string?]): Promise<unknown> {
    return trip(this.ms, () => (args[0] === undefined ? this.inner.first() : this.inner.first(args[0])));
  }

  all(): Promise<D1Result> {
    return trip(this.ms, () => this.inner.all());
  }

  run(): Promise<D1Result> {
    return trip(this.ms, () => this.inner.run());
  }

  raw(...args: [{ columnNames?: boolean }?]): Promise<unknown[]> {
    return trip(this.ms, () => (this.inner.raw as (...a: unknown[]) => Promise<unknown[]>)(...args));
  }
}

const unwrap = (statements: unknown[]) => statements.map((s) => (s instanceof ModeledStatement ? s.inner : s)) as D1PreparedStatement[];

/** A D1 database, or a session of one (withSession): same calls, each a modeled round trip. */
function modelD1<T extends object>(db: T, ms: number): T {
  return new Proxy(db, {
    get(target, prop) {
      const d1 = target as unknown as D1Database & { withSession?: (...a: unknown[]) => object };
      switch (prop) {
        case "prepare":
          return (sql: string) => new ModeledStatement(d1.prepare(sql), ms);
        case "batch":
          return (statements: unknown[]) => trip(ms, () => d1.batch(unwrap(statements)));
        case "exec":
          return (sql: string) => trip(ms, () => d1.exec(sql));
        case "withSession":
          return typeof d1.withSession === "function" ? (...args: unknown[]) => modelD1(d1.withSession!(...args), ms) : undefined;
        default:
          return passThrough(target, prop);
      }
    },
  });
}

// ── Durable Objects ─────────────────────────────────────────────────────────────────────

function isNamespace(value: unknown): value is DurableObjectNamespace {
  const v = value as Partial<DurableObjectNamespace> | null;
  return typeof v === "object" && v !== null && typeof v.idFromName === "function" && typeof v.get === "function";
}

function modelNamespace<T extends object>(ns: T, ms: number): T {
  return new Proxy(ns, {
    get(target, prop) {
      const n = target as unknown as Record<"get" | "getByName" | "jurisdiction", (...a: unknown[]) => object>;
      if (prop === "get" || prop === "getByName") return (...args: unknown[]) => modelStub(n[prop](...args), ms);
      if (prop === "jurisdiction") return (...args: unknown[]) => modelNamespace(n[prop](...args), ms);
      return passThrough(target, prop);
    },
  });
}

/** Properties of a stub that are not calls to the object. */
const STUB_PROPERTIES = new Set<string | symbol>(["id", "name", "then"]);

/** A stub whose every call (fetch or an RPC method) is a modeled round trip. */
function modelStub<T extends object>(stub: T, ms: number): T {
  return new Proxy(stub, {
    get(target, prop) {
      if (typeof prop === "symbol" || STUB_PROPERTIES.has(prop)) return passThrough(target, prop);
      const method = Reflect.get(target, prop) as unknown;
      if (typeof method !== "function") return method;
      // Called as stub[prop](…): an RPC method is itself a stub, whose `apply` would be a remote call.
      return (...args: unknown[]) => trip(ms, () => Promise.resolve((target as Record<string, (...a: unknown[]) => unknown>)[prop]!(...args)));
    },
  });
}
