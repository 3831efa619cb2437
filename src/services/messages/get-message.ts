import { and, eq } from "drizzle-orm";
import { messages } from "../../db/schema";
import { NotFound } from "../../lib/errors";
import { isId } from "../../lib/ids";
import type { ServiceContext } from "../context";
import { scoped, type OrganizationScope } from "../tenancy";
import { presentMessage, unsealContent, unsealRecipient } from "./present";

/**
 * One message, its recipient in full. In test mode also its rendered `text` and `html`: the
 * sandbox outbox, where a partner reads what would have been sent. Live content is not served
 * (it went to the payer; the API keeps it sealed for the record).
 */
export async function getMessage({ ctx, organizationId, id }: { ctx: ServiceContext; organizationId: OrganizationScope; id: string }) {
  if (!isId("message", id)) throw new NotFound("message", id, "id");
  const [row] = await ctx.db
    .select()
    .from(messages)
    .where(and(eq(messages.id, id), scoped(ctx, messages, organizationId)));
  if (!row) throw new NotFound("message", id, "id");
  const [to, content] = await Promise.all([unsealRecipient(ctx.env.ENCRYPTION_KEY, row), row.livemode ? undefined : unsealContent(ctx.env.ENCRYPTION_KEY, row)]);
  return presentMessage(row, { to, ...(content ? { content } : {}) });
}
