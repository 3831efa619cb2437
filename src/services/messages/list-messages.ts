import { z } from "@hono/zod-openapi";
import { and, desc, eq } from "drizzle-orm";
import { messages } from "../../db/schema";
import { DateBound, PaginationQuery } from "../../lib/fields";
import type { ServiceContext } from "../context";
import { equalTo, listPage, organizationParent, within } from "../pagination";
import { scoped } from "../tenancy";
import { presentMessage } from "./present";
import { normalizeRecipient, recipientHash } from "./recipient";
import { TEMPLATE_NAMES } from "./templates/types";

export const MESSAGE_CHANNELS = ["email", "sms"] as const;
export const MESSAGE_STATUSES = ["queued", "sent", "failed"] as const;
export const RELATED_TYPES = ["invoice", "payment_link", "payment", "credit_note"] as const;

export const ListMessagesInput = PaginationQuery.extend({
  channel: z.enum(MESSAGE_CHANNELS).optional(),
  status: z.enum(MESSAGE_STATUSES).optional(),
  template: z.enum(TEMPLATE_NAMES).optional(),
  related_object: z.string().max(100).optional().openapi({ description: "Messages about this object (an invoice, payment link, payment or credit note id).", example: "inv-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
  related_type: z.enum(RELATED_TYPES).optional().openapi({ description: "Messages about objects of this type." }),
  to: z.string().max(254).optional().openapi({ description: "Exact recipient: an email address (case-insensitive) or a phone number (E.164, or French national). Matched on a keyed hash: recipients are stored sealed.", example: "jean.dupont@example.com" }),
  created_from: DateBound.optional().openapi({ description: "Created at or after (an instant, or a Paris date).", example: "2026-01-01" }),
  created_to: DateBound.optional().openapi({ description: "Created on or before (a Paris date covers the whole day).", example: "2026-12-31" }),
});

/** Newest first, recipients masked; the organization check, the page and the count in one round trip. */
export async function listMessages({ ctx, organizationId, input }: { ctx: ServiceContext; organizationId: string; input: z.infer<typeof ListMessagesInput> }) {
  // The channel of a `to` filter is the one asked for, else what the value looks like.
  const toChannel = input.to === undefined ? null : (input.channel ?? (input.to.includes("@") ? "email" : "sms"));
  const toHash = input.to !== undefined && toChannel ? await recipientHash(ctx.env.ENCRYPTION_KEY, toChannel, normalizeRecipient(toChannel, input.to, "to")) : null;
  const where = and(
    scoped(ctx, messages, organizationId),
    ...equalTo(input, { channel: messages.channel, status: messages.status, template: messages.template, related_type: messages.related_type, related_object: messages.related_id }),
    toHash ? eq(messages.to_hash, toHash) : undefined,
    within(messages.created_at, input.created_from, input.created_to),
  );
  const rows = ctx.db.select().from(messages).where(where).orderBy(desc(messages.created_at), desc(messages.id));
  return listPage(ctx, input, { rows, from: messages, where, parent: organizationParent(ctx, organizationId) }, (row) => presentMessage(row));
}
