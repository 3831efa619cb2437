import { z, type RouteConfig } from "@hono/zod-openapi";
import { LEDGER_PAYMENT_METHODS } from "../../domain/payment";
import type { Router } from "../../lib/openapi";

/** The department and the month of a remittance statement (`YYYY-MM`, a Paris calendar month). */
export const RemittanceParams = z.object({
  id: z.string().openapi({ param: { name: "id", in: "path" }, example: "dept-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
  month: z.string().openapi({ param: { name: "month", in: "path" }, description: "The Paris calendar month, `YYYY-MM` (2000-01 to 2100-12).", example: "2026-03" }),
});

/**
 * Registers a statement route whose file extension follows the month (`…/2026-03.csv`): OpenAPI
 * documents `{month}.csv`, while Hono's router (whose `:month.csv` would name the parameter
 * "month.csv") gets `:month{…\.csv}`; the handler reads the month without its extension.
 */
export function registerWithExtension(app: Router, route: RouteConfig & { path: `${string}/{month}.${string}` }, handler: Parameters<Router["openapi"]>[1]) {
  const extension = route.path.slice(route.path.lastIndexOf(".") + 1);
  const { middleware: _middleware, ...doc } = route;
  void _middleware;
  app.openAPIRegistry.registerPath(doc);
  const honoPath = route.path.replace(`{month}.${extension}`, `{month{[^/]+\\.${extension}}}`);
  app.openapi({ ...route, path: honoPath, hide: true } as never, handler as never);
}

/** `2026-03.csv` → `2026-03` (the service checks the month). */
export function monthWithout(extension: string, month: string): string {
  return month.endsWith(`.${extension}`) ? month.slice(0, -extension.length - 1) : month;
}

const Method = z.enum(LEDGER_PAYMENT_METHODS);
const Counts = { collected_count: z.number().int(), collected: z.number().int(), refunded_count: z.number().int(), refunded: z.number().int() };
const PaymentLine = z.object({
  id: z.string(),
  receipt_number: z.string().openapi({ description: "As the payment's receipt (GET /v1/payments/{id}/receipt) is numbered: `<invoice number>-R<rank>`, or `DP-…` for a payment request's." }),
  invoice_id: z.string().nullable(),
  invoice_number: z.string().nullable(),
  payer_initials: z.string().openapi({ description: "The payer's initials only (never the name)." }),
  amount: z.number().int(),
  method: Method,
  reference: z.string().nullable(),
  paid_at: z.string(),
  date: z.string().openapi({ description: "`paid_at`'s Paris calendar date." }),
});

export const RemittanceSchema = z
  .object({
    object: z.literal("remittance_statement"),
    livemode: z.boolean(),
    organization: z.object({ id: z.string(), name: z.string(), siret: z.string() }),
    department: z.object({ id: z.string(), name: z.string(), code: z.string() }),
    bank_account: z.object({ iban_masked: z.string(), bank_name: z.string().nullable() }).nullable().openapi({ description: "The department's default bank account, masked; null when it has none." }),
    period: z.object({ month: z.string(), from: z.string(), to: z.string() }).openapi({ description: "The Paris calendar month and its first and last days." }),
    currency: z.string(),
    days: z.array(z.object({ date: z.string(), method: Method, ...Counts })).openapi({ description: "Per Paris day and method (only those with a movement), oldest first: payments collected and refunds completed." }),
    payments: z.array(PaymentLine).openapi({ description: "Every payment collected in the month (statuses completed, partially_refunded, refunded, by `paid_at`), oldest first." }),
    refunds: z
      .array(z.object({ id: z.string(), payment_id: z.string(), receipt_number: z.string(), amount: z.number().int(), method: Method, completed_at: z.string(), date: z.string() }))
      .openapi({ description: "Refunds succeeded in the month (by `completed_at`) of the department's payments, whatever the month of the payment; `method` is the payment's." }),
    voided_payments: z.array(PaymentLine.extend({ voided_at: z.string().nullable() })).openapi({ description: "Offline payments of the month voided as recorded by mistake: listed apart, never counted." }),
    totals: z.object({
      collected: z.number().int(),
      refunded: z.number().int(),
      net: z.number().int().openapi({ description: "collected − refunded" }),
      collected_count: z.number().int(),
      refunded_count: z.number().int(),
      by_method: z.record(Method, z.object({ ...Counts, net: z.number().int() })).openapi({ description: "Every method, zeros included." }),
    }),
  })
  .openapi("RemittanceStatement", {
    example: {
      object: "remittance_statement",
      livemode: false,
      organization: { id: "org-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b", name: "Commune de Montreuil", siret: "21930048000019" },
      department: { id: "dept-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b", name: "Régie cantine", code: "CANTINE" },
      bank_account: { iban_masked: "FR76 **** **** **** **** ***0 185", bank_name: "DGFiP" },
      period: { month: "2026-03", from: "2026-03-01", to: "2026-03-31" },
      currency: "EUR",
      days: [
        { date: "2026-03-02", method: "cash", collected_count: 1, collected: 12200, refunded_count: 0, refunded: 0 },
        { date: "2026-03-09", method: "sepa_credit", collected_count: 1, collected: 42200, refunded_count: 1, refunded: 1500 },
      ],
      payments: [
        { id: "pay-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7c", receipt_number: "FAC-2026-00001-R1", invoice_id: "inv-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b", invoice_number: "FAC-2026-00001", payer_initials: "J. D.", amount: 12200, method: "cash", reference: null, paid_at: "2026-03-01T23:00:00.000Z", date: "2026-03-02" },
        { id: "pay-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7d", receipt_number: "FAC-2026-00002-R1", invoice_id: "inv-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7c", invoice_number: "FAC-2026-00002", payer_initials: "M. M.", amount: 42200, method: "sepa_credit", reference: null, paid_at: "2026-03-09T10:12:00.000Z", date: "2026-03-09" },
      ],
      refunds: [{ id: "ref-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b", payment_id: "pay-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7d", receipt_number: "FAC-2026-00002-R1", amount: 1500, method: "sepa_credit", completed_at: "2026-03-09T15:00:00.000Z", date: "2026-03-09" }],
      voided_payments: [],
      totals: {
        collected: 54400,
        refunded: 1500,
        net: 52900,
        collected_count: 2,
        refunded_count: 1,
        by_method: {
          sepa_credit: { collected_count: 1, collected: 42200, refunded_count: 1, refunded: 1500, net: 40700 },
          card: { collected_count: 0, collected: 0, refunded_count: 0, refunded: 0, net: 0 },
          cash: { collected_count: 1, collected: 12200, refunded_count: 0, refunded: 0, net: 12200 },
          cheque: { collected_count: 0, collected: 0, refunded_count: 0, refunded: 0, net: 0 },
          bank_transfer: { collected_count: 0, collected: 0, refunded_count: 0, refunded: 0, net: 0 },
          other: { collected_count: 0, collected: 0, refunded_count: 0, refunded: 0, net: 0 },
        },
      },
    },
  });

export const REMITTANCE_DESCRIPTION =
  "The remittance statement (\"bordereau de versement\") of a department for a Paris calendar month: what a régisseur signs and sends to the comptable public. Collected: payments with status completed, partially_refunded or refunded, by `paid_at`; refunded: refunds succeeded, by `completed_at`, of the department's payments (its own department, else its invoice's); voided payments are listed apart and never counted. Payers appear by their initials only. One currency at a time (`currency`, default EUR). The department is addressed by its id alone (any of the partner's organizations; another partner's → 404). A month not `YYYY-MM` or outside 2000-01…2100-12 → 400 naming `month`. Scope `reports:read`.";
