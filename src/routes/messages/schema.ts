import { z } from "@hono/zod-openapi";
import { Timestamp } from "../../lib/fields";
import { MESSAGE_CHANNELS, MESSAGE_STATUSES, RELATED_TYPES } from "../../services/messages/list-messages";
import { TEMPLATE_NAMES } from "../../services/messages/templates/types";

export const MessageIdParam = z.object({
  id: z.string().openapi({ param: { name: "id", in: "path" }, example: "msg-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
});

export const MessageSchema = z
  .object({
    id: z.string().openapi({ example: "msg-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
    object: z.literal("message"),
    livemode: z.boolean(),
    version: z.number().int().openapi({ description: "Starts at 1 and increases with every change of the object: a webhook payload's `object_version` (keep the highest seen per object)." }),
    organization_id: z.string(),
    channel: z.enum(MESSAGE_CHANNELS),
    template: z.enum(TEMPLATE_NAMES),
    locale: z.enum(["fr", "en"]),
    to: z.string().openapi({ description: "The recipient (email, or phone in E.164); masked in lists and event payloads.", example: "jean.dupont@example.com" }),
    subject: z.string().nullable().openapi({ description: "Email subject; null for an SMS." }),
    status: z.enum(MESSAGE_STATUSES).openapi({ description: "`queued` until the messages queue has sent it (`sent`) or given up (`failed`, see `failure_reason`). In test mode nothing leaves the platform: `sent` means it is in the sandbox outbox." }),
    failure_reason: z.string().nullable().openapi({ example: "transport_error: provider unreachable" }),
    attempts: z.number().int().openapi({ description: "Send attempts made (a transport failure is retried, at most 5 attempts)." }),
    related: z.object({ type: z.enum(RELATED_TYPES), id: z.string() }).nullable().openapi({ description: "What the message is about." }),
    attachments: z
      .array(
        z.object({
          filename: z.string().openapi({ example: "FAC-2026-00001.pdf" }),
          content_type: z.string().openapi({ example: "application/pdf" }),
          size: z.number().int().nullable().openapi({ description: "Bytes; null until sent (documents are attached at send time)." }),
          sha256: z.string().nullable().openapi({ description: "SHA-256 of the attached bytes; null until sent." }),
        }),
      )
      .openapi({ description: "Documents attached to an email: an invoice's Factur-X PDF, a payment's receipt." }),
    created_at: Timestamp,
    sent_at: Timestamp.nullable(),
    text: z.string().optional().openapi({ description: "Test mode only, on GET /v1/messages/{id}: the text as sent (the SMS, or the email's text part)." }),
    html: z.string().nullable().optional().openapi({ description: "Test mode only, on GET /v1/messages/{id}: the email's HTML part (null for an SMS)." }),
  })
  .openapi("Message");
