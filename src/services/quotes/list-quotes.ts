import { z } from "@hono/zod-openapi";
import { and, desc, inArray } from "drizzle-orm";
import { quotes } from "../../db/schema";
import { QUOTE_STATUSES } from "../../domain/quote-status";
import { DateBound, PaginationQuery } from "../../lib/fields";
import type { ServiceContext } from "../context";
import { payerEmailHashes } from "../invoices/payer";
import { equalTo, listPage, organizationParent, within } from "../pagination";
import { presentQuote } from "./present";
import { scoped } from "../tenancy";

export const ListQuotesInput = PaginationQuery.extend({
  status: z.enum(QUOTE_STATUSES).optional(),
  department_id: z.string().max(100).optional(),
  payer_email: z.string().max(254).optional().openapi({ description: "Exact payer email (case-insensitive).", example: "jean.dupont@example.com" }),
  created_from: DateBound.optional().openapi({ description: "Created at or after (an instant, or a Paris date).", example: "2026-01-01" }),
  created_to: DateBound.optional().openapi({ description: "Created on or before (a Paris date covers the whole day).", example: "2026-12-31" }),
  number: z.string().max(50).optional().openapi({ description: "Exact quote number.", example: "DEV-2026-00001" }),
});

/** Newest first; the organization check, the page and the count in one round trip. */
export async function listQuotes({ ctx, organizationId, input }: { ctx: ServiceContext; organizationId: string; input: z.infer<typeof ListQuotesInput> }) {
  const emailHashes = input.payer_email ? await payerEmailHashes(ctx.env.ENCRYPTION_KEY, input.payer_email) : undefined;
  const where = and(
    scoped(ctx, quotes, organizationId),
    ...equalTo(input, { status: quotes.status, department_id: quotes.department_id, number: quotes.quote_number }),
    emailHashes ? inArray(quotes.payer_email_hash, emailHashes) : undefined,
    within(quotes.created_at, input.created_from, input.created_to),
  );
  const rows = ctx.db.select().from(quotes).where(where).orderBy(desc(quotes.created_at), desc(quotes.id));
  return listPage(ctx, input, { rows, from: quotes, where, parent: organizationParent(ctx, organizationId) }, (row) =>
    presentQuote(ctx.env.ENCRYPTION_KEY, row),
  );
}
