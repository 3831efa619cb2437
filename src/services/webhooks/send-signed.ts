import type { webhookSubscriptions } from "../../db/schema";
import { signatureHeaders } from "../../domain/webhook-signature";
import { checkWebhookUrl, webhookUrlRules } from "../../domain/webhook-url";
import type { Env } from "../../env";
import { signingSecrets } from "./secrets";
import { postWebhook, type SendResult } from "./send";

export const USER_AGENT = "Paiements-Webhooks/1.0";

/**
 * One signed POST of `body` to a subscription's endpoint: the URL checked again with this
 * worker's rules (they may have tightened since the subscription was made: a loopback receiver
 * accepted in local development is never called by a deployed worker, nor is the platform's own
 * host), then the seed's headers and signature and Standard Webhooks' (`webhook-id` is the
 * message id, the same on every attempt; `webhook-timestamp` this attempt's time). Used by a
 * delivery's attempts and by the test ping.
 */
export async function sendSigned(
  env: Env,
  subscription: typeof webhookSubscriptions.$inferSelect,
  input: { messageId: string; body: string; attempt: number; at: Date },
): Promise<SendResult> {
  const check = checkWebhookUrl(subscription.url, webhookUrlRules(env, subscription.livemode));
  if (!check.ok) return { result: { kind: "refused" }, statusCode: null, latencyMs: 0, error: `URL refused, not sent: ${check.message}`, excerpt: null };
  const secrets = await signingSecrets(env.ENCRYPTION_KEY, subscription, input.at.toISOString());
  const timestamp = Math.floor(input.at.getTime() / 1000);
  return postWebhook(check.url, input.body, {
    "Content-Type": "application/json",
    "User-Agent": USER_AGENT,
    "X-Webhook-Id": input.messageId,
    "X-Webhook-Timestamp": String(timestamp),
    "X-Webhook-Attempt": String(input.attempt),
    ...(await signatureHeaders(secrets, input.body, { id: input.messageId, timestamp })),
  });
}
