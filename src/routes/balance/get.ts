import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, jsonResponse, OptionalEntityHeader, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { optionalEntity } from "../../middleware/tenancy";
import { BalanceInput, getBalance } from "../../services/reports/balance";
import { serviceContext } from "../context";

const FiguresSchema = z
  .object({
    collected: z.number().int().openapi({ description: "Money received (payments completed, partially refunded or refunded), in cents.", example: 1266000 }),
    refunded: z.number().int().openapi({ description: "Refunds that succeeded, in cents.", example: 42200 }),
    net: z.number().int().openapi({ description: "`collected − refunded`, in cents.", example: 1223800 }),
    pending: z.number().int().openapi({ description: "Payments initiated and not yet settled (a transfer processing, a card hold not captured), in cents.", example: 0 }),
    refunds_pending: z.number().int().openapi({ description: "Refunds asked and not yet settled, in cents (not deducted from `net`).", example: 0 }),
    currency: z.string().openapi({ example: "EUR" }),
  })
  .openapi("BalanceFigures");

const Period = {
  all_time: FiguresSchema.openapi({ description: "Since the beginning." }),
  month: FiguresSchema.openapi({ description: "In the current Europe/Paris month (refunds by completion, pending refunds by when they were asked)." }),
};

export const BalanceSchema = z
  .object({
    object: z.literal("balance"),
    livemode: z.boolean(),
    currency: z.string().openapi({ example: "EUR" }),
    as_of: z.string().openapi({ format: "date-time", example: "2026-03-15T10:30:00.000Z" }),
    month: z.object({ from: z.string().openapi({ example: "2026-03-01" }), to: z.string().openapi({ example: "2026-03-31" }) }).openapi({ description: "The current Paris month." }),
    totals: z.object(Period).openapi({ description: "Every organization listed, together." }),
    organizations: z.array(
      z.object({
        organization_id: z.string().openapi({ example: "org-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
        name: z.string().openapi({ example: "Mairie de Lyon" }),
        ...Period,
        departments: z.array(
          z.object({
            department_id: z.string().openapi({ example: "dept-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
            name: z.string().openapi({ example: "Régie de l'Eau" }),
            code: z.string().openapi({ example: "REG-EAU-001" }),
            ...Period,
          }),
        ),
        without_department: z.object(Period).openapi({ description: "Payments of requests without an invoice, which belong to no department." }),
      }),
    ),
  })
  .openapi("Balance");

const route = createRoute({
  method: "get",
  path: "/balance",
  operationId: "getBalance",
  tags: ["Reports"],
  summary: "What went through each organization and department: a statement, not a wallet",
  description:
    "Per organization and per department, since the beginning and in the current Europe/Paris month: collected, refunded, net, pending and refunds pending, in one currency (`currency`, default EUR). **We never hold money**: payers pay straight into each department's own bank account, so this is a statement of what went through the platform — nothing here is available for payout. With `X-Entity-Id` one organization, without it every organization of the partner in the credential's mode. Scope `reports:read`. Errors: 400 `invalid_parameter` (`currency`), 404 `resource_missing` (an organization that is not the caller's).",
  middleware: [requireScope("reports:read"), optionalEntity] as const,
  request: { headers: OptionalEntityHeader, query: BalanceInput },
  responses: { 200: jsonResponse(BalanceSchema, "The statement."), ...errorResponses(404) },
});

export function registerGetBalance(app: Router) {
  app.openapi(route, async (c) => c.json(await getBalance({ ctx: serviceContext(c), organizationId: c.get("optionalEntityId"), input: c.req.valid("query") }), 200));
}
