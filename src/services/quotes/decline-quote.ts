import { z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import { changes } from "../../db/guarded";
import { quotes } from "../../db/schema";
import { newId } from "../../lib/ids";
import { Text } from "../../lib/text";
import { auditEntry, eventEntry, publishEvents, sealedEvent, type ServiceContext } from "../context";
import { answerLost, quoteToAnswer, stillUnanswered } from "./answer";
import { presentQuoteWith, type QuoteRow } from "./present";
import type { OrganizationScope } from "../tenancy";

export const DeclineQuoteInput = z
  .strictObject({ reason: Text({ min: 1, max: 500 }).optional().openapi({ example: "Budget non validé par le conseil municipal" }) })
  .openapi("QuoteDecline", { example: { reason: "Budget non validé par le conseil municipal" } });

/** sent → declined (the payer said no), with the reason if given; final. Guarded like accept. */
export async function declineQuote({
  ctx,
  organizationId: scope,
  id,
  input,
}: {
  ctx: ServiceContext;
  organizationId: OrganizationScope;
  id: string;
  input: z.infer<typeof DeclineQuoteInput> | undefined;
}) {
  const { before, payer, today } = await quoteToAnswer(ctx, scope, id);
  // The quote's own organization (X-Entity-Id is optional here): what the batch writes.
  const organizationId = before.organization_id;
  const reason = input?.reason ?? null;
  const after: QuoteRow = { ...before, status: "declined", decline_reason: reason, declined_at: ctx.now, version: before.version + 1, updated_at: ctx.now };
  const quote = presentQuoteWith(after, payer);
  const unchanged = stillUnanswered(ctx, organizationId, before, today);
  const guard = sql`EXISTS (SELECT 1 FROM ${quotes} WHERE ${unchanged})`;
  const eventId = newId("event");
  const [, , updated] = await ctx.db.batch([
    auditEntry(
      ctx,
      { organizationId, resourceType: "quote", resourceId: id, action: "status_changed", before: { status: "sent" }, after: { status: "declined", decline_reason: reason } },
      guard,
    ),
    eventEntry(
      ctx,
      await sealedEvent(ctx, { id: eventId, organizationId, type: "quote.status_changed", data: { quote_id: id, previous_status: "sent", current_status: "declined", quote } }),
      guard,
    ),
    ctx.db.update(quotes).set({ status: "declined", decline_reason: reason, declined_at: ctx.now, version: after.version, updated_at: ctx.now }).where(unchanged),
  ]);
  if (changes(updated) === 0) await answerLost(ctx, organizationId, id, "declined");
  publishEvents(ctx, [eventId]);
  return quote;
}
