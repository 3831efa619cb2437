import { z } from "@hono/zod-openapi";
import { addDays, parisStartOfDay } from "../../domain/dates";
import { CalendarDate } from "../../lib/fields";
import type { ServiceContext } from "../context";
import { runDunning } from "../dunning/run-dunning";
import { releaseExpiredHolds } from "../payment-intents/release-expired-holds";
import { sweepOverdue } from "../invoices/sweep-overdue";
import { expirePaymentLinks } from "../payment-links/expire-links";
import { sweepExpiredQuotes } from "../quotes/sweep-expired-quotes";

export const RunSandboxSweepsInput = z
  .strictObject({ as_of: CalendarDate.openapi({ example: "2024-04-01" }) })
  .openapi("SandboxSweep", { example: { as_of: "2024-04-01" } });

/**
 * The platform's scheduled jobs, run on the caller's test data only as if today were `as_of`
 * (Europe/Paris): links expiring on or before that day expire (canceling their intents), card
 * holds whose capture_before falls on or before that day are released (`hold_expired`), then
 * invoices due before it turn overdue, sent quotes valid until before it expire, then the dunning job
 * sends the reminders due that day (`as_of` counts as inside the 08:00–20:00 sending window). The tenant is always test mode: the route admits no other.
 */
export async function runSandboxSweeps({ ctx, input }: { ctx: ServiceContext; input: z.infer<typeof RunSandboxSweepsInput> }) {
  const { as_of } = input;
  // The sweeps ask intent objects to act directly: only once the partner gate (and an upfront key) allows.
  await ctx.beforeEffect?.();
  const tenant = { partnerId: ctx.principal.partnerId, livemode: false };
  const endOfDay = parisStartOfDay(addDays(as_of, 1));
  const links = await expirePaymentLinks(ctx, { cutoff: endOfDay, tenant });
  const holds = await releaseExpiredHolds(ctx, { cutoff: endOfDay, tenant });
  const invoices = await sweepOverdue(ctx, { asOf: as_of, tenant });
  const quotes = await sweepExpiredQuotes(ctx, { asOf: as_of, tenant });
  const dunning = await runDunning(ctx, { asOf: as_of, tenant });
  return { object: "sandbox_sweep" as const, as_of, ...invoices, ...links, ...holds, ...quotes, ...dunning };
}
