import { SECRET_PREFIX, type SigningSecrets } from "../../domain/webhook-signature";
import { seal, unseal } from "../../lib/crypto";
import type { SubscriptionRow } from "./present";

/** Random bytes behind a secret: Standard Webhooks asks for 24 at least (what Svix mints). */
export const SECRET_BYTES = 24;

/**
 * `whsec_` + base64 of 24 random bytes (32 characters, no padding): the seed's scheme signs with
 * the whole string, Standard Webhooks' with the decoded bytes (domain/webhook-signature). Secrets
 * minted before were `whsec_` + 32 base62 characters: also valid base64 of 24 bytes, so they keep
 * signing both schemes unchanged.
 */
export function newWebhookSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(SECRET_BYTES));
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return `${SECRET_PREFIX}${btoa(binary)}`;
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
