import { and, eq, gte } from "drizzle-orm";
import { quotes } from "../../db/schema";
import { parisToday } from "../../domain/dates";
import { Conflict } from "../../lib/errors";
import type { ServiceContext } from "../context";
import { findQuote, quoteWhere } from "./get-quote";
import { unsealQuotePayer } from "./payer";
import type { QuoteRow } from "./present";
import { unanswerable } from "./rules";
import type { OrganizationScope } from "../tenancy";

// What accepting and declining a quote share: the payer answers a sent quote while it is valid
// (Paris), and the answer's batch holds only while the quote is still the version read.

/** The quote to answer (or its 409), its payer, and the day (Paris) it is answered on. */
export async function quoteToAnswer(ctx: ServiceContext, organizationId: OrganizationScope, id: string) {
  const before = await findQuote(ctx, organizationId, id);
  const today = parisToday();
  const refusal = unanswerable(before, today);
  if (refusal) throw refusal;
  const payer = await unsealQuotePayer(ctx.env.ENCRYPTION_KEY, id, before.payer_encrypted);
  return { before, payer, today };
}

/** The guard of an answer's batch: the quote is still the sent, unexpired version read. */
export function stillUnanswered(ctx: ServiceContext, organizationId: string, before: QuoteRow, today: string) {
  return and(quoteWhere(ctx, organizationId, before.id), eq(quotes.status, "sent"), eq(quotes.version, before.version), gte(quotes.valid_until, today));
}

/** The answer's batch changed nothing: another request answered it (or the day ended) in between; say what it is now. */
export async function answerLost(ctx: ServiceContext, organizationId: string, id: string, verb: "accepted" | "declined"): Promise<never> {
  const now = await findQuote(ctx, organizationId, id);
  throw unanswerable(now, parisToday()) ?? new Conflict(`The quote changed while it was being ${verb}; read it again.`, "concurrent_update");
}
