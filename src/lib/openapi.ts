import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { Hook } from "@hono/zod-openapi";
import type { AppEnv } from "../env";
import { boundToInstant } from "../domain/dates";
import { ValidationError, type ErrorDetail } from "./errors";

/**
 * Shared OpenAPI pieces: the router every resource registers on, the validation hook that turns
 * zod issues into the error envelope, the error responses, pagination and common field shapes.
 */

type ZodIssueLike = { path: PropertyKey[]; message: string; code: string; keys?: string[] };

export function issuesToDetails(issues: readonly ZodIssueLike[]): ErrorDetail[] {
  return issues.flatMap((i) => {
    const path = i.path.map(String);
    // An unknown field is named itself, so a typo ('siert') points at the right place.
    if (i.code === "unrecognized_keys" && i.keys?.length) {
      return i.keys.map((k) => ({ param: [...path, k].join("."), code: "unknown_parameter", message: `unknown field '${k}'` }));
    }
    const param = path.join(".");
    return [{ ...(param ? { param } : {}), code: i.code, message: i.message }];
  });
}

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
  const details = issuesToDetails(issues);
  const first = details[0];
  const where = TARGET_LABEL[result.target] ?? result.target;
  const message = first
    ? `Invalid ${where}${first.param ? ` '${first.param}'` : ""}: ${first.message}`
    : `Invalid ${where}.`;
  throw new ValidationError(message, first?.param, "invalid_parameter", details);
};

export function createRouter() {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
}

export type Router = ReturnType<typeof createRouter>;

export const ErrorSchema = z
  .object({
    error: z.object({
      type: z
        .enum([
          "invalid_request_error",
          "authentication_error",
          "permission_error",
          "not_found_error",
          "conflict_error",
          "business_rule_error",
          "idempotency_error",
          "rate_limit_error",
          "api_error",
        ])
        .openapi({ description: "Family of the error." }),
      code: z.string().openapi({ description: "Stable snake_case code, documented per operation.", example: "invalid_parameter" }),
      message: z.string().openapi({ description: "Human-readable explanation.", example: "Invalid body 'siret': must be 14 digits" }),
      param: z.string().optional().openapi({ description: "The field at fault, dotted path.", example: "siret" }),
      details: z
        .array(z.object({ param: z.string().optional(), code: z.string(), message: z.string() }))
        .optional()
        .openapi({ description: "Every validation issue found, not only the first." }),
      request_id: z.string().openapi({ example: "req_0193a4b2c7e84d1f9a6b2c3d4e5f6a7b" }),
    }),
  })
  .openapi("Error");

const ERROR_DESCRIPTIONS = {
  400: "Invalid request: a field is missing or malformed (`param` names it).",
  401: "Missing, malformed, expired or revoked credentials.",
  403: "The credential lacks the scope this operation needs.",
  404: "No such object for this partner and mode (another partner's or mode's objects answer 404 too).",
  409: "The object's state does not allow this, or a unique value is taken, or the idempotency key is in flight.",
  413: "Request body larger than 1 MB.",
  415: "Content-Type is not application/json.",
  422: "A business rule refuses the request, or the idempotency key was reused with another request.",
  429: "Rate limit exceeded; see Retry-After.",
  500: "Unexpected error; safe to retry with the same Idempotency-Key.",
} as const;

export type ErrorStatus = keyof typeof ERROR_DESCRIPTIONS;

type OperationLike = { parameters?: { in?: string; name?: string }[]; responses?: Record<string, unknown> };

/**
 * Documents, on every operation they apply to, the answers of the middlewares that run before
 * any route (so the route definitions cannot list them): the 1 MB body limit of /v1 (413, on
 * every method that carries a body) and the Idempotency-Key checks (409 in progress, 422 key
 * reused, on every operation that takes the header). Found missing by test/fuzz.
 */
export function documentMiddlewareResponses<T extends { paths?: object }>(doc: T): T {
  const error = (status: ErrorStatus) => ({ description: ERROR_DESCRIPTIONS[status], content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } });
  for (const [path, item] of Object.entries((doc.paths ?? {}) as Record<string, Record<string, OperationLike>>)) {
    if (!path.startsWith("/v1/")) continue;
    for (const [method, op] of Object.entries(item)) {
      const add: ErrorStatus[] = [];
      if (["post", "put", "patch", "delete"].includes(method)) add.push(413);
      if (op.parameters?.some((p) => p.in === "header" && p.name?.toLowerCase() === "idempotency-key")) add.push(409, 422);
      if (add.length === 0) continue;
      const responses: Record<string, unknown> = { ...(op.responses ?? {}) };
      for (const status of add) responses[status] ??= error(status);
      op.responses = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => Number(a) - Number(b)));
    }
  }
  return doc;
}

/** Error responses for an operation: the common ones plus those it names. */
export function errorResponses(...extra: ErrorStatus[]) {
  const statuses = new Set<ErrorStatus>([400, 401, 403, 429, 500, ...extra]);
  const out: Partial<Record<ErrorStatus, { description: string; content: { "application/json": { schema: typeof ErrorSchema } } }>> = {};
  for (const s of [...statuses].sort()) {
    out[s] = { description: ERROR_DESCRIPTIONS[s], content: { "application/json": { schema: ErrorSchema } } };
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

export const PaginationQuery = z.object({
  page: z.coerce.number().int().min(1).max(100_000).optional().openapi({ description: "Page number, from 1.", example: 1 }),
  page_size: z.coerce.number().int().min(1).max(100).optional().openapi({ description: "Items per page, 1 to 100 (default 20).", example: 20 }),
  limit: z.coerce.number().int().min(1).max(100).optional().openapi({ description: "Alias of `page_size`." }),
});

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

export function pageParams(q: { page?: number | undefined; page_size?: number | undefined; limit?: number | undefined }) {
  const page = q.page ?? 1;
  const pageSize = q.page_size ?? q.limit ?? 20;
  return { page, pageSize, offset: (page - 1) * pageSize };
}

export function pagination(page: number, pageSize: number, totalItems: number) {
  return { page, page_size: pageSize, total_items: totalItems, total_pages: Math.ceil(totalItems / pageSize) };
}

/** Headers every tenant-scoped operation declares. */
export const EntityHeader = z.object({
  "x-entity-id": z.string().openapi({
    description: "The organization this call acts for (`org-…`). Another partner's or mode's organization answers 404.",
    example: "org-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b",
  }),
});

export const IdempotencyHeader = z.object({
  "idempotency-key": z
    .string()
    .optional()
    .openapi({ description: "Makes a retry safe: same key and body replays the first response for 24 h (alias `X-Idempotency-Key`).", example: "order-4711" }),
});

export const Metadata = z
  .record(z.string().min(1).max(40), z.string().max(500))
  .refine((m) => Object.keys(m).length <= 50, { message: "at most 50 keys" })
  .openapi({ description: "Your own key-value pairs (up to 50 keys, 40-char keys, 500-char values).", example: { external_ref: "CRM-4711" } });

export const AddressSchema = z
  .object({
    line1: z.string().trim().min(1).max(200).openapi({ example: "1 Place de la Comédie" }),
    line2: z.string().trim().max(200).optional(),
    postal_code: z.string().trim().min(1).max(20).openapi({ example: "69001" }),
    city: z.string().trim().min(1).max(100).openapi({ example: "Lyon" }),
    country: z
      .string()
      .regex(/^[A-Z]{2}$/, "must be an ISO 3166-1 alpha-2 code such as FR")
      .openapi({ example: "FR" }),
  })
  .openapi("Address");

export const WarningSchema = z
  .object({
    code: z.string().openapi({ example: "siret_checksum_failed" }),
    param: z.string().openapi({ example: "siret" }),
    message: z.string(),
  })
  .openapi("Warning", { description: "Accepted in test mode only: live mode refuses the same value with 400." });

export const Timestamp = z.string().openapi({ format: "date-time", example: "2026-02-01T10:30:00.000Z" });

/** A query bound: an ISO 8601 instant, or a calendar date read in Europe/Paris (see domain/dates instantRange). */
export const DateBound = z
  .string()
  .refine((v) => boundToInstant(v, "start") !== null, "must be an ISO 8601 instant (2024-02-01T00:00:00Z) or a date (2024-02-01, read in Europe/Paris)");
