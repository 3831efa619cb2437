import { credentials } from "../../db/schema";
import type { Scope } from "../../domain/scopes";
import { randomToken, sha256Hex } from "../../lib/crypto";
import { newId } from "../../lib/ids";
import type { Mode } from "../../lib/principal";

/** A freshly minted credential set: the secrets exist only in this value, the row keeps hashes. */
export interface IssuedCredential {
  id: string;
  mode: Mode;
  client_id: string;
  client_secret: string;
  publishable_key: string;
  secret_key: string;
  scopes: Scope[];
  row: typeof credentials.$inferInsert;
}

export async function mintCredential(partnerId: string, mode: Mode, scopes: Scope[], now: string): Promise<IssuedCredential> {
  const id = newId("credential");
  const client_id = `cli_${mode}_${randomToken(24)}`;
  const client_secret = `cs_${mode}_${randomToken(40)}`;
  const publishable_key = `pk_${mode}_${randomToken(24)}`;
  const secret_key = `sk_${mode}_${randomToken(40)}`;
  const [client_secret_hash, secret_key_hash] = await Promise.all([sha256Hex(client_secret), sha256Hex(secret_key)]);
  return {
    id,
    mode,
    client_id,
    client_secret,
    publishable_key,
    secret_key,
    scopes,
    row: {
      id,
      partner_id: partnerId,
      mode,
      client_id,
      client_secret_hash,
      publishable_key,
      secret_key_hash,
      secret_key_last4: secret_key.slice(-4),
      scopes,
      status: "active",
      revoked_at: null,
      created_at: now,
      updated_at: now,
    },
  };
}

export function presentCredential(row: typeof credentials.$inferSelect) {
  return {
    id: row.id,
    object: "credential" as const,
    mode: row.mode,
    livemode: row.mode === "live",
    client_id: row.client_id,
    publishable_key: row.publishable_key,
    secret_key_hint: `sk_${row.mode}_…${row.secret_key_last4}`,
    scopes: row.scopes,
    status: row.status,
    revoked_at: row.revoked_at,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
