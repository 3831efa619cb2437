import { sealBytes, sha256HexBytes, unsealBytes } from "../../lib/crypto";
import { log } from "../../lib/log";
import type { Env } from "../../env";

/**
 * The archive of issued documents (R2 bucket DOCUMENTS): each object is the plain document sealed
 * with AES-GCM under ENCRYPTION_KEY (it names the payer), bound to its key. The key carries the
 * document's SHA-256, so a document is never overwritten: an issue that loses a race leaves its
 * own object beside the winner's instead of replacing it, and the row's hash says which is the
 * document. Keys sort by tenant and organization, so one organization's documents can be listed
 * (an export, an erasure request).
 */
export type ArchivedKind = "invoices" | "credit_notes";

export interface ArchiveOwner {
  partner_id: string;
  livemode: boolean;
  organization_id: string;
}

export function archiveKey(owner: ArchiveOwner, kind: ArchivedKind, id: string, sha256: string, ext: "pdf" | "xml"): string {
  return `${owner.partner_id}/${owner.livemode ? "live" : "test"}/${owner.organization_id}/${kind}/${id}/${sha256}.${ext}`;
}

/** Stores `bytes` under `key`; the SHA-256 of the plain bytes rides along as metadata for audits. */
export async function putArchived(env: Env, key: string, bytes: Uint8Array, sha256: string): Promise<void> {
  const sealed = await sealBytes(env.ENCRYPTION_KEY, bytes, key);
  await env.DOCUMENTS.put(key, sealed, { customMetadata: { sha256, sealed: "aes-256-gcm-v1" } });
}

/**
 * The plain bytes stored under `key`, or null when there is no such object. Bytes that do not hash
 * to `sha256` are never served: that is logged and reported as missing (the caller regenerates
 * and compares).
 */
export async function getArchived(env: Env, key: string, sha256: string): Promise<Uint8Array | null> {
  const object = await env.DOCUMENTS.get(key);
  if (!object) return null;
  const plain = await unsealBytes(env.ENCRYPTION_KEY, new Uint8Array(await object.arrayBuffer()), key);
  if ((await sha256HexBytes(plain)) !== sha256) {
    log.error("document_archive_mismatch", { key });
    return null;
  }
  return plain;
}
