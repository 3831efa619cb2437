import { SECRET_PREFIX, type SigningSecrets } from "../../domain/webhook-signature";
import { randomToken, seal, unseal } from "../../lib/crypto";
import type { SubscriptionRow } from "./present";

/** `whsec_` + 32 base62 characters (about 190 bits). */
export function newWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomToken(32)}`;
}

/**
 * Secrets are sealed bound to their subscription (a sealed value copied to another row does not
 * open). Both slots, current and previous, share that binding, so a rotation moves the sealed
 * current secret to the previous slot without opening it.
 */
function sealContext(subscriptionId: string) {
  return `webhook_subscription:${subscriptionId}`;
}

export function sealSecret(encryptionKey: string, subscriptionId: string, secret: string): Promise<string> {
  return seal(encryptionKey, secret, sealContext(subscriptionId));
}

/** The secrets that sign an attempt made at `now`: the current one, and the previous one inside its window. */
export async function signingSecrets(encryptionKey: string, row: SubscriptionRow, now: string): Promise<SigningSecrets> {
  const current = await unseal(encryptionKey, row.secret_encrypted, sealContext(row.id));
  const previousActive = row.previous_secret_encrypted !== null && row.previous_secret_expires_at !== null && row.previous_secret_expires_at > now;
  const previous = previousActive ? await unseal(encryptionKey, row.previous_secret_encrypted!, sealContext(row.id)) : null;
  return { current, previous };
}
