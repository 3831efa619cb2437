import { env } from "cloudflare:workers";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminHeaders, call, createPartner, seedWorld, type CallResult } from "../helpers/harness";
import { concretePath, newWorld, portableBody, quiesce, worldIds, type World } from "../helpers/world";

/**
 * Property-based fuzzing of every operation of /v1/openapi.json (so a new route is fuzzed the
 * day it is documented), admin and OAuth token endpoint included.
 *
 * POST, PATCH and PUT (FUZZ_RUNS requests each): a fresh partner and fixture world per
 * operation; the documented example body, pointed at the world's objects, is the valid base, and
 * fast-check breaks it: keys dropped, values replaced by values of other types, giant and
 * unicode strings, extreme numbers, values at and past the schema's limits, unknown keys (mass
 * assignment, `__proto__`), ids of the wrong kind or of another partner; or sends raw bodies
 * (invalid JSON, empty, top-level array/null/number, over 1 MB, binary, form-encoded) with
 * right or wrong content types; with real or bad path ids, X-Entity-Id, Idempotency-Key and
 * X-Request-Id. GET and DELETE (a quarter as many): the same headers and ids, and fuzzed query
 * strings (documented parameters with valid, boundary and hostile values, unknown and repeated
 * parameters, broken percent-encoding).
 *
 * Every response must hold:
 * - status < 500, and documented for the operation;
 * - a 4xx has the error body its documentation names (the envelope, with `request_id` equal to
 *   X-Request-Id; or RFC 6749's `{error, error_description}` for the token endpoint);
 * - a 4xx wrote nothing: row counts (and latest `updated_at`) of the partner's rows in every
 *   table are unchanged; a 400/413/415 also leaves no idempotency key behind; a GET writes
 *   nothing whatever its status;
 * - a query parameter the operation does not document is refused, 400 naming it (only the
 *   checks that come first may answer instead: 413, a missing or unknown X-Entity-Id); the
 *   token endpoint ignores unknown parameters (RFC 6749 §3.2).
 *
 * FUZZ_RUNS (default 40 per operation) and FUZZ_SEED (default fixed) come from the environment
 * through vitest.config.ts; `npm run fuzz` runs 500. A failure prints the seed to replay.
 */

const fuzzEnv = env as unknown as { FUZZ_RUNS?: string; FUZZ_SEED?: string };
const DEFAULT_RUNS = 40;
const DEFAULT_SEED = 20_261_122;
const RUNS = /^\d+$/.test(fuzzEnv.FUZZ_RUNS ?? "") && Number(fuzzEnv.FUZZ_RUNS) > 0 ? Number(fuzzEnv.FUZZ_RUNS) : DEFAULT_RUNS;
const SEED = /^-?\d+$/.test(fuzzEnv.FUZZ_SEED ?? "") ? Number(fuzzEnv.FUZZ_SEED) : DEFAULT_SEED;
/** GET and DELETE: no body to break, so fewer runs. */
const readRuns = Math.max(10, Math.ceil(RUNS / 4));
/** Per-test budget: world building plus RUNS requests (and shrinking, on failure). */
const TEST_TIMEOUT_MS = 60_000 + RUNS * 1_000;

// ── the operations, from the document ──────────────────────────────────────────────────

type JsonSchema = Record<string, any>;

interface FuzzOperation {
  method: string;
  path: string;
  operationId: string;
  admin: boolean;
  entityHeader: boolean;
  pathParams: string[];
  /** Documented query parameters, with their resolved schemas. */
  queryParams: { name: string; schema: JsonSchema }[];
  /** The required query parameters set to their documented examples (`?year=2026`), or "": the unbroken request's query. */
  requiredQuery: string;
  /** POST, PATCH, PUT: the request body is what is fuzzed. */
  bodyOperation: boolean;
  /** Resolved JSON body schema (no $ref left), if the operation takes a body. */
  schema: JsonSchema | undefined;
  example: unknown;
  /** Documented responses: status → the component name of its body schema (Error, OAuthError, …). */
  documented: Map<number, string | undefined>;
}

const doc = (await call("/v1/openapi.json")).body;

function resolve(schema: unknown, seen: Set<string> = new Set()): any {
  if (Array.isArray(schema)) return schema.map((s) => resolve(s, seen));
  if (!schema || typeof schema !== "object") return schema;
  const ref = (schema as { $ref?: string }).$ref;
  if (typeof ref === "string") {
    const name = ref.split("/").pop()!;
    if (seen.has(name)) return {};
    return resolve(doc.components.schemas[name], new Set([...seen, name]));
  }
  return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, resolve(v, seen)]));
}

function refName(schema: unknown): string | undefined {
  const ref = (schema as { $ref?: string } | undefined)?.$ref;
  return typeof ref === "string" ? ref.split("/").pop() : undefined;
}

function fuzzedOperations(): FuzzOperation[] {
  const ops: FuzzOperation[] = [];
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      if (!path.startsWith("/v1/") || !["get", "post", "patch", "put", "delete"].includes(method)) continue;
      const content = op.requestBody?.content ?? {};
      const json = content["application/json"];
      const schema = json ? resolve(json.schema) : undefined;
      ops.push({
        method: method.toUpperCase(),
        path,
        operationId: op.operationId,
        admin: path.startsWith("/v1/admin/"),
        entityHeader: (op.parameters ?? []).some((p: any) => p.in === "header" && p.name.toLowerCase() === "x-entity-id"),
        pathParams: (op.parameters ?? []).filter((p: any) => p.in === "path").map((p: any) => p.name),
        queryParams: (op.parameters ?? []).filter((p: any) => p.in === "query").map((p: any) => ({ name: p.name, schema: resolve(p.schema ?? {}) })),
        requiredQuery: new URLSearchParams(
          (op.parameters ?? []).filter((p: any) => p.in === "query" && p.required).map((p: any) => [p.name, String(p.example ?? p.schema?.example)]),
        )
          .toString()
          .replace(/^(?=.)/, "?"),
        bodyOperation: ["post", "patch", "put"].includes(method),
        schema,
        example: json?.example ?? schema?.example,
        documented: new Map(
          Object.entries<any>(op.responses ?? {}).map(([status, r]) => [Number(status), refName(r?.content?.["application/json"]?.schema)]),
        ),
      });
    }
  }
  return ops;
}

const operations = fuzzedOperations();

// ── what is compared before and after a refused request ───────────────────────────────

interface TableInfo {
  name: string;
  partnerScoped: boolean;
  updatedAt: boolean;
}

/** Every table of the schema (new ones, e.g. webhook tables, are included as they appear). */
async function discoverTables(): Promise<TableInfo[]> {
  const { results } = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' AND substr(name, 1, 4) <> '_cf_' AND name <> 'd1_migrations' ORDER BY name",
  ).all<{ name: string }>();
  const tables: TableInfo[] = [];
  for (const { name } of results) {
    const cols = (await env.DB.prepare("SELECT name FROM pragma_table_info(?)").bind(name).all<{ name: string }>()).results.map((c) => c.name);
    tables.push({ name, partnerScoped: cols.includes("partner_id"), updatedAt: cols.includes("updated_at") });
  }
  return tables;
}

const TABLES = await discoverTables();
/** Written on purpose by a refused request with an Idempotency-Key whose batch committed (a guard that matched nothing keeps its 404/409/422): compared only for 400/413/415. */
const IDEMPOTENCY_TABLE = "idempotency_keys";

function snapshotQuery(): string {
  const cols: string[] = [];
  for (const t of TABLES) {
    // Tables without partner_id (partners, invoice counters, delivery attempts) are counted whole:
    // each test file has its own storage and the tests of this file run one at a time.
    const where = t.partnerScoped ? " WHERE partner_id = ?1" : "";
    cols.push(`(SELECT count(*) FROM "${t.name}"${where}) AS "${t.name}.count"`);
    if (t.updatedAt) cols.push(`(SELECT max(updated_at) FROM "${t.name}"${where}) AS "${t.name}.updated_at"`);
  }
  return `SELECT ${cols.join(", ")}`;
}

const SNAPSHOT_SQL = snapshotQuery();

type Snapshot = Record<string, number | string | null>;

async function snapshot(partnerId: string): Promise<Snapshot> {
  return (await env.DB.prepare(SNAPSHOT_SQL).bind(partnerId).first<Snapshot>())!;
}

/** Reads that write their audit entry when they answer (GET /v1/privacy/payers discloses a payer's data). */
const AUDITED_READS = new Set(["exportPayerData"]);

function writes(before: Snapshot, after: Snapshot, includeIdempotency: boolean): string[] {
  return Object.keys(before)
    .filter((k) => includeIdempotency || !k.startsWith(`${IDEMPOTENCY_TABLE}.`))
    .filter((k) => before[k] !== after[k])
    .map((k) => `${k}: ${before[k]} → ${after[k]}`);
}

// ── generators ─────────────────────────────────────────────────────────────────────────

type Path = (string | number)[];

type Mutation =
  | { kind: "drop"; path: Path }
  | { kind: "set"; path: Path; value: unknown }
  | { kind: "valid"; path: Path; value: unknown }
  | { kind: "extra"; path: Path; key: string; value: unknown }
  | { kind: "wrap"; path: Path; as: "array" | "object" }
  | { kind: "root"; value: unknown }
  | { kind: "many"; mutations: Mutation[] };

type BodyCase = { kind: "none" } | { kind: "json"; mutations: Mutation[] } | { kind: "raw"; bytes: Uint8Array; label: string };

interface FuzzCase {
  body: BodyCase;
  /** "" or "?…", appended to the path. */
  query: string;
  /** undefined: the default (application/json); null: none. */
  contentType: string | null | undefined;
  /** Per path parameter: undefined for the world's object, or a replacement id. */
  pathIds: (string | undefined)[];
  entity: { kind: "real" } | { kind: "absent" } | { kind: "value"; value: string };
  idempotencyKey: { kind: "none" } | { kind: "fresh" } | { kind: "reused" } | { kind: "value"; value: string };
  requestId: string | undefined;
}

const GIANT_ASCII = "x".repeat(100_000);
const GIANT_UNICODE = "é😀\u0000\u202e".repeat(25_000);
const ZERO_UUID = "00000000-0000-0000-0000-000000000000";

const evilStrings = fc.oneof(
  fc.constantFrom(
    "",
    " ",
    "   \t\n ",
    "\u0000",
    "a\u0000b",
    "\u0001\u001f\u007f\u0085",
    "\u202eevil\u202c",
    "\u200b",
    "\ud800",
    "\udfff",
    "😀👩‍👩‍👧‍👦",
    "ﬁ Ǆ ß İ",
    "Ω≈ç√∫",
    "' OR 1=1 --",
    '"; DROP TABLE invoices; --',
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "%00",
    "${jndi:ldap://x}",
    "NaN",
    "Infinity",
    "-1",
    "0",
    "1e308",
    "null",
    "true",
    "[]",
    "{}",
    "2024-02-30",
    "2024-13-01",
    "0000-00-00",
    "9999-12-31T99:99:99Z",
    "2099-12-31T23:59:59+99:00",
    "FR76",
    "http://127.0.0.1:8787/",
    "http://localhost/",
    "http://[::1]/",
    "http://169.254.169.254/latest/meta-data/",
    "http://0x7f000001/",
    "https://10.0.0.1/hook",
    "file:///etc/passwd",
    "javascript:alert(1)",
    "https://user:pass@example.com/",
    "https://exa mple.com/",
    `https://example.com/${"a".repeat(2_100)}`,
    "x".repeat(256),
    "x".repeat(5_000),
    GIANT_ASCII,
    GIANT_UNICODE,
  ),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
);

const evilNumbers = fc.oneof(
  fc.constantFrom(-1, 0, -0, 1, 0.5, -0.5, 0.1 + 0.2, 1e308, -1e308, 5e-324, 2 ** 53 + 1, -(2 ** 53 + 1), 2 ** 31, 2 ** 32, 2 ** 63, 1e21, Number.MAX_SAFE_INTEGER, 123_456_789_012),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

function deepNest(depth: number): unknown {
  let v: unknown = "bottom";
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
}

const evilStructures = fc.oneof(
  fc.constantFrom<unknown>(null, true, false, [], {}, [null], [[]], [{}], { "": "" }, [1, "a", null, {}], deepNest(64), deepNest(2_000)),
  fc.array(fc.constantFrom<unknown>(1, "a", null), { maxLength: 1_000 }),
  fc.jsonValue({ maxDepth: 3 }),
);

/** Keys nobody documents, and the ones a mass-assignment attack would try. */
const EXTRA_KEYS = ["extra", "__proto__", "constructor", "prototype", "toString", "id", "object", "partner_id", "livemode", "status", "created_at", "amount_paid", "invoice_number", "version", "", " ", "é", "a.b", "$where"];

function badIds(w: World, stranger: Stranger): string[] {
  const zeroed = worldIds(w).map((id) => id.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, ZERO_UUID));
  return [
    ...zeroed,
    ...worldIds(w),
    ...stranger.ids,
    `dept-${ZERO_UUID}`,
    `org-${ZERO_UUID}`,
    "",
    " ",
    "null",
    "undefined",
    "0",
    "-1",
    "org-",
    "org-../../x",
    "' OR '1'='1",
    "org-é",
    `org-${"a".repeat(2_000)}`,
  ];
}

// ── paths in a body and in its schema ──────────────────────────────────────────────────

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function valuePaths(v: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  if (Array.isArray(v)) v.forEach((x, i) => (out.push([...prefix, i]), valuePaths(x, [...prefix, i], out)));
  else if (isObject(v)) for (const [k, x] of Object.entries(v)) out.push([...prefix, k]), valuePaths(x, [...prefix, k], out);
  return out;
}

/** Property paths of a schema (arrays as index 0), with the sub-schema at each. */
function schemaPaths(s: JsonSchema | undefined, prefix: Path = [], out: [Path, JsonSchema][] = [], depth = 0): [Path, JsonSchema][] {
  if (!s || depth > 5) return out;
  for (const alt of [...(s.anyOf ?? []), ...(s.oneOf ?? []), ...(s.allOf ?? [])]) schemaPaths(alt, prefix, out, depth + 1);
  for (const [k, sub] of Object.entries<JsonSchema>(s.properties ?? {})) {
    out.push([[...prefix, k], sub]);
    schemaPaths(sub, [...prefix, k], out, depth + 1);
  }
  if (s.items) {
    out.push([[...prefix, 0], s.items]);
    schemaPaths(s.items, [...prefix, 0], out, depth + 1);
  }
  return out;
}

/** A plausible valid value for a schema: its example, enum, default, or one by type and format. */
function sample(s: JsonSchema | undefined): unknown {
  if (!s) return "x";
  if (s.example !== undefined) return s.example;
  if (s.enum?.length) return s.enum[0];
  if (s.const !== undefined) return s.const;
  if (s.default !== undefined) return s.default;
  const alt = s.anyOf?.find((a: JsonSchema) => a.type !== "null") ?? s.oneOf?.[0] ?? s.allOf?.[0];
  if (alt) return sample(alt);
  const type = Array.isArray(s.type) ? s.type.find((t: string) => t !== "null") : s.type;
  switch (type) {
    case "string":
      if (s.format === "date") return "2099-12-31";
      if (s.format === "date-time") return "2099-12-31T23:59:59Z";
      if (s.format === "email") return "fuzz@example.com";
      if (s.format === "uri" || s.format === "url") return "https://example.com/fuzz";
      return "x".repeat(Math.max(1, s.minLength ?? 1));
    case "integer":
    case "number":
      return s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : 1);
    case "boolean":
      return true;
    case "array":
      return [sample(s.items)];
    case "object": {
      const o: Record<string, unknown> = {};
      for (const k of s.required ?? []) o[k] = sample(s.properties?.[k]);
      return o;
    }
    default:
      return "x";
  }
}

/** Values at and just past the schema's documented limits: lengths, bounds, item counts, formats, enums. */
function edgeValues(s: JsonSchema): unknown[] {
  const out: unknown[] = [];
  const types: string[] = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  if (types.includes("null")) out.push(null);
  if (types.includes("integer") || types.includes("number")) {
    for (const b of [s.minimum, s.maximum, s.exclusiveMinimum, s.exclusiveMaximum]) {
      if (typeof b === "number") out.push(b, b - 1, b + 1, b + 0.5);
    }
    if (types.includes("integer")) out.push(1.5, 2 ** 53, 2 ** 63, -(2 ** 63) - 1);
  }
  if (types.includes("string")) {
    if (typeof s.maxLength === "number") out.push("é".repeat(s.maxLength), "x".repeat(s.maxLength + 1), ` ${"x".repeat(s.maxLength)} `);
    if (typeof s.minLength === "number" && s.minLength > 0) out.push("x".repeat(s.minLength - 1), " ".repeat(s.minLength));
    if (s.format === "date") out.push("2099-02-29", "2096-02-29", "1970-01-01", "0001-01-01", "9999-12-31", "2099-12-31T00:00:00Z", "20991231");
    if (s.format === "date-time") out.push("2099-12-31T23:59:60Z", "2099-12-31T23:59:59.999999999Z", "2099-12-31", "1970-01-01T00:00:00Z", "+275760-09-13T00:00:00.000Z");
    if (s.format === "email") out.push("a@b", `${"x".repeat(250)}@example.com`, "jean dupont@example.com", "JEAN.DUPONT@EXAMPLE.COM");
    if (s.enum) out.push(...s.enum.map((e: unknown) => (typeof e === "string" ? e.toUpperCase() : e)), "");
  }
  if (types.includes("array")) {
    const item = sample(s.items);
    if (typeof s.maxItems === "number") out.push(Array.from({ length: s.maxItems }, () => clone(item)), Array.from({ length: s.maxItems + 1 }, () => clone(item)));
    if (typeof s.minItems === "number") out.push(Array.from({ length: Math.max(0, s.minItems - 1) }, () => clone(item)));
    out.push([item, item]);
  }
  if (types.includes("object") && isObject(s.additionalProperties)) {
    const value = sample(s.additionalProperties);
    const many = (n: number, keyLength = 8) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`${i}`.padStart(keyLength, "k"), value]));
    out.push(many(50), many(51), many(1, 40), many(1, 41), { "": value }, JSON.parse('{"__proto__":"x","constructor":"x"}'));
  }
  return out;
}

function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

/** Own property, even for `__proto__` (an assignment would set the prototype and vanish from the JSON). */
function put(target: Record<string, unknown> | unknown[], key: string | number, value: unknown) {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function setAt(root: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  const container: any = typeof head === "number" ? (Array.isArray(root) ? root : []) : isObject(root) ? root : {};
  put(container, head!, setAt(container[head!], rest, value));
  return container;
}

function dropAt(root: unknown, path: Path): unknown {
  if (path.length === 0) return undefined;
  const [head, ...rest] = path;
  if (Array.isArray(root) && typeof head === "number") {
    if (rest.length === 0) root.splice(head, 1);
    else dropAt(root[head], rest);
  } else if (isObject(root) && typeof head === "string") {
    if (rest.length === 0) delete root[head];
    else dropAt(root[head], rest);
  }
  return root;
}

function getAt(root: unknown, path: Path): unknown {
  let v: any = root;
  for (const k of path) v = v == null ? undefined : v[k];
  return v;
}

function applyMutations(base: unknown, mutations: Mutation[]): unknown {
  let body: unknown = clone(base) ?? {};
  for (const m of mutations) {
    switch (m.kind) {
      case "drop":
        body = dropAt(body, m.path) ?? {};
        break;
      case "set":
      case "valid":
        body = setAt(body, m.path, clone(m.value));
        break;
      case "extra": {
        const target = getAt(body, m.path);
        if (isObject(target)) put(target, m.key, clone(m.value));
        else {
          const holder: Record<string, unknown> = {};
          put(holder, m.key, clone(m.value));
          body = setAt(body, m.path, holder);
        }
        break;
      }
      case "wrap": {
        const v = getAt(body, m.path);
        body = setAt(body, m.path, m.as === "array" ? [v] : { value: v });
        break;
      }
      case "root":
        body = clone(m.value);
        break;
      case "many":
        body = applyMutations(body, m.mutations);
        break;
    }
  }
  return body;
}

// ── requests ───────────────────────────────────────────────────────────────────────────

interface Stranger {
  token: string;
  ids: string[];
  orgId: string;
}

interface Fixture {
  op: FuzzOperation;
  w: World;
  stranger: Stranger;
  base: unknown;
  /** The world's path segment for each path parameter. */
  realPathIds: string[];
  counter: { n: number };
  /** Whether Durable Object timers may be pending: at first, and after any success (a refusal arms none). */
  unsettled: boolean;
}

const encoder = new TextEncoder();

function formEncode(body: unknown): string {
  if (!isObject(body)) return "";
  return new URLSearchParams(Object.entries(body).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)])).toString();
}

function rawBodies(f: Fixture): fc.Arbitrary<BodyCase> {
  const baseText = JSON.stringify(f.base ?? {});
  const raw = (label: string, text: string | Uint8Array): BodyCase => ({ kind: "raw", label, bytes: typeof text === "string" ? encoder.encode(text) : text });
  return fc.oneof(
    fc
      .constantFrom(
        "",
        "{",
        "}",
        '{"a":}',
        "[",
        "null",
        "[]",
        "[{}]",
        "42",
        "-1",
        "1e999",
        '"text"',
        "true",
        "{}",
        '{"":""}',
        "\ufeff{}",
        `\ufeff${baseText}`,
        '{"a":1,"a":2}',
        "{'a':1}",
        "undefined",
        "NaN",
        '{"__proto__":{"admin":true}}',
        '{"constructor":{"prototype":{"admin":true}}}',
        `${"[".repeat(10_000)}${"]".repeat(10_000)}`,
        `[${baseText}]`,
        `${baseText}${baseText}`,
      )
      .map((t) => raw(`constant ${JSON.stringify(t.slice(0, 60))}`, t)),
    fc.nat().map((n) => raw(`truncated at ${n % Math.max(1, baseText.length)}`, baseText.slice(0, n % Math.max(1, baseText.length)))),
    fc.string({ unit: "binary", maxLength: 30 }).map((s) => raw("base + trailing garbage", `${baseText}${s}`)),
    fc.string({ unit: "binary", maxLength: 200 }).map((s) => raw("random text", s)),
    fc.uint8Array({ maxLength: 64 }).map((b) => raw("random bytes", b)),
    fc.constant(raw("base in UTF-16", new Uint8Array(new Uint16Array([...baseText].map((c) => c.charCodeAt(0))).buffer))),
    fc.constant(raw("over 1 MB", JSON.stringify({ ...(isObject(f.base) ? f.base : {}), pad: "x".repeat(1_100_000) }))),
    fc.constant(raw("base form-encoded", formEncode(f.base))),
  );
}

const CONTENT_TYPES = [
  "application/json; charset=utf-8",
  "APPLICATION/JSON",
  "application/vnd.api+json",
  "application/json; charset",
  "application/json;;",
  "text/json",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=fuzz",
  "application/xml",
  "*/*",
  "",
];

function caseArbitrary(f: Fixture): fc.Arbitrary<FuzzCase> {
  const { op, w, stranger } = f;
  const ids = badIds(w, stranger);
  const idValues = fc.constantFrom(...ids);
  const anyValue = fc.oneof({ weight: 4, arbitrary: evilStrings }, { weight: 3, arbitrary: evilNumbers }, { weight: 3, arbitrary: evilStructures }, { weight: 2, arbitrary: idValues });

  const bodyPaths = valuePaths(f.base);
  const described = schemaPaths(op.schema);
  const seen = new Set(bodyPaths.map((p) => JSON.stringify(p)));
  const allPaths = [...bodyPaths, ...described.map(([p]) => p).filter((p) => !seen.has(JSON.stringify(p)))];
  const objectPaths: Path[] = [[], ...allPaths.filter((p) => isObject(getAt(f.base, p)) || described.some(([q, s]) => JSON.stringify(q) === JSON.stringify(p) && (s.type === "object" || s.properties)))];

  // Weighted towards values at the schema's limits and valid optional fields: they get past
  // validation into the handlers, where a 5xx or a stray write would hide.
  const mutations: fc.WeightedArbitrary<Mutation>[] = [
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("extra" as const), path: fc.constantFrom(...objectPaths), key: fc.oneof(fc.constantFrom(...EXTRA_KEYS), fc.string({ maxLength: 12 })), value: anyValue }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("root" as const), value: anyValue }) },
  ];
  if (allPaths.length > 0) {
    mutations.push(
      { weight: 1, arbitrary: fc.record({ kind: fc.constant("drop" as const), path: fc.constantFrom(...allPaths) }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant("set" as const), path: fc.constantFrom(...allPaths), value: anyValue }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant("wrap" as const), path: fc.constantFrom(...allPaths), as: fc.constantFrom("array" as const, "object" as const) }) },
    );
  }
  if (described.length > 0) {
    mutations.push({ weight: 2, arbitrary: fc.constantFrom(...described).map(([path, s]): Mutation => ({ kind: "valid", path, value: portableBody(sample(s), w) })) });
    // Several documented top-level properties at once, each with a valid value.
    const fill = described.filter(([p]) => p.length === 1 && getAt(f.base, p) === undefined).map(([path, s]): Mutation => ({ kind: "valid", path, value: portableBody(sample(s), w) }));
    if (fill.length) mutations.push({ weight: 2, arbitrary: fc.shuffledSubarray(fill, { minLength: 1 }).map((m): Mutation => ({ kind: "many", mutations: m })) });
  }
  const edges = edgeMutations(f);
  if (edges.length > 0) mutations.push({ weight: 5, arbitrary: fc.constantFrom(...edges) });
  const jsonBody = fc.array(fc.oneof(...mutations), { minLength: 0, maxLength: 3 }).map((m): BodyCase => ({ kind: "json", mutations: m }));
  const body: fc.Arbitrary<BodyCase> = op.bodyOperation
    ? fc.oneof({ weight: 3, arbitrary: jsonBody }, { weight: 1, arbitrary: rawBodies(f) })
    : op.method === "GET"
      ? fc.constant({ kind: "none" as const })
      : fc.oneof({ weight: 6, arbitrary: fc.constant({ kind: "none" as const }) }, { weight: 1, arbitrary: rawBodies(f) });

  return fc.record({
    body,
    query: queryArbitrary(op, ids),
    contentType: fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constant(null) }, { weight: 2, arbitrary: fc.constantFrom(...CONTENT_TYPES) }),
    pathIds: fc.tuple(...op.pathParams.map(() => fc.oneof({ weight: 8, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: idValues }))),
    entity: fc.oneof(
      { weight: 8, arbitrary: fc.constant({ kind: "real" as const }) },
      { weight: 1, arbitrary: fc.constant({ kind: "absent" as const }) },
      {
        weight: 1,
        arbitrary: fc
          .constantFrom(...ids.filter((id) => /^[\x20-\x7e]*$/.test(id)), stranger.orgId, "org-nope", `org-${"a".repeat(5_000)}`)
          .map((value) => ({ kind: "value" as const, value })),
      },
    ),
    idempotencyKey: fc.oneof(
      { weight: 6, arbitrary: fc.constant({ kind: "none" as const }) },
      { weight: 2, arbitrary: fc.constant({ kind: "fresh" as const }) },
      { weight: 1, arbitrary: fc.constant({ kind: "reused" as const }) },
      { weight: 1, arbitrary: fc.constantFrom("", " ", "key with spaces", "tab\tkey", "k".repeat(256), "~!@#$%^&*()").map((value) => ({ kind: "value" as const, value })) },
    ),
    requestId: fc.oneof({ weight: 8, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom("fuzz-request-0001", "short", "x".repeat(200), "bad id with spaces") }),
  });
}

/** Query strings that break the usual parsing: bad percent-encoding, repeats, empty names, arrays. */
const RAW_QUERIES = [
  "?",
  "?&&&",
  "?=",
  "?=x",
  "?page=%",
  "?page=%zz",
  "?%zz=1",
  "?page=%E0%A4%A",
  "?page=%00",
  "?page=1&page=2",
  "?page[]=1",
  "?page=1e3",
  "?page=0x10",
  "?page=+1",
  "?page=%201",
  "?page=-0",
  "?page=100001",
  "?page=100000&page_size=100",
  "?page_size=0",
  "?limit=101",
  "?page_size=1&limit=100",
  "?__proto__=1",
  "?constructor=x",
  `?q=${"x".repeat(3_000)}`,
];

function queryValues(s: JsonSchema): string[] {
  const text = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v) ?? "");
  return [text(sample(s)), ...edgeValues(s).map(text).filter((v) => v.length <= 3_000)];
}

/** A query string: documented parameters with valid, boundary, hostile or id values; unknown ones; raw oddities. */
function queryArbitrary(op: FuzzOperation, ids: string[]): fc.Arbitrary<string> {
  const shortEvil = evilStrings.filter((v) => v.length <= 3_000);
  const value = (s: JsonSchema) => fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...queryValues(s)) }, { weight: 2, arbitrary: shortEvil }, { weight: 1, arbitrary: fc.constantFrom(...ids) }, { weight: 1, arbitrary: evilNumbers.map(String) });
  const documented = op.queryParams.length ? [fc.constantFrom(...op.queryParams).chain((p) => value(p.schema).map((v): [string, string] => [p.name, v]))] : [];
  const unknown = fc.tuple(fc.constantFrom("unknown", "expand", "PAGE", "page ", "", "pageSize", "per_page", "fromDate", "invoiceId", "page[]"), shortEvil);
  const pairs = fc.array(fc.oneof(...documented.map((arbitrary) => ({ weight: 4, arbitrary })), { weight: 1, arbitrary: unknown }), { minLength: 1, maxLength: 4 });
  const structured = pairs.map((ps) => `?${new URLSearchParams(ps).toString()}`);
  if (op.bodyOperation) {
    return fc.oneof({ weight: 18, arbitrary: fc.constant("") }, { weight: 1, arbitrary: structured }, { weight: 1, arbitrary: fc.constantFrom(...RAW_QUERIES) });
  }
  return fc.oneof({ weight: 2, arbitrary: fc.constant("") }, { weight: op.queryParams.length ? 6 : 1, arbitrary: structured }, { weight: 2, arbitrary: fc.constantFrom(...RAW_QUERIES) });
}

interface Sent {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Uint8Array | undefined;
  description: string;
}

function buildRequest(f: Fixture, c: FuzzCase): Sent {
  const { op, w } = f;
  let template = op.path;
  op.pathParams.forEach((name, i) => {
    const id = c.pathIds[i];
    template = template.replace(`{${name}}`, id === undefined ? f.realPathIds[i]! : encodeURIComponent(id));
  });
  const path = `${concretePath(template, w)}${c.query}`;

  const headers: Record<string, string> = {};
  if (op.admin) Object.assign(headers, adminHeaders());
  else if (!isTokenEndpoint(op)) headers.authorization = `Bearer ${w.token}`;
  if (op.entityHeader) {
    if (c.entity.kind === "real") headers["x-entity-id"] = w.org.id;
    else if (c.entity.kind === "value") headers["x-entity-id"] = c.entity.value;
  }
  if (c.idempotencyKey.kind === "fresh") headers["idempotency-key"] = `fuzz-${op.operationId}-${++f.counter.n}`;
  else if (c.idempotencyKey.kind === "reused") headers["idempotency-key"] = `fuzz-reused-${op.operationId}`;
  else if (c.idempotencyKey.kind === "value") headers["idempotency-key"] = c.idempotencyKey.value;
  if (c.requestId !== undefined) headers["x-request-id"] = c.requestId;
  if (c.body.kind !== "none") {
    if (c.contentType === undefined) headers["content-type"] = "application/json";
    else if (c.contentType !== null) headers["content-type"] = c.contentType;
  }

  let body: Uint8Array | undefined;
  let shown: string;
  if (c.body.kind === "none") {
    shown = "(none)";
  } else if (c.body.kind === "json") {
    const value = applyMutations(f.base, c.body.mutations);
    const noBody = f.base === undefined && c.body.mutations.length === 0;
    body = noBody ? undefined : encoder.encode(JSON.stringify(value) ?? "");
    shown = noBody ? "(no body)" : `json ${truncate(JSON.stringify(value) ?? "undefined")} after ${truncate(JSON.stringify(c.body.mutations))}`;
  } else {
    body = c.body.bytes;
    shown = `raw (${c.body.label}, ${c.body.bytes.byteLength} bytes)`;
  }
  const description = `${op.method} ${truncate(path, 200)}\n  headers: ${truncate(JSON.stringify({ ...headers, authorization: headers.authorization ? "…" : undefined }))}\n  body: ${shown}`;
  return { method: op.method, path, headers, body, description };
}

function truncate(s: string, max = 600): string {
  return s.length > max ? `${s.slice(0, max)}… (${s.length} chars)` : s;
}

/** Names in the query string that the operation does not document, decoded as the API decodes them. */
function undocumentedQueryNames(op: FuzzOperation, query: string): string[] {
  const documented = new Set(op.queryParams.map((p) => p.name));
  return [...new Set(new URLSearchParams(query.replace(/^\?/, "")).keys())].filter((name) => !documented.has(name));
}

function isTokenEndpoint(op: FuzzOperation): boolean {
  return [...op.documented.values()].includes("OAuthError");
}

// ── the checks ─────────────────────────────────────────────────────────────────────────

const ERROR_TYPES_BY_STATUS: Record<number, string[]> = {
  400: ["invalid_request_error"],
  401: ["authentication_error"],
  403: ["permission_error"],
  404: ["not_found_error"],
  409: ["conflict_error", "idempotency_error"],
  413: ["invalid_request_error"],
  415: ["invalid_request_error"],
  422: ["business_rule_error", "idempotency_error"],
  429: ["rate_limit_error"],
  500: ["api_error"],
};
const OAUTH_ERRORS = ["invalid_request", "invalid_client", "invalid_grant", "unauthorized_client", "unsupported_grant_type", "invalid_scope"];

function envelopeProblem(res: CallResult): string | null {
  const b = res.body;
  if (!isObject(b) || Object.keys(b).join(",") !== "error" || !isObject(b.error)) return "body is not { error: { … } }";
  const e = b.error;
  const extra = Object.keys(e).filter((k) => !["type", "code", "message", "param", "details", "request_id"].includes(k));
  if (extra.length) return `unexpected keys in error: ${extra.join(", ")}`;
  const types = ERROR_TYPES_BY_STATUS[res.status];
  if (typeof e.type !== "string" || !(types ?? []).includes(e.type)) return `error.type '${String(e.type)}' does not fit status ${res.status}`;
  if (typeof e.code !== "string" || !/^[a-z][a-z0-9_]*$/.test(e.code)) return `error.code '${String(e.code)}' is not snake_case`;
  if (typeof e.message !== "string" || e.message.length === 0) return "error.message is not a non-empty string";
  if (e.param !== undefined && typeof e.param !== "string") return "error.param is not a string";
  if (e.details !== undefined && !(Array.isArray(e.details) && e.details.every((d) => isObject(d) && typeof d.code === "string" && typeof d.message === "string"))) {
    return "error.details is not a list of { code, message, param? }";
  }
  if (typeof e.request_id !== "string" || e.request_id !== res.headers.get("x-request-id")) return `error.request_id '${String(e.request_id)}' ≠ X-Request-Id '${res.headers.get("x-request-id")}'`;
  return null;
}

function oauthProblem(res: CallResult): string | null {
  const b = res.body;
  if (!isObject(b) || Object.keys(b).sort().join(",") !== "error,error_description") return "body is not RFC 6749 { error, error_description }";
  if (typeof b.error !== "string" || !OAUTH_ERRORS.includes(b.error)) return `error '${String(b.error)}' is not an RFC 6749 error code`;
  if (typeof b.error_description !== "string") return "error_description is not a string";
  return null;
}

/** Statuses seen per operation (for the summary, and the coverage check at the end). */
const observed = new Map<string, Map<number, number>>();

function record(op: FuzzOperation, status: number) {
  const m = observed.get(op.operationId) ?? new Map<number, number>();
  m.set(status, (m.get(status) ?? 0) + 1);
  observed.set(op.operationId, m);
}

async function exercise(f: Fixture, c: FuzzCase): Promise<CallResult> {
  const sent = buildRequest(f, c);
  if (f.unsettled) await quiesce(f.w.partnerId);
  f.unsettled = false;
  const before = await snapshot(f.w.partnerId);
  const res = await call(sent.path, { method: sent.method, headers: sent.headers, ...(sent.body !== undefined ? { rawBody: sent.body } : {}) });
  const after = await snapshot(f.w.partnerId);
  record(f.op, res.status);
  if (res.status < 400) f.unsettled = true;

  const problems: string[] = [];
  if (res.status >= 500) problems.push(`status ${res.status}`);
  if (!f.op.documented.has(res.status)) problems.push(`status ${res.status} is not documented for ${f.op.operationId} (documented: ${[...f.op.documented.keys()].join(", ")})`);
  if (!res.headers.get("x-request-id")) problems.push("no X-Request-Id header");
  if (c.requestId === "fuzz-request-0001" && res.headers.get("x-request-id") !== c.requestId) problems.push("a well-formed client X-Request-Id was not echoed");
  if (res.status >= 400) {
    const schema = f.op.documented.get(res.status);
    const problem = schema === "OAuthError" ? oauthProblem(res) : envelopeProblem(res);
    if (problem) problems.push(`error body (${schema ?? "undocumented"}): ${problem}`);
  }
  const undocumented = undocumentedQueryNames(f.op, c.query);
  if (undocumented.length > 0 && !isTokenEndpoint(f.op)) {
    const param = isObject(res.body) && isObject(res.body.error) ? res.body.error.param : undefined;
    const answeredFirst =
      res.status === 413 ||
      ((res.status === 400 || res.status === 404) && param === "X-Entity-Id") ||
      (res.status === 400 && typeof param === "string" && undocumented.includes(param));
    if (!answeredFirst) problems.push(`undocumented query parameter(s) ${JSON.stringify(undocumented)} not refused with 400 naming one (got ${res.status}, param ${JSON.stringify(param)})`);
  }
  if (res.status >= 400 || f.op.method === "GET") {
    // A read of personal data that succeeds is itself traced (GDPR export): its audit entry only.
    const audited = res.status < 400 && AUDITED_READS.has(f.op.operationId);
    const changed = writes(before, after, f.op.method === "GET" || [400, 413, 415].includes(res.status)).filter((w) => !(audited && w.startsWith("audit_logs.")));
    if (changed.length) problems.push(`${f.op.method === "GET" ? "a read" : "a refused request"} wrote: ${changed.join("; ")}`);
  }
  if (problems.length) {
    throw new Error(`${problems.join("\n")}\n${sent.description}\n  → ${res.status} ${truncate(res.text, 800)}`);
  }
  return res;
}

/** From this many runs on (`npm run fuzz`), every boundary value of the schema is also tried alone, on the valid body. */
const SWEEP_FROM_RUNS = 200;

/** One mutation per boundary value of every documented property (examples' ids pointed at the world). */
function edgeMutations(f: Fixture): Mutation[] {
  return schemaPaths(f.op.schema).flatMap(([path, s]) => edgeValues(s).map((value): Mutation => ({ kind: "set", path, value: portableBody(value, f.w) })));
}

function edgeSweep(f: Fixture): FuzzCase[] {
  if (!f.op.bodyOperation) return [];
  return edgeMutations(f).map((m): FuzzCase => ({ ...baseline(f.op), body: { kind: "json", mutations: [m] } }));
}

/** The request with nothing broken: the documented example (or no body, and only the required query parameters' examples), the world's ids. */
function baseline(op: FuzzOperation): FuzzCase {
  return {
    body: op.bodyOperation ? { kind: "json", mutations: [] } : { kind: "none" },
    query: op.requiredQuery,
    contentType: undefined,
    pathIds: op.pathParams.map(() => undefined),
    entity: { kind: "real" },
    idempotencyKey: { kind: "none" },
    requestId: undefined,
  };
}

// ── the tests ──────────────────────────────────────────────────────────────────────────

let stranger: Stranger;
/** Reads change nothing: one world serves every GET operation. */
let readWorld: Promise<World> | undefined;

beforeAll(async () => {
  // Another partner's objects, to be put where the fuzzed partner's are expected.
  const t = await createPartner({ name: "Fuzz stranger", plan: "enterprise" });
  const s = await seedWorld(t);
  stranger = { token: t.token, orgId: s.org.id, ids: [s.org.id, s.dept.id, s.account.id, s.invoice.id] };
});

afterAll(() => {
  const requests = [...observed.values()].reduce((n, m) => n + [...m.values()].reduce((a, b) => a + b, 0), 0);
  console.log(`fuzz: ${requests} requests over ${observed.size} operations (${RUNS} runs per POST/PATCH/PUT, ${readRuns} per GET/DELETE), seed ${SEED}`);
  if (fuzzEnv.FUZZ_RUNS) {
    for (const [id, m] of observed) console.log(`  ${id.padEnd(28)} ${[...m].sort(([a], [b]) => a - b).map(([st, n]) => `${st}×${n}`).join(" ")}`);
  }
});

it("fuzzes every operation of the document, and compares every table", () => {
  const ids = operations.map((o) => o.operationId);
  expect(ids).toEqual(
    expect.arrayContaining(["createPartner", "updatePartner", "createCredential", "revokeCredential", "createAccessToken", "createOrganization", "updateOrganization", "createInvoice", "createRefund", "listInvoices", "deleteBankAccount"]),
  );
  for (const op of operations) {
    // Every body the fuzzer starts from is a documented example.
    if (op.schema) expect(op.example, `${op.operationId} has a request body example`).toBeDefined();
  }
  const names = TABLES.map((t) => t.name);
  expect(names).toEqual(
    expect.arrayContaining(["organizations", "departments", "bank_accounts", "kyc_verifications", "invoices", "credit_notes", "payment_links", "payment_intents", "payments", "refunds", "audit_logs", "events", "partners", "credentials", IDEMPOTENCY_TABLE]),
  );
});

describe.each(operations.map((o) => [`${o.method} ${o.path}`, o] as const))("%s", (_name, op) => {
  const runs = op.bodyOperation ? RUNS : readRuns;
  it(
    op.method === "GET"
      ? "never answers 5xx, documents its status and error body, and never writes"
      : "never answers 5xx, documents its status and error body, and writes nothing when it refuses",
    async () => {
      const w = op.method === "GET" ? await (readWorld ??= newWorld()) : await newWorld();
      const template = op.path;
      const realPath = concretePath(template, w).split("/");
      // A parameter may share its segment with a suffix (`{month}.csv`): the id is what the template's prefix and suffix leave.
      const realPathIds = op.pathParams.map((name) => {
        const at = template.split("/").findIndex((segment) => segment.includes(`{${name}}`));
        const [before = "", after = ""] = template.split("/")[at]!.split(`{${name}}`);
        return realPath[at]!.slice(before.length, realPath[at]!.length - after.length);
      });
      const f: Fixture = { op, w, stranger, base: portableBody(op.example, w), realPathIds, counter: { n: 0 }, unsettled: true };
      if (f.base === undefined && op.schema) f.base = sample(op.schema);

      // Control: the unbroken request holds the same promises (and a read of the world's objects succeeds).
      const control = await exercise(f, baseline(op));
      if (op.method === "GET") expect(control.status, control.text).toBe(200);

      const result = await fc.check(
        fc.asyncProperty(caseArbitrary(f), async (c) => {
          await exercise(f, c);
        }),
        { numRuns: runs, seed: SEED, endOnFailure: false, examples: runs >= SWEEP_FROM_RUNS ? edgeSweep(f).map((c) => [c]) : [] },
      );
      if (result.failed) {
        const error = result.errorInstance instanceof Error ? result.errorInstance.message : String(result.errorInstance);
        expect.fail(
          `${op.operationId}: property failed after ${result.numRuns} run(s) and ${result.numShrinks} shrink(s).\n` +
            `Replay: FUZZ_SEED=${result.seed} FUZZ_RUNS=${RUNS} npm run fuzz -- -t '${op.method} ${op.path}'  (fast-check path "${result.counterexamplePath}")\n${error}`,
        );
      }
      if (op.bodyOperation && runs >= 20) {
        // The fuzzer reached validation (it is not stuck behind authentication or routing).
        expect([...(observed.get(op.operationId)?.keys() ?? [])], `${op.operationId} statuses`).toContain(400);
      }
    },
    TEST_TIMEOUT_MS,
  );
});
