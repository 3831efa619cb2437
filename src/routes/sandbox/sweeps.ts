import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, IdempotencyHeader, jsonBody, jsonResponse, type Router } from "../../lib/openapi";
import { claimsUpfront } from "../../middleware/idempotency";
import { requireScope } from "../../middleware/scopes";
import { requireTestMode } from "../../middleware/test-mode";
import { runSandboxSweeps, RunSandboxSweepsInput } from "../../services/sandbox/run-sweeps";
import { serviceContext } from "../context";

const route = createRoute({
  method: "post",
  path: "/sandbox/sweeps",
  operationId: "runSandboxSweeps",
  tags: ["Sandbox"],
  summary: "Run the scheduled jobs on your test data as if today were `as_of`",
  description:
    "Test mode only. Runs the same jobs as the platform's cron on the caller's test data as if today were `as_of` (Europe/Paris): payment links expiring on or before that day expire (their intents are canceled), card holds still uncaptured whose `capture_before` falls on or before that day are released (`canceled`, `cancellation_reason: \"hold_expired\"`, `payment_intent.status_changed`; counted in `holds_released`), invoices due before it turn `overdue`, each emitting `invoice.status_changed` once, and sent quotes whose `valid_until` is before it turn `expired`, each emitting `quote.status_changed` once. Then the dunning job runs as of that day (counted as inside the 08:00–20:00 sending window): each unpaid invoice gets the reminder of its latest due rule once (`invoice.reminder_sent`; the message is in `GET /v1/messages`), and `invoice.dunning_finished` once its last rule has run.",
  // Its first effect is a Durable Object call: the Idempotency-Key is claimed before it (middleware/idempotency.ts).
  middleware: [requireScope("invoices:write"), requireTestMode, claimsUpfront] as const,
  request: {
    headers: IdempotencyHeader,
    body: jsonBody(RunSandboxSweepsInput),
  },
  responses: {
    200: jsonResponse(
      z
        .object({ object: z.literal("sandbox_sweep"), as_of: z.string(), invoices_marked_overdue: z.number().int(), payment_links_expired: z.number().int(), holds_released: z.number().int().openapi({ description: "Card holds (`requires_capture`) whose `capture_before` falls on or before `as_of`, released (`canceled`, `cancellation_reason: \"hold_expired\"`)." }), quotes_expired: z.number().int(), dunning_reminders_sent: z.number().int(), dunning_finished: z.number().int() })
        .openapi("SandboxSweepResult"),
      "What the jobs changed.",
    ),
    ...errorResponses(413, 415),
  },
});

export function registerSandboxSweeps(app: Router) {
  app.openapi(route, async (c) => c.json(await runSandboxSweeps({ ctx: serviceContext(c), input: c.req.valid("json") }), 200));
}
