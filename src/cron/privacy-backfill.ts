import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { createDb, type Db } from "../db/client";
import { bankAccounts, events, invoices } from "../db/schema";
import type { Env } from "../env";
import { unseal } from "../lib/crypto";
import { log } from "../lib/log";
import { ibanFingerprint } from "../services/bank-accounts/fingerprint";
import { sealEventData } from "../services/events/payload";
import { payerEmailHash, unsealPayer } from "../services/invoices/payer";

/** Rows per kind per run: a run stays short; a backlog drains over a few hours. */
export const BACKFILL_BATCH = 100;

type BatchItem = Parameters<Db["batch"]>[0][number];

/**
 * Brings rows written before issue 10 §2 up to the current rules, in JavaScript (neither can be
 * done in SQL), a bounded batch per run, each row guarded on what it read (a run that overlaps
 * another, or a request that rewrote the row, changes nothing):
 * - event payloads carrying a payer in clear: the payer is sealed apart (services/events/payload.ts);
 * - IBAN fingerprints and payer email hashes of the legacy derivation (an HMAC keyed with a
 *   prefixed ENCRYPTION_KEY string): rewritten with the HKDF subkey. Until then lookups match
 *   both derivations; once every row is rewritten, the legacy one can be deleted.
 * A row that cannot be read (a value sealed under another key) is skipped and logged.
 */
export async function privacyBackfill(env: Env) {
  const db = createDb(env.DB);
  const key = env.ENCRYPTION_KEY;
  const [plainEvents, legacyAccounts, legacyInvoices] = await db.batch([
    db
      .select({ id: events.id, data: events.data })
      .from(events)
      .where(and(isNull(events.data_encrypted), isNull(events.data_expired_at), sql`json_type(${events.data}, '$.invoice.payer') = 'object'`))
      .orderBy(asc(events.created_at))
      .limit(BACKFILL_BATCH),
    db
      .select({ id: bankAccounts.id, iban_encrypted: bankAccounts.iban_encrypted, iban_fingerprint: bankAccounts.iban_fingerprint })
      .from(bankAccounts)
      .where(sql`substr(${bankAccounts.iban_fingerprint}, 1, 3) != 'v2:'`)
      .limit(BACKFILL_BATCH),
    db
      .select({ id: invoices.id, payer_encrypted: invoices.payer_encrypted, payer_email_hash: invoices.payer_email_hash })
      .from(invoices)
      .where(sql`substr(${invoices.payer_email_hash}, 1, 3) != 'v2:'`)
      .limit(BACKFILL_BATCH),
  ]);

  const statements: BatchItem[] = [];
  let skipped = 0;
  /** The new value of one row, or null (logged) when the row cannot be read. Never awaits a statement: that would run it. */
  const compute = async <T>(id: string, work: () => Promise<T>): Promise<T | null> => {
    try {
      return await work();
    } catch (error) {
      skipped++;
      log.warn("privacy backfill: row skipped", { row_id: id, error });
      return null;
    }
  };
  for (const e of plainEvents) {
    const stored = await compute(e.id, () => sealEventData(key, e.id, e.data));
    if (!stored) continue;
    statements.push(
      db
        .update(events)
        .set({ data: stored.data, data_encrypted: stored.data_encrypted })
        .where(and(eq(events.id, e.id), isNull(events.data_encrypted), isNull(events.data_expired_at))),
    );
  }
  for (const a of legacyAccounts) {
    const fingerprint = await compute(a.id, async () => ibanFingerprint(key, await unseal(key, a.iban_encrypted, `bank_account:${a.id}`)));
    if (!fingerprint) continue;
    statements.push(db.update(bankAccounts).set({ iban_fingerprint: fingerprint, version: sql`${bankAccounts.version} + 1` }).where(and(eq(bankAccounts.id, a.id), eq(bankAccounts.iban_fingerprint, a.iban_fingerprint))));
  }
  for (const i of legacyInvoices) {
    const hash = await compute(i.id, async () => payerEmailHash(key, (await unsealPayer(key, i.id, i.payer_encrypted)).email));
    if (!hash) continue;
    statements.push(db.update(invoices).set({ payer_email_hash: hash }).where(and(eq(invoices.id, i.id), eq(invoices.payer_email_hash, i.payer_email_hash))));
  }
  if (statements.length > 0) await db.batch(statements as [BatchItem, ...BatchItem[]]);
  return { rows_rewritten: statements.length, skipped };
}
