import { createRoute, z } from "@hono/zod-openapi";
import { REPORT_PERIODS } from "../../domain/report-periods";
import { errorResponses, jsonResponse, OptionalEntityHeader, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { optionalEntity } from "../../middleware/tenancy";
import { getPaymentStats, PaymentStatsInput } from "../../services/reports/stats";
import { serviceContext } from "../context";

const Cents = (description: string, example: number) => z.number().int().openapi({ description: `${description} In cents.`, example });

export const PaymentStatsSchema = z
  .object({
    object: z.literal("payment_stats"),
    period: z.enum(REPORT_PERIODS).openapi({ example: "month" }),
    from: z.string().openapi({ format: "date", description: "First Paris day of the period (pass it as `from_date` to GET /v1/payments).", example: "2026-03-01" }),
    to: z.string().openapi({ format: "date", description: "Last Paris day of the period, inclusive (`to_date` of GET /v1/payments).", example: "2026-03-31" }),
    currency: z.string().openapi({ example: "EUR" }),
    total_collected: Cents("Money received in the period: payments completed, partially refunded or refunded, by their `paid_at`.", 1266000),
    total_refunded: Cents("Refunds that succeeded in the period, by their completion.", 42200),
    net_collected: Cents("`total_collected − total_refunded`.", 1223800),
    total_pending: Cents("Money initiated in the period and not yet settled: payments `pending` (a transfer processing, a card hold not captured).", 84400),
    payments_count: z.number().int().openapi({ description: "Payments received in the period (those summed in `total_collected`).", example: 30 }),
    by_method: z
      .object({
        sepa_credit: z.number().int(),
        card: z.number().int(),
        cash: z.number().int(),
        cheque: z.number().int(),
        bank_transfer: z.number().int(),
        other: z.number().int(),
      })
      .openapi({ description: "`total_collected` by payment method, in cents (every method listed, 0 when none).", example: { sepa_credit: 844000, card: 422000, cash: 0, cheque: 0, bank_transfer: 0, other: 0 } }),
    conversion_rate: z.number().nullable().openapi({
      description: "Percent, one decimal: payment intents created in the period that succeeded, over those in which the payer chose a method. Null when no payer chose one.",
      example: 83.3,
    }),
    series: z
      .array(
        z.object({
          start: z.string().openapi({ description: "Start of the bucket, Paris wall-clock time with its UTC offset.", example: "2026-03-01T00:00:00+01:00" }),
          collected: z.number().int().openapi({ example: 84400 }),
          refunded: z.number().int().openapi({ example: 0 }),
          count: z.number().int().openapi({ description: "Payments received in the bucket.", example: 2 }),
        }),
      )
      .openapi({ description: "Hours of a `day` (23 or 25 on DST days), days of a `week` or `month`, months of a `year`: every bucket, empty ones included." }),
  })
  .openapi("PaymentStats");

const route = createRoute({
  method: "get",
  path: "/payments/stats/summary",
  operationId: "getPaymentStatsSummary",
  tags: ["Reports"],
  summary: "Collections of a day, week, month or year",
  description:
    "What was received, refunded and left pending in a Europe/Paris calendar period holding `date` (weeks are ISO weeks, Monday to Sunday), by method and per bucket. The figures are those of `GET /v1/payments` over the same window (`from_date=from&to_date=to`): collected sums the payments completed, partially refunded or refunded by `paid_at`; refunded sums the refunds succeeded by completion. With `X-Entity-Id` one organization, without it every organization of the partner in the credential's mode. Scope `reports:read`. Errors: 400 `invalid_parameter` (`period`, `date`, `department_id`, `currency`), 404 `resource_missing` (an organization or department that is not the caller's).",
  middleware: [requireScope("reports:read"), optionalEntity] as const,
  request: { headers: OptionalEntityHeader, query: PaymentStatsInput },
  responses: { 200: jsonResponse(PaymentStatsSchema, "The period's figures."), ...errorResponses(404) },
});

export function registerGetPaymentStatsSummary(app: Router) {
  app.openapi(route, async (c) =>
    c.json(await getPaymentStats({ ctx: serviceContext(c), organizationId: c.get("optionalEntityId"), input: c.req.valid("query") }), 200),
  );
}
