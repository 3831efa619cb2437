import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, IdempotencyHeader, jsonBody, jsonResponse, type Router } from "../../lib/openapi";
import { Forbidden } from "../../lib/errors";
import { requireScope } from "../../middleware/scopes";
import { serviceContext } from "../../services/context";
import { sweepOverdue } from "../../services/invoices/sweep-overdue";
import { CalendarDate } from "../invoices/schema";

const route = createRoute({
  method: "post",
  path: "/sandbox/sweeps",
  operationId: "runSandboxSweeps",
  tags: ["Sandbox"],
  summary: "Run the scheduled jobs on your test data as if today were `as_of`",
  description:
    "Test mode only. Runs the same jobs as the platform's cron (today: the overdue sweep) restricted to the caller's test data, with `as_of` as today's date in Europe/Paris: invoices due before it turn `overdue`, each emitting `invoice.status_changed` once.",
  middleware: [requireScope("invoices:write")] as const,
  request: {
    headers: IdempotencyHeader,
    body: jsonBody(z.strictObject({ as_of: CalendarDate.openapi({ example: "2024-04-01" }) }).openapi("SandboxSweep", { example: { as_of: "2024-04-01" } })),
  },
  responses: {
    200: jsonResponse(
      z.object({ object: z.literal("sandbox_sweep"), as_of: z.string(), invoices_marked_overdue: z.number().int() }).openapi("SandboxSweepResult"),
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
    const result = await sweepOverdue(ctx, { asOf: as_of, tenant: { partnerId: ctx.principal.partnerId, livemode: false } });
    return c.json({ object: "sandbox_sweep" as const, as_of, ...result }, 200);
  });
}
