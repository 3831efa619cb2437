import { messages } from "../../db/schema";
import { unseal } from "../../lib/crypto";
import { contentContext, recipientContext, type MessageContent } from "./enqueue";

export type MessageRow = typeof messages.$inferSelect;

/**
 * The API's message object. `to` is the recipient in full on GET /v1/messages/{id} and masked in
 * lists and event payloads; `text` and `html` (what was, or in test mode would have been, sent)
 * only in test mode: the sandbox outbox. Live content is kept sealed and not served.
 */
export function presentMessage(row: MessageRow, extra: { to?: string; content?: MessageContent } = {}) {
  return {
    id: row.id,
    object: "message" as const,
    livemode: row.livemode,
    version: row.version,
    organization_id: row.organization_id,
    channel: row.channel,
    template: row.template,
    locale: row.locale,
    to: extra.to ?? row.to_masked,
    subject: row.subject,
    status: row.status,
    failure_reason: row.failure_reason,
    attempts: row.attempts,
    related: row.related_type && row.related_id ? { type: row.related_type, id: row.related_id } : null,
    attachments: row.attachments.map(({ filename, content_type, size, sha256 }) => ({ filename, content_type, size, sha256 })),
    created_at: row.created_at,
    sent_at: row.sent_at,
    ...(extra.content ? { text: extra.content.text, html: extra.content.html } : {}),
  };
}

export type PresentedMessage = ReturnType<typeof presentMessage>;

export async function unsealRecipient(key: string, row: Pick<MessageRow, "id" | "to_encrypted">): Promise<string> {
  return unseal(key, row.to_encrypted, recipientContext(row.id));
}

export async function unsealContent(key: string, row: Pick<MessageRow, "id" | "content_encrypted">): Promise<MessageContent> {
  return JSON.parse(await unseal(key, row.content_encrypted, contentContext(row.id))) as MessageContent;
}
