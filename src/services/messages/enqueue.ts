import type { SQL } from "drizzle-orm";
import { insertWhere } from "../../db/guarded";
import { messages, organizations } from "../../db/schema";
import { BusinessRule } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { seal } from "../../lib/crypto";
import { log } from "../../lib/log";
import { smsProvider } from "../../providers/sms";
import { auditEntry, type ServiceContext } from "../context";
import { findOrganization } from "../organizations/get-organization";
import { owner } from "../tenancy";
import { maskRecipient, normalizeRecipient, recipientHash, type Channel } from "./recipient";
import { renderMessage, smsSenderId, brandingOf } from "./templates";
import type { Locale, TemplateDataMap, TemplateName } from "./templates/types";

export type { TemplateName, TemplateData, TemplateDataMap, Locale } from "./templates/types";

type BatchItem = Parameters<ServiceContext["db"]["batch"]>[0][number];
type OrganizationRow = typeof organizations.$inferSelect;

/** A document attached at send time: the consumer reads it from the archive (or renders it) then. */
export type AttachmentSource = { kind: "invoice_pdf"; id: string } | { kind: "receipt_pdf"; id: string };

export type RelatedObject = { type: "invoice" | "payment_link" | "payment" | "credit_note"; id: string };

/** One message to a payer; `data` is what its template says (typed per template). */
export type MessageRequest = {
  [T in TemplateName]: {
    organizationId: string;
    channel: Channel;
    /** An email address, or a phone number (E.164 or French national) for SMS. */
    to: string;
    locale: Locale;
    template: T;
    data: TemplateDataMap[T];
    related: RelatedObject | null;
    attachments?: AttachmentSource[];
    /** The organization's row if the caller already read it (saves a round trip). */
    organization?: OrganizationRow;
    /** The request field the recipient came from, named by an invalid_phone / invalid_email error. */
    toParam?: string;
  };
}[TemplateName];

/** What the sealed `content_encrypted` holds: the message exactly as it is (or would be) sent. */
export interface MessageContent {
  text: string;
  html: string | null;
  /** Email: the From display name; SMS: the alphanumeric sender id. */
  from: string;
  reply_to: string | null;
}

export function contentContext(id: string) {
  return `message:${id}:content`;
}
export function recipientContext(id: string) {
  return `message:${id}:to`;
}

const ATTACHMENT_TYPES: Record<AttachmentSource["kind"], string> = { invoice_pdf: "application/pdf", receipt_pdf: "application/pdf" };

/**
 * Checks the recipient, renders the message now (so what is stored is what is sent, whatever
 * the organization changes later), seals recipient and content, and returns the insert and its
 * audit entry for the caller's own db.batch, guarded like the caller's change: the message exists
 * exactly when the change that caused it does. Throws before anything is written: invalid_phone /
 * invalid_email (400, naming `to`), sms_not_configured (422, live mode without an SMS provider).
 */
export async function messageStatements(ctx: ServiceContext, req: MessageRequest, guard?: SQL): Promise<{ id: string; statements: BatchItem[] }> {
  const to = normalizeRecipient(req.channel, req.to, req.toParam ?? "to");
  if (req.channel === "sms" && !smsProvider(ctx.env, ctx.principal.livemode)) {
    throw new BusinessRule("No SMS provider is configured for live mode: send by email, or ask the platform to enable SMS.", "sms_not_configured", "channel");
  }
  const org = req.organization ?? (await findOrganization(ctx, req.organizationId));
  const branding = brandingOf(org);
  const rendered = renderMessage(req.channel, req.template, req.data as never, req.locale, branding);
  const id = newId("message");
  const content: MessageContent =
    req.channel === "email"
      ? { text: rendered.text, html: rendered.html, from: branding.displayName, reply_to: branding.supportEmail }
      : { text: rendered.text, html: null, from: smsSenderId(org), reply_to: null };
  const [to_encrypted, content_encrypted, to_hash] = await Promise.all([
    seal(ctx.env.ENCRYPTION_KEY, to, recipientContext(id)),
    seal(ctx.env.ENCRYPTION_KEY, JSON.stringify(content), contentContext(id)),
    recipientHash(ctx.env.ENCRYPTION_KEY, req.channel, to),
  ]);
  const attachments = (req.channel === "email" ? (req.attachments ?? []) : []).map((source) => ({
    filename: `${source.kind === "invoice_pdf" ? "facture" : "recu"}-${source.id}.pdf`,
    content_type: ATTACHMENT_TYPES[source.kind],
    // Known once the consumer has read the document (the archived bytes are what is attached).
    size: null,
    sha256: null,
    source,
  }));
  const values = {
    id,
    ...owner(ctx),
    // Explicit: insertWhere writes NULL for a column left out, not its default.
    version: 1,
    organization_id: req.organizationId,
    channel: req.channel,
    template: req.template,
    locale: req.locale,
    to_encrypted,
    to_hash,
    to_masked: maskRecipient(req.channel, to),
    subject: req.channel === "email" ? rendered.subject : null,
    content_encrypted,
    status: "queued" as const,
    failure_reason: null,
    related_type: req.related?.type ?? null,
    related_id: req.related?.id ?? null,
    attachments,
    provider_message_id: null,
    attempts: 0,
    sent_at: null,
    created_at: ctx.now,
    updated_at: ctx.now,
  } satisfies typeof messages.$inferInsert;
  const audit = auditEntry(
    ctx,
    {
      organizationId: req.organizationId,
      resourceType: "message",
      resourceId: id,
      action: "created",
      before: null,
      after: { channel: req.channel, template: req.template, locale: req.locale, to: values.to_masked, related: req.related, status: "queued" },
    },
    guard,
  );
  const insert = guard ? insertWhere(ctx.db, messages, values, guard) : ctx.db.insert(messages).values(values);
  return { id, statements: [insert, audit] };
}

/**
 * After the caller's batch committed: hands the messages to the `messages` queue. A lost hand-off
 * leaves the row `queued`; the minute cron's relay sends those (services/messages/relay-messages.ts).
 */
export function publishMessages(ctx: ServiceContext, ids: string[]): void {
  if (ids.length === 0) return;
  ctx.defer(
    ctx.env.MESSAGES.sendBatch(ids.map((id) => ({ body: { message_id: id } }))).catch((err: unknown) =>
      log.warn("message publish deferred to the relay", { request_id: ctx.requestId, message_ids: ids, error: err }),
    ),
  );
}
