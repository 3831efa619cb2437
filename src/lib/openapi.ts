import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { Hook, RouteConfig } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { AppEnv, PartnerEnv } from "../env";
import { COMMON_ERROR_CODES, FIELD_ERROR_CODES, ValidationError, type FieldErrorCode } from "./errors";
import { ERROR_TYPES, fieldErrorsOf, type ZodIssueLike } from "./http-errors";

/**
 * Shared OpenAPI pieces: the router every resource registers on, the validation hook that turns
 * zod issues into the error envelope, the error responses, pagination and common field shapes.
 */

const TARGET_LABEL: Record<string, string> = {
  json: "body",
  form: "body",
  query: "query parameter",
  param: "path parameter",
  header: "header",
};

/** One place formats every validation failure: 400, `param` naming the first offending field. */
export const validationHook: Hook<unknown, AppEnv, string, unknown> = (result) => {
  if (result.success) return;
  const issues = (result.error as unknown as { issues: ZodIssueLike[] }).issues;
  const details = fieldErrorsOf(issues, (result as { data?: unknown }).data);
  const first = details[0];
  const where = TARGET_LABEL[result.target] ?? result.target;
  const message = first
    ? `Invalid ${where}${first.param ? ` '${first.param}'` : ""}: ${first.message}`
    : `Invalid ${where}.`;
  throw new ValidationError(message, first?.param, "invalid_parameter", details);
};

export interface RouterOptions {
  /**
   * Appended to the middleware of every mutation route (POST, PUT, PATCH, DELETE), after the
   * route's own scope and tenancy checks: the idempotency middleware, so that a stored response
   * is only replayed to a caller who passes the checks the first request passed. By construction,
   * not by remembering to list it on each route.
   */
  idempotency?: MiddlewareHandler<PartnerEnv>;
  /**
   * Refuse query parameters the route does not declare (default true), as unknown body fields
   * are: `?fromDate=` silently dropped would answer an unfiltered list. Off only where a standard
   * says to ignore them (RFC 6749 §3.2, the token endpoint) or outside the API (/health).
   */
  strictQuery?: boolean;
}

const MUTATION_METHODS = new Set(["post", "put", "patch", "delete"]);

/**
 * The router every resource registers on. Its `openapi(route, handler)` runs, in order: the
 * route's declared middleware (scope, X-Entity-Id), the query-parameter check, the idempotency
 * middleware on mutations, then the zod validators and the handler.
 */
export function createRouter(options: RouterOptions = {}) {
  const router = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const register = router.openapi;
  const strictQuery = options.strictQuery ?? true;
  router.openapi = ((route: RouteConfig, handler: unknown, hook?: unknown) => {
    const declared = route.middleware === undefined ? [] : Array.isArray(route.middleware) ? route.middleware : [route.middleware];
    const middleware = [
      ...declared,
      ...(strictQuery ? [onlyDeclaredQuery(route)] : []),
      ...(options.idempotency && MUTATION_METHODS.has(route.method) ? [options.idempotency] : []),
    ];
    return (register as (r: RouteConfig, h: unknown, k?: unknown) => unknown)({ ...route, middleware }, handler, hook);
  }) as typeof router.openapi;
  return router;
}

/** Other spellings partners send for our query parameters, beyond case and separators (`pageSize`, `page-size`). */
const QUERY_ALIASES: Record<string, string> = { perpage: "page_size", size: "page_size", from: "from_date", to: "to_date" };

/** Refuses, 400 `invalid_parameter` naming it, any query parameter the route does not declare. */
function onlyDeclaredQuery(route: RouteConfig): MiddlewareHandler<AppEnv> {
  const schema = route.request?.query as { shape?: Record<string, unknown> } | undefined;
  if (schema && !schema.shape) throw new Error(`${route.method} ${route.path}: the query schema must be a z.object, so its parameters are known`);
  const declared = Object.keys(schema?.shape ?? {});
  const known = new Set(declared);
  return async (c, next) => {
    const at = c.req.url.indexOf("?");
    if (at >= 0) {
      const unknown = [...new Set(new URLSearchParams(c.req.url.slice(at + 1)).keys())].filter((name) => !known.has(name));
      if (unknown.length > 0) {
        const details = unknown.map((name) => {
          const suggestion = suggestQueryName(name, declared);
          return { param: name, code: "unknown_parameter", message: `unknown query parameter '${name}'${suggestion ? `: did you mean '${suggestion}'?` : ""}` };
        });
        const accepted = declared.length ? ` Accepted here: ${declared.join(", ")}.` : " This operation takes no query parameters.";
        const first = details[0]!.message;
        throw new ValidationError(`Invalid query parameter '${unknown[0]}': ${first}${first.endsWith("?") ? "" : "."}${accepted}`, unknown[0], "invalid_parameter", details);
      }
    }
    await next();
  };
}

/** The declared name a partner most likely meant: same letters (case, `_`, `-`, `[]` aside), a known alias, or a typo of up to two letters. */
export function suggestQueryName(given: string, declared: readonly string[]): string | undefined {
  const squash = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, "");
  const g = squash(given);
  if (!g) return undefined;
  const same = declared.find((d) => squash(d) === g);
  if (same) return same;
  const alias = QUERY_ALIASES[g];
  if (alias && declared.includes(alias)) return alias;
  if (g.length < 4) return undefined;
  let best: { name: string; distance: number } | undefined;
  for (const d of declared) {
    const distance = editDistance(g, squash(d));
    if (distance <= 2 && (!best || distance < best.distance)) best = { name: d, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

export type Router = ReturnType<typeof createRouter>;

/** The Error schema's `code`: the codes any operation may answer, from lib/errors.ts (one list, also in the README). */
const CODE_DESCRIPTION =
  "Stable snake_case code to branch on. The codes any operation may answer: " +
  Object.entries(COMMON_ERROR_CODES)
    .map(([code, what]) => `\`${code}\` (${what.replace(/\.$/, "")})`)
    .join("; ") +
  ". An operation's own refusals (e.g. `amount_exceeds_due`, `nothing_left_to_pay`) are listed in its description.";

export const ErrorSchema = z
  .object({
    error: z.object({
      type: z
        .enum(ERROR_TYPES)
        .openapi({ description: "Family of the error." }),
      code: z.string().openapi({ description: CODE_DESCRIPTION, example: "invalid_parameter" }),
      message: z.string().openapi({ description: "Human-readable explanation.", example: "Invalid body 'siret': must be 14 digits" }),
      param: z.string().optional().openapi({ description: "The field at fault, dotted path.", example: "siret" }),
      details: z
        .array(
          z.object({
            param: z.string().optional(),
            code: z.enum(Object.keys(FIELD_ERROR_CODES) as [FieldErrorCode, ...FieldErrorCode[]]).openapi({
              description: `The same vocabulary as \`code\`: ${Object.entries(FIELD_ERROR_CODES).map(([c, d]) => `\`${c}\` ${d.charAt(0).toLowerCase()}${d.slice(1, -1)}`).join("; ")}.`,
              example: "invalid_amount",
            }),
            message: z.string().openapi({ example: "amounts are integer cents: send 320 for 3.20 € (not 3.2)" }),
          }),
        )
        .optional()
        .openapi({ description: "Every validation issue found, not only the first; the envelope's `code` is then `invalid_parameter` and its `param` the first of them." }),
      request_id: z.string().openapi({ example: "req_0193a4b2c7e84d1f9a6b2c3d4e5f6a7b" }),
    }),
  })
  .openapi("Error");

const ERROR_DESCRIPTIONS = {
  400: "Invalid request: a field, query parameter or header is missing, malformed or unknown: `invalid_parameter`, `param` naming the first field at fault and `details` every one (`missing_parameter`, `unknown_parameter`, `invalid_parameter`, `invalid_amount` for an amount not in integer cents); an `X-D1-Bookmark` that is not one this API answered: `invalid_bookmark`.",
  401: "Missing, malformed, expired or revoked credentials. `WWW-Authenticate` carries the Bearer challenge (RFC 6750): `error=\"invalid_token\"` and an `error_description` when credentials were sent and refused.",
  403: "The credential lacks the scope this operation needs.",
  404: "No such object for this partner and mode (another partner's or mode's objects answer 404 too).",
  409: "The object's state does not allow this, or a unique value is taken, or the idempotency key is in flight.",
  413: "Request body larger than 1 MB.",
  415: "Content-Type is not application/json.",
  422: "A business rule refuses the request, or the idempotency key was reused with another request.",
  429: "Rate limit exceeded; see Retry-After.",
  500: "Unexpected error; retry with the same Idempotency-Key: if the operation had written nothing it runs, else its answer is replayed.",
} as const;

export type ErrorStatus = keyof typeof ERROR_DESCRIPTIONS;

type OperationLike = { parameters?: { in?: string; name?: string }[]; responses?: Record<string, unknown> };

/**
 * Documents, on every operation they apply to, the answers of the middlewares that run before
 * any route (so the route definitions cannot list them): the 1 MB body limit of /v1 (413, on
 * every method that carries a body) and the Idempotency-Key checks (409 in progress, 422 key
 * reused, on every operation that takes the header). Found missing by test/fuzz.
 */
export function documentMiddlewareResponses<T extends { paths?: object; components?: object }>(doc: T): T {
  const error = (status: ErrorStatus) => ({ description: ERROR_DESCRIPTIONS[status], content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } });
  const components = ((doc as { components?: Record<string, unknown> }).components ??= {}) as Record<string, Record<string, unknown> | undefined>;
  (components.headers ??= {})[BOOKMARK_HEADER_NAME] = BOOKMARK_HEADER_DOC;
  for (const [path, item] of Object.entries((doc.paths ?? {}) as Record<string, Record<string, OperationLike>>)) {
    if (!path.startsWith("/v1/")) continue;
    for (const [method, op] of Object.entries(item)) {
      const add: ErrorStatus[] = [];
      if (["post", "put", "patch", "delete"].includes(method)) add.push(413);
      if (op.parameters?.some((p) => p.in === "header" && p.name?.toLowerCase() === "idempotency-key")) add.push(409, 422);
      const responses: Record<string, unknown> = { ...(op.responses ?? {}) };
      for (const status of add) responses[status] ??= error(status);
      // request-context stamps X-D1-Bookmark on every API answer, errors included.
      for (const [status, response] of Object.entries(responses) as [string, { headers?: Record<string, unknown> }][]) {
        responses[status] = { ...response, headers: { ...response.headers, [BOOKMARK_HEADER_NAME]: { $ref: `#/components/headers/${BOOKMARK_HEADER_NAME}` } } };
      }
      op.responses = add.length === 0 ? responses : Object.fromEntries(Object.entries(responses).sort(([a], [b]) => Number(a) - Number(b)));
    }
  }
  return doc;
}

const BOOKMARK_HEADER_NAME = "X-D1-Bookmark";

/** The response header of read-your-own-writes (middleware/request-context.ts), documented once and referenced by every /v1 response. */
const BOOKMARK_HEADER_DOC = {
  description:
    "The D1 session bookmark after this request: the state of the database its reads and writes reached, a Durable Object's writes included. " +
    "Reads may be served by a nearby read replica; send this value back as the `X-D1-Bookmark` request header and that request reads at least this fresh, " +
    "so a read after your own write always sees it. Opaque: send it back as received. A value that is not a bookmark this API answered is refused, " +
    "400 `invalid_bookmark` naming `X-D1-Bookmark`, before anything runs. Absent only when the request reached no database and sent none.",
  schema: { type: "string", pattern: "^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$", example: "00000001-00000002-00004e2f-0a83ea2fceebc654de0640c422be4653" },
} as const;

/** What a 401 sends besides its envelope (lib/http-errors.ts bearerChallenge). */
const ChallengeHeaders = z.object({
  "WWW-Authenticate": z.string().openapi({
    description:
      "RFC 6750 Bearer challenge. No credentials sent: `Bearer realm=\"paiements-api\"` (`paiements-admin` on /v1/admin). Credentials sent and refused (expired, revoked, unknown or malformed): `Bearer realm=\"paiements-api\", error=\"invalid_token\", error_description=\"…\"`.",
    example: 'Bearer realm="paiements-api", error="invalid_token", error_description="The access token has expired: request a new one at /v1/auth/token."',
  }),
});

/** Error responses for an operation: the common ones plus those it names. */
export function errorResponses(...extra: ErrorStatus[]) {
  const statuses = new Set<ErrorStatus>([400, 401, 403, 429, 500, ...extra]);
  const out: Partial<Record<ErrorStatus, { description: string; headers?: typeof ChallengeHeaders; content: { "application/json": { schema: typeof ErrorSchema } } }>> = {};
  for (const s of [...statuses].sort()) {
    out[s] = { description: ERROR_DESCRIPTIONS[s], ...(s === 401 ? { headers: ChallengeHeaders } : {}), content: { "application/json": { schema: ErrorSchema } } };
  }
  return out;
}

export function jsonBody<T extends z.ZodType>(schema: T, description?: string) {
  return {
    required: true,
    ...(description ? { description } : {}),
    content: { "application/json": { schema } },
  } as const;
}

export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } } as const;
}

export const PaginationSchema = z
  .object({
    page: z.number().int(),
    page_size: z.number().int(),
    total_items: z.number().int(),
    total_pages: z.number().int(),
  })
  .openapi("Pagination");

export function paginated<T extends z.ZodType>(item: T, name: string) {
  return z.object({ data: z.array(item), pagination: PaginationSchema }).openapi(name);
}

/** Headers every tenant-scoped operation declares. */
export const EntityHeader = z.object({
  "x-entity-id": z.string().openapi({
    description: "The organization this call acts for (`org-…`). Another partner's or mode's organization answers 404.",
    example: "org-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b",
  }),
});

/** Headers of the operations addressed by an object id: the object names its organization, the header only narrows (middleware/tenancy.ts entityFromHeaderOrObject). */
export const ObjectEntityHeader = z.object({
  "x-entity-id": z.string().optional().openapi({
    description:
      "Optional: the object's id already names its organization. When sent it must be that organization (`org-…`): another one, or another partner's or mode's, answers 404 as if the object did not exist.",
    example: "org-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b",
  }),
});

/** Headers of the partner-wide reports: one organization when named, else every organization of the partner in the credential's mode. */
export const OptionalEntityHeader = z.object({
  "x-entity-id": z.string().optional().openapi({
    description: "One organization (`org-…`); without it, every organization of the partner in the credential's mode. Another partner's or mode's organization answers 404.",
    example: "org-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b",
  }),
});

export const IdempotencyHeader = z.object({
  "idempotency-key": z
    .string()
    .optional()
    .openapi({
      description:
        "Makes a retry safe (alias `X-Idempotency-Key`): per partner, mode and X-Entity-Id organization, the same key and body replays the first response for 24 h, to a caller that passes the same scope and tenancy checks. The key is written by the operation's own batch (no extra round trip): once that batch committed, its answer is the answer, whatever its status; a request refused before writing anything (400, 401, 403, 413, 415, 429, an unknown X-Entity-Id, a 404 or 422 decided before the write) keeps nothing, and a retry runs again. Another body with the same key → 422 `idempotency_key_reused`; while the first is running or its answer is being stored (a moment after it answered) → 409 `idempotency_request_in_progress`: retry shortly. Operations that act through a payment intent's object (refunds, captures, cancellations, revocations, sandbox simulations) claim the key before acting instead, and keep only what the operation decided (2xx, 404, 409 except `concurrent_update`, 422).",
      example: "order-4711",
    }),
});

// Field shapes live in ./fields (services declare their inputs with them); routes import them from either.
export { AddressSchema, DateBound, Metadata, PaginationQuery, Timestamp, WarningSchema } from "./fields";

/** A document download (PDF, XML): bytes, not JSON. */
export function fileResponse(contentType: "application/pdf" | "application/xml", description: string) {
  return {
    description,
    headers: z.object({
      "content-disposition": z.string().openapi({ example: 'inline; filename="FAC-2026-00001.pdf"' }),
      "x-document-sha256": z.string().optional().openapi({ description: "SHA-256 (hex) of the bytes served, as recorded on the resource; absent on a draft preview." }),
    }),
    content: { [contentType]: { schema: z.string().openapi({ format: "binary" }) } },
  } as const;
}

/** The response of a document download: the bytes as stored, never re-encoded. */
export function fileBody(doc: { bytes: Uint8Array; contentType: string; filename: string; sha256?: string | null }): Response {
  const headers: Record<string, string> = {
    "Content-Type": doc.contentType === "application/xml" ? "application/xml; charset=utf-8" : doc.contentType,
    "Content-Disposition": `inline; filename="${doc.filename}"`,
    "Content-Length": String(doc.bytes.byteLength),
    "Cache-Control": "private, no-store",
  };
  if (doc.sha256) headers["X-Document-Sha256"] = doc.sha256;
  return new Response(doc.bytes, { status: 200, headers });
}
