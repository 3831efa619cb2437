import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, IdempotencyHeader, jsonBody, jsonResponse, type Router } from "../../lib/openapi";
import { Forbidden } from "../../lib/errors";
import { requireScope } from "../../middleware/scopes";
import { serviceContext } from "../../services/context";
import { addDays, parisStartOfDay } from "../../domain/dates";
import { sweepOverdue } from "../../services/invoices/sweep-overdue";
import { expirePaymentLinks } from "../../services/payment-links/expire-links";
import { CalendarDate } from "../invoices/schema";

const route = createRoute({
  method: "post",
  path: "/sandbox/sweeps",
  operationId: "runSandboxSweeps",
  tags: ["Sandbox"],
  summary: "Run the scheduled jobs on your test data as if today were `as_of`",
  description:
    "Test mode only. Runs the same jobs as the platform's cron on the caller's test data as if today were `as_of` (Europe/Paris): payment links expiring on or before that day expire (their intents are canceled), and invoices due before it turn `overdue`, each emitting `invoice.status_changed` once.",
  middleware: [requireScope("invoices:write")] as const,
  request: {
    headers: IdempotencyHeader,
    body: jsonBody(z.strictObject({ as_of: CalendarDate.openapi({ example: "2024-04-01" }) }).openapi("SandboxSweep", { example: { as_of: "2024-04-01" } })),
  },
  responses: {
    200: jsonResponse(
      z
        .object({ object: z.literal("sandbox_sweep"), as_of: z.string(), invoices_marked_overdue: z.number().int(), payment_links_expired: z.number().int() })
        .openapi("SandboxSweepResult"),
      "What the jobs changed.",
    ),
    ...errorResponses(413, 415),
  },
});

export function registerSandboxSweeps(app: Router) {
  app.openapi(route, async (c) => {
    const ctx = serviceContext(c);
    if (ctx.principal.livemode) throw new Forbidden("Sandbox endpoints need test-mode credentials.", "test_mode_only");
    const { as_of } = c.req.valid("json");
    const tenant = { partnerId: ctx.principal.partnerId, livemode: false };
    const links = await expirePaymentLinks(ctx, { cutoff: parisStartOfDay(addDays(as_of, 1)), tenant });
    const invoices = await sweepOverdue(ctx, { asOf: as_of, tenant });
    return c.json({ object: "sandbox_sweep" as const, as_of, ...invoices, ...links }, 200);
  });
}
