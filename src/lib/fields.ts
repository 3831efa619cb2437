import { z } from "@hono/zod-openapi";
import { boundToInstant, isCalendarDate } from "../domain/dates";
import { Text } from "./text";

/**
 * Field shapes shared by the inputs services declare and the responses routes document. Plain
 * zod with OpenAPI metadata: nothing here knows about routing or HTTP.
 */

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
