import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { changes } from "../../db/guarded";
import { messages } from "../../db/schema";
import type { Env } from "../../env";
import { sha256HexBytes } from "../../lib/crypto";
import { newId } from "../../lib/ids";
import { log } from "../../lib/log";
import { smsProvider } from "../../providers/sms";
import { auditEntry, eventEntry, publishEvents, systemContext, type ServiceContext } from "../context";
import { getInvoiceDocument } from "../documents/invoice-documents";
import { getPaymentReceipt } from "../payments/receipt";
import { scoped } from "../tenancy";
import { presentMessage, unsealContent, unsealRecipient, type MessageRow } from "./present";

/**
 * Sends per message, the queue's retries included (wrangler.toml: max_retries 4, so 5 deliveries):
 * after the last failed attempt the message is marked failed rather than dead-lettered.
 */
export const MESSAGE_MAX_ATTEMPTS = 5;
/** Between two attempts after a transport failure. */
export const MESSAGE_RETRY_DELAY_SECONDS = 60;

const JOB = "messages";

export type DeliveryOutcome =
  | { kind: "sent" }
  | { kind: "failed"; reason: string }
  | { kind: "retry"; reason: string }
  /** Already sent or failed, unknown, or claimed by a concurrent delivery: nothing done. */
  | { kind: "skipped"; reason: string };

export interface DeliveryDeps {
  db: Db;
  env: Env;
  requestId: string;
  defer: (work: Promise<unknown>) => void;
}

type Attachment = { filename: string; type: string; content: Uint8Array; sha256: string };

/**
 * Sends one queued message (the `messages` queue consumer). Never twice: the message is first
 * claimed (attempts + 1, only while still `queued` with the attempts count read), and marked
 * `sent` with its audit entry and `message.sent` in one batch guarded on `queued`. Email in live
 * mode goes through the EMAIL binding (Cloudflare Email Service); in test mode nothing leaves the
 * platform — the message is marked sent and its content is the sandbox outbox — except under
 * ENVIRONMENT=development, where test-mode email also goes to the local simulation of the binding
 * (`wrangler dev` writes it to files and logs their paths). SMS go through the mode's provider.
 * A transport failure is retried by the queue; the last allowed attempt marks the message failed
 * (`message.failed`, `failure_reason`). The one gap left: a crash between the transport's
 * acceptance and the commit of `sent` (then the retry sends again; SMS providers get the message id
 * as their idempotency key for that case).
 */
export async function deliverMessage(deps: DeliveryDeps, messageId: string): Promise<DeliveryOutcome> {
  // tenancy-exempt: the row is reached by its id from a queue message; its own tenant scopes the rest.
  const [row] = await deps.db.select().from(messages).where(eq(messages.id, messageId));
  if (!row) return { kind: "skipped", reason: "unknown message" };
  if (row.status !== "queued") return { kind: "skipped", reason: `already ${row.status}` };
  const ctx = systemContext(deps, { partnerId: row.partner_id, livemode: row.livemode }, JOB);
  const theRow = and(eq(messages.id, row.id), scoped(ctx, messages, row.organization_id));

  const claim = await ctx.db
    .update(messages)
    .set({ attempts: row.attempts + 1, updated_at: ctx.now, version: sql`${messages.version} + 1` })
    .where(and(theRow, eq(messages.status, "queued"), eq(messages.attempts, row.attempts)));
  if (changes(claim) === 0) return { kind: "skipped", reason: "claimed by another delivery" };
  const attempt = row.attempts + 1;

  let attachments: Attachment[] = [];
  let providerMessageId: string | null = null;
  try {
    if (row.channel === "email") {
      attachments = await resolveAttachments(ctx, row);
      providerMessageId = await sendEmail(ctx, row, attachments);
    } else {
      const outcome = await sendSms(ctx, row);
      if (outcome.kind === "refused") return markFailed(ctx, row, outcome.reason);
      providerMessageId = outcome.id;
    }
  } catch (error) {
    const reason = `transport_error: ${String((error as Error)?.message ?? error).slice(0, 200)}`;
    log.warn("message transport failed", { message_id: row.id, attempt, error });
    if (attempt >= MESSAGE_MAX_ATTEMPTS) return markFailed(ctx, row, reason);
    return { kind: "retry", reason };
  }
  return markSent(ctx, row, providerMessageId, attachments);
}

async function resolveAttachments(ctx: ServiceContext, row: MessageRow): Promise<Attachment[]> {
  return Promise.all(
    row.attachments.map(async ({ source }) => {
      const doc =
        source.kind === "invoice_pdf"
          ? await getInvoiceDocument({ ctx, organizationId: row.organization_id, id: source.id, format: "pdf" })
          : await getPaymentReceipt({ ctx, organizationId: row.organization_id, id: source.id });
      return { filename: doc.filename, type: doc.contentType, content: doc.bytes, sha256: doc.sha256 ?? (await sha256HexBytes(doc.bytes)) };
    }),
  );
}

async function sendEmail(ctx: ServiceContext, row: MessageRow, attachments: Attachment[]): Promise<string | null> {
  const live = row.livemode;
  const localCopy = !live && ctx.env.ENVIRONMENT === "development";
  if (!live && !localCopy) return null;
  const [to, content] = await Promise.all([unsealRecipient(ctx.env.ENCRYPTION_KEY, row), unsealContent(ctx.env.ENCRYPTION_KEY, row)]);
  const email = {
    from: { name: content.from, email: ctx.env.EMAIL_FROM },
    to,
    subject: row.subject ?? "",
    text: content.text,
    ...(content.html ? { html: content.html } : {}),
    ...(content.reply_to ? { replyTo: content.reply_to } : {}),
    headers: { "X-Message-Id": row.id },
    ...(attachments.length > 0 ? { attachments: attachments.map((a) => ({ disposition: "attachment" as const, filename: a.filename, type: a.type, content: a.content })) } : {}),
  };
  if (live) return (await ctx.env.EMAIL.send(email)).messageId;
  // Test mode under local development: a copy to the simulated binding, for the developer to open.
  // Nothing hangs on it: the test-mode message is sent (to the outbox) either way.
  await ctx.env.EMAIL.send(email).catch((error: unknown) => log.warn("local email simulation failed", { message_id: row.id, error }));
  return null;
}

async function sendSms(ctx: ServiceContext, row: MessageRow): Promise<{ kind: "sent"; id: string } | { kind: "refused"; reason: string }> {
  const provider = smsProvider(ctx.env, row.livemode);
  if (!provider) return { kind: "refused", reason: "sms_not_configured" };
  const [to, content] = await Promise.all([unsealRecipient(ctx.env.ENCRYPTION_KEY, row), unsealContent(ctx.env.ENCRYPTION_KEY, row)]);
  const { providerMessageId } = await provider.send({ messageId: row.id, from: content.from, to, text: content.text });
  return { kind: "sent", id: providerMessageId };
}

async function markSent(ctx: ServiceContext, row: MessageRow, providerMessageId: string | null, attachments: Attachment[]): Promise<DeliveryOutcome> {
  const recorded = row.attachments.map((a, i) => {
    const got = attachments[i];
    return got ? { ...a, filename: got.filename, content_type: got.type, size: got.content.byteLength, sha256: got.sha256 } : a;
  });
  const after: MessageRow = { ...row, status: "sent", sent_at: ctx.now, provider_message_id: providerMessageId, attachments: recorded, attempts: row.attempts + 1, updated_at: ctx.now };
  return settle(ctx, row, after, "message.sent", { kind: "sent" });
}

async function markFailed(ctx: ServiceContext, row: MessageRow, reason: string): Promise<DeliveryOutcome> {
  const after: MessageRow = { ...row, status: "failed", failure_reason: reason, attempts: row.attempts + 1, updated_at: ctx.now };
  return settle(ctx, row, after, "message.failed", { kind: "failed", reason });
}

/** queued → sent | failed, its audit entry and its event: one batch, written only from `queued`. */
async function settle(ctx: ServiceContext, row: MessageRow, after: MessageRow, type: "message.sent" | "message.failed", outcome: DeliveryOutcome): Promise<DeliveryOutcome> {
  const stillQueued = and(eq(messages.id, row.id), scoped(ctx, messages, row.organization_id), eq(messages.status, "queued"));
  const guard = sql`EXISTS (SELECT 1 FROM ${messages} WHERE ${stillQueued})`;
  const id = newId("event");
  const results = await ctx.db.batch([
    auditEntry(ctx, { organizationId: row.organization_id, resourceType: "message", resourceId: row.id, action: after.status, before: { status: "queued" }, after: { status: after.status, failure_reason: after.failure_reason, sent_at: after.sent_at } }, guard),
    // The version the update below gives the row (read before it, in this batch: the claim and the relay bump it too).
    eventEntry(ctx, { id, organizationId: row.organization_id, type, data: { message: presentMessage(after) }, assigned: { "message.version": sql`(SELECT ${messages.version} + 1 FROM ${messages} WHERE ${stillQueued})` } }, guard),
    ctx.db
      .update(messages)
      .set({ status: after.status, failure_reason: after.failure_reason, sent_at: after.sent_at, provider_message_id: after.provider_message_id, attachments: after.attachments, updated_at: ctx.now, version: sql`${messages.version} + 1` })
      .where(stillQueued),
  ]);
  if (changes(results[2]) === 0) return { kind: "skipped", reason: "settled by another delivery" };
  publishEvents(ctx, [id]);
  return outcome;
}

/** The dead-letter queue's consumer: a message whose deliveries kept crashing is marked failed. */
export async function failDeadLetteredMessage(deps: DeliveryDeps, messageId: string): Promise<DeliveryOutcome> {
  // tenancy-exempt: the row is reached by its id from a queue message; its own tenant scopes the rest.
  const [row] = await deps.db.select().from(messages).where(eq(messages.id, messageId));
  if (!row || row.status !== "queued") return { kind: "skipped", reason: row ? `already ${row.status}` : "unknown message" };
  const ctx = systemContext(deps, { partnerId: row.partner_id, livemode: row.livemode }, JOB);
  return markFailed(ctx, row, "dead_lettered: the message could not be processed");
}
