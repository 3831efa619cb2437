import { z } from "@hono/zod-openapi";
import { boundToInstant, isCalendarDate } from "../domain/dates";
import { Text } from "./text";

/**
 * Field shapes shared by the inputs services declare and the responses routes document. Plain
 * zod with OpenAPI metadata: nothing here knows about routing or HTTP.
 */

/**
 * An amount of money, as every amount in the API: an integer number of cents of its currency.
 * A person's first try is a decimal (`3.20`); zod alone answers "expected int, received number",
 * which does not say what to send. This says it, with their value converted, and the detail's code
 * is `invalid_amount` (lib/http-errors.ts fieldErrorsOf reads it from the issue's params).
 * `min`/`max` in cents; the query variant reads the string of a query parameter as a number.
 */
export function Cents(bounds: { min?: number; max?: number } = {}) {
  return withBounds(z.number({ error: notANumberOfCents }).check(integerCents), bounds);
}

export function CentsQuery(bounds: { min?: number; max?: number } = {}) {
  return withBounds(z.coerce.number({ error: notANumberOfCents }).check(integerCents), bounds);
}

function withBounds<T extends z.ZodNumber | z.ZodCoercedNumber>(schema: T, { min, max }: { min?: number; max?: number }): T {
  // .int() is only for the OpenAPI `type: integer`: integerCents refuses a fraction first, and stops the checks after it.
  let bounded = schema.int();
  if (min !== undefined) bounded = bounded.min(min, { error: `must be at least ${min} cent${min === 1 ? "" : "s"}` });
  if (max !== undefined) bounded = bounded.max(max, { error: `must be at most ${max} cents` });
  return bounded as T;
}

const CENTS_EXAMPLE = "320 for 3.20 €";

function integerCents(ctx: { value: number; issues: unknown[] }) {
  const value = ctx.value;
  if (Number.isInteger(value) || !Number.isFinite(value)) return;
  const cents = value * 100;
  // 3.2 → "send 320 for 3.20 €"; a value with more than two decimals has no exact conversion to offer.
  const exact = Math.abs(cents - Math.round(cents)) < 1e-6;
  ctx.issues.push({
    code: "custom",
    input: value,
    params: { code: "invalid_amount" },
    message: exact
      ? `amounts are integer cents: send ${Math.round(cents)} for ${value.toFixed(2)} € (not ${value})`
      : `amounts are integer cents (${CENTS_EXAMPLE}), not ${value}`,
  });
}

/** The message when the value is not a number at all; an absent one keeps zod's (it becomes `missing_parameter`). */
function notANumberOfCents(issue: { input?: unknown }): string | undefined {
  if (issue.input === undefined) return undefined;
  const v = issue.input;
  const given =
    typeof v === "string" ? `the text ${JSON.stringify(v.slice(0, 20))}` : v === null ? "null" : Array.isArray(v) ? "an array" : typeof v === "number" ? "that" : `a ${typeof v}`;
  return `must be a number, an integer of cents (${CENTS_EXAMPLE}), not ${given}`;
}

export const PaginationQuery = z.object({
  page: z.coerce.number().int().min(1).max(100_000).optional().openapi({ description: "Page number, from 1.", example: 1 }),
  page_size: z.coerce.number().int().min(1).max(100).optional().openapi({ description: "Items per page, 1 to 100 (default 20).", example: 20 }),
  limit: z.coerce.number().int().min(1).max(100).optional().openapi({ description: "Alias of `page_size`." }),
});

export const Metadata = z
  .record(Text({ min: 1, max: 40, trim: false }), Text({ max: 500, multiline: true, trim: false }))
  .refine((m) => Object.keys(m).length <= 50, { message: "at most 50 keys" })
  .openapi({ description: "Your own key-value pairs (up to 50 keys, 40-char keys, 500-char values).", example: { external_ref: "CRM-4711" } });

export const AddressSchema = z
  .object({
    line1: Text({ min: 1, max: 200 }).openapi({ example: "1 Place de la Comédie" }),
    line2: Text({ max: 200 }).optional(),
    postal_code: Text({ min: 1, max: 20 }).openapi({ example: "69001" }),
    city: Text({ min: 1, max: 100 }).openapi({ example: "Lyon" }),
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

/** A calendar day (YYYY-MM-DD), read in Europe/Paris. */
export const CalendarDate = z
  .string()
  .refine(isCalendarDate, "must be a date YYYY-MM-DD")
  .openapi({ format: "date", example: "2026-03-31" });
