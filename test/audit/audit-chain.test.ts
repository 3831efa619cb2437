import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { SCHEDULES } from "../../src/cron";
import { purgeAuditEntries } from "../../src/cron/purge-audit-entries";
import { asc, eq } from "drizzle-orm";
import { createDb } from "../../src/db/client";
import { auditLogs } from "../../src/db/schema";
import { chainHash, GENESIS_HASH } from "../../src/domain/audit-chain";
import { chainedFields } from "../../src/services/audit-logs/list-audit-logs";
import { sealAuditChain } from "../../src/services/audit-logs/seal-audit-chains";
import { VERIFY_MAX_ENTRIES } from "../../src/services/audit-logs/verify-audit-chain";
import type { Env } from "../../src/env";
import { accessToken, call, createPartner, expectOk, issueCredential, VALID_ORGANIZATION, type Tenant } from "../helpers/harness";
import { runScheduled } from "../helpers/scheduled";

const CLIENT_IP = "203.0.113.42";

interface Entry {
  id: string;
  sequence: number;
  ip_address: string | null;
  ip_hash: string | null;
  previous_hash: string | null;
  hash: string | null;
  [key: string]: unknown;
}

/** The chain's sealer, for this partner's test-mode chain only (the minute cron seals every chain; one test runs it). */
async function seal(t: Tenant, at = new Date()) {
  return sealAuditChain(env as unknown as Env, createDb(env.DB), { partner_id: t.partnerId, livemode: false }, at);
}

async function verify(t: Tenant, query = "") {
  return call(`/v1/audit_logs/verify${query ? `?${query}` : ""}`, { token: t.token });
}

/** The whole chain as an auditor reads it: the list in chain order, every page. */
async function chain(t: Tenant): Promise<Entry[]> {
  const out: Entry[] = [];
  for (let page = 1; ; page++) {
    const res = await expectOk(await call(`/v1/audit_logs?from_sequence=1&page_size=100&page=${page}`, { token: t.token }));
    out.push(...res.data);
    if (page >= res.pagination.total_pages) return out;
  }
}

/** `n` organizations created at once, from CLIENT_IP: n audit entries written by concurrent batches. */
async function concurrentWrites(t: Tenant, n: number) {
  const results = await Promise.all(
    Array.from({ length: n }, (_, i) => call("/v1/organizations", { token: t.token, body: { ...VALID_ORGANIZATION, name: `Commune ${i}` }, headers: { "cf-connecting-ip": CLIENT_IP } })),
  );
  for (const r of results) expect(r.status).toBe(201);
  return results.map((r) => r.body.id as string);
}

/**
 * RFC 8785 for the values an audit entry holds (strings, integers, booleans, null, objects,
 * arrays), written from the README's description and not from our code: keys sorted by UTF-16
 * code units, no whitespace, primitives as JSON.stringify prints them.
 */
function jcs(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(jcs).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${jcs((value as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

async function sha256Hex(text: string) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function sealedChain(n = 6) {
  const t = await createPartner();
  await concurrentWrites(t, n);
  await seal(t);
  const entries = await chain(t);
  expect(entries.every((e) => e.hash !== null)).toBe(true);
  return { t, entries };
}

/** Direct SQL on the system of record, bypassing the API: what verify must catch. */
function tamper(sqlText: string, ...params: unknown[]) {
  return env.DB.prepare(sqlText).bind(...params).run();
}

describe("the audit chain", () => {
  it("gives 50 concurrent writers consecutive positions, and seals them into one linear chain an auditor recomputes from the list alone", async () => {
    const t = await createPartner();
    await concurrentWrites(t, 50);
    const before = await chain(t);
    // Positions 1…N, each taken once, before any seal.
    expect(before.map((e) => e.sequence)).toEqual(before.map((_, i) => i + 1));
    expect(before.length).toBeGreaterThanOrEqual(50);
    expect(before.every((e) => e.hash === null && e.previous_hash === null)).toBe(true);
    const unsealed = await expectOk(await verify(t));
    expect(unsealed).toMatchObject({ valid: true, checked: 0, sealed_through: 0, head_hash: null });

    // The minute cron seals every chain.
    await runScheduled(SCHEDULES.everyMinute);
    const entries = await chain(t);
    expect(entries.map((e) => e.sequence)).toEqual(before.map((e) => e.sequence));

    // Recomputed as the README says: previous hash + RFC 8785 of the entry without object, ip_address, previous_hash, hash.
    let previous = GENESIS_HASH;
    for (const e of entries) {
      const { object: _o, ip_address: _ip, previous_hash, hash, ...covered } = e;
      expect(previous_hash).toBe(previous);
      expect(hash).toBe(await sha256Hex(previous + jcs(covered)));
      previous = hash!;
    }
    // The IP is covered through its keyed hash, never in clear.
    const organizations = entries.filter((e) => e.resource_type === "organization");
    expect(organizations).toHaveLength(50);
    expect(new Set(organizations.map((e) => e.ip_hash)).size).toBe(1);
    expect(organizations[0]!.ip_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(organizations[0]!.ip_hash).not.toContain(CLIENT_IP);

    const result = await expectOk(await verify(t));
    expect(result).toEqual({
      object: "audit_chain_verification",
      livemode: false,
      valid: true,
      from_sequence: 1,
      to_sequence: entries.length,
      checked: entries.length,
      sealed_through: entries.length,
      head_hash: previous,
      pruned_through: 0,
      anchors_checked: 0,
    });
  });

  it("seals later entries onto the head, and only sealed positions are checked", async () => {
    const { t, entries } = await sealedChain(3);
    await concurrentWrites(t, 2);
    const pending = await expectOk(await verify(t));
    expect(pending).toMatchObject({ valid: true, sealed_through: entries.length, checked: entries.length });
    expect(await seal(t)).toBe(2);
    const all = await chain(t);
    expect(all[entries.length]!.previous_hash).toBe(entries.at(-1)!.hash);
    expect(await expectOk(await verify(t))).toMatchObject({ valid: true, sealed_through: entries.length + 2, checked: entries.length + 2, head_hash: all.at(-1)!.hash });
    // Sealing again finds nothing to do and changes nothing.
    expect(await seal(t)).toBe(0);
    expect(await chain(t)).toEqual(all);
  });

  it("verifies a range, from the stored hash just before it", async () => {
    const { t, entries } = await sealedChain(6);
    const result = await expectOk(await verify(t, "from_sequence=3&to_sequence=5"));
    expect(result).toMatchObject({ valid: true, from_sequence: 3, to_sequence: 5, checked: 3, sealed_through: entries.length });
    // A range past the sealed part checks what is sealed.
    expect(await expectOk(await verify(t, `from_sequence=2&to_sequence=${entries.length + 50}`))).toMatchObject({ valid: true, checked: entries.length - 1, to_sequence: entries.length });
  });

  describe("reports changes made directly in D1 with the first position that no longer matches", () => {
    it("an entry changed after sealing", async () => {
      const { t, entries } = await sealedChain();
      const target = entries[3]!;
      await tamper("UPDATE audit_logs SET changes = json_set(changes, '$.after.name', 'Commune falsifiée') WHERE id = ?", target.id);
      expect(await expectOk(await verify(t))).toMatchObject({ valid: false, first_invalid_sequence: target.sequence, reason: "hash_mismatch", checked: target.sequence - 1 });
      // Entries before it still verify on their own.
      expect(await expectOk(await verify(t, `from_sequence=1&to_sequence=${target.sequence - 1}`))).toMatchObject({ valid: true });
    });

    it("an entry's author or time changed", async () => {
      const { t, entries } = await sealedChain();
      await tamper("UPDATE audit_logs SET user_type = 'system' WHERE id = ?", entries[2]!.id);
      expect(await expectOk(await verify(t))).toMatchObject({ valid: false, first_invalid_sequence: entries[2]!.sequence, reason: "hash_mismatch" });
    });

    it("an entry deleted", async () => {
      const { t, entries } = await sealedChain();
      await tamper("DELETE FROM audit_logs WHERE id = ?", entries[2]!.id);
      expect(await expectOk(await verify(t))).toMatchObject({ valid: false, first_invalid_sequence: entries[2]!.sequence, reason: "missing_entry" });
    });

    it("the last sealed entry deleted", async () => {
      const { t, entries } = await sealedChain();
      await tamper("DELETE FROM audit_logs WHERE id = ?", entries.at(-1)!.id);
      expect(await expectOk(await verify(t))).toMatchObject({ valid: false, first_invalid_sequence: entries.at(-1)!.sequence, reason: "missing_entry" });
    });

    it("an entry inserted between two sealed ones, with a hash copied from its neighbour", async () => {
      const { t, entries } = await sealedChain();
      const at = entries[2]!;
      // Make room at position 3 (two steps, as the unique index wants), then insert a forged entry there.
      await tamper("UPDATE audit_logs SET sequence = -sequence WHERE partner_id = ? AND livemode = 0 AND sequence >= ?", t.partnerId, at.sequence);
      await tamper("UPDATE audit_logs SET sequence = 1 - sequence WHERE partner_id = ? AND livemode = 0 AND sequence < 0", t.partnerId);
      await tamper(
        `INSERT INTO audit_logs (id, partner_id, livemode, organization_id, resource_type, resource_id, action, user_id, user_type, ip_address, request_id, changes, created_at, sequence, ip_hash, previous_hash, hash)
         SELECT 'log-forged', partner_id, livemode, organization_id, resource_type, 'org-forged', action, user_id, user_type, NULL, request_id, changes, created_at, ?, ip_hash, previous_hash, hash
         FROM audit_logs WHERE id = ?`,
        at.sequence,
        at.id,
      );
      expect(await expectOk(await verify(t))).toMatchObject({ valid: false, first_invalid_sequence: at.sequence });
    });

    it("an unsealed entry slipped into the sealed part", async () => {
      const { t, entries } = await sealedChain();
      await tamper("DELETE FROM audit_logs WHERE id = ?", entries[1]!.id);
      await tamper(
        `INSERT INTO audit_logs (id, partner_id, livemode, organization_id, resource_type, resource_id, action, user_id, user_type, ip_address, request_id, changes, created_at, sequence)
         VALUES ('log-slipped', ?, 0, NULL, 'credential', 'cred-x', 'created', 'operator', 'operator', NULL, NULL, '{"before":null,"after":null}', '2026-01-01T00:00:00.000Z', ?)`,
        t.partnerId,
        entries[1]!.sequence,
      );
      expect(await expectOk(await verify(t))).toMatchObject({ valid: false, first_invalid_sequence: entries[1]!.sequence, reason: "unsealed_entry" });
    });

    it("an IP address changed", async () => {
      const { t, entries } = await sealedChain();
      const target = entries.find((e) => e.ip_address === CLIENT_IP)!;
      await tamper("UPDATE audit_logs SET ip_address = '198.51.100.7' WHERE id = ?", target.id);
      expect(await expectOk(await verify(t))).toMatchObject({ valid: false, first_invalid_sequence: target.sequence, reason: "ip_address_mismatch" });
    });

    it("the whole chain rewritten with recomputed hashes: the daily anchor in R2 tells", async () => {
      const { t, entries } = await sealedChain();
      const anchoredAt = new Date();
      await runScheduled(SCHEDULES.daily, anchoredAt);
      const key = `audit-anchors/${t.partnerId}/test/${anchoredAt.toISOString().slice(0, 10)}.json`;
      const anchor = await env.DOCUMENTS.get(key);
      expect(anchor).not.toBeNull();
      expect(await anchor!.json()).toEqual({
        object: "audit_anchor",
        partner_id: t.partnerId,
        livemode: false,
        sequence: entries.length,
        hash: entries.at(-1)!.hash,
        anchored_at: anchoredAt.toISOString(),
      });
      expect(await expectOk(await verify(t))).toMatchObject({ valid: true, anchors_checked: 1 });
      // A second run the same day writes nothing new.
      await runScheduled(SCHEDULES.daily, new Date(anchoredAt.getTime() + 60_000));
      expect((await env.DOCUMENTS.list({ prefix: `audit-anchors/${t.partnerId}/` })).objects).toHaveLength(1);

      // The attacker changes entry 2 and recomputes every hash after it, and the chain's head, in D1.
      await tamper("UPDATE audit_logs SET changes = json_set(changes, '$.after.name', 'Commune falsifiée') WHERE id = ?", entries[1]!.id);
      const db = createDb(env.DB);
      const rows = await db.select().from(auditLogs).where(eq(auditLogs.partner_id, t.partnerId)).orderBy(asc(auditLogs.sequence));
      let previous = GENESIS_HASH;
      for (const row of rows.filter((r) => !r.livemode)) {
        const hash = await chainHash(previous, chainedFields(row));
        await tamper("UPDATE audit_logs SET previous_hash = ?, hash = ? WHERE id = ?", previous, hash, row.id);
        previous = hash;
      }
      await tamper("UPDATE audit_chains SET head_hash = ? WHERE partner_id = ? AND livemode = 0", previous, t.partnerId);
      expect(await expectOk(await verify(t))).toMatchObject({ valid: false, first_invalid_sequence: entries.length, reason: "anchor_mismatch" });
    });

    it("entries deleted from the end, the chain's head rewound: the anchor tells", async () => {
      const { t, entries } = await sealedChain();
      await runScheduled(SCHEDULES.daily);
      const kept = entries.at(-3)!;
      await tamper("DELETE FROM audit_logs WHERE partner_id = ? AND livemode = 0 AND sequence > ?", t.partnerId, kept.sequence);
      await tamper("UPDATE audit_chains SET sealed_through = ?, head_hash = ? WHERE partner_id = ? AND livemode = 0", kept.sequence, kept.hash, t.partnerId);
      expect(await expectOk(await verify(t))).toMatchObject({ valid: false, sealed_through: kept.sequence, first_invalid_sequence: kept.sequence + 1, reason: "missing_entry" });
    });
  });

  it("keeps each partner's and each mode's chains apart", async () => {
    const a = await sealedChain(3);
    const b = await sealedChain(3);
    await tamper("DELETE FROM audit_logs WHERE id = ?", a.entries[1]!.id);
    expect(await expectOk(await verify(a.t))).toMatchObject({ valid: false });
    expect(await expectOk(await verify(b.t))).toMatchObject({ valid: true, sealed_through: b.entries.length });
    // Live mode has its own chain, from 1.
    const live = await issueCredential(a.t.partnerId, "live");
    const liveToken = await accessToken(live);
    const liveOrg = await call("/v1/organizations", { token: liveToken, body: VALID_ORGANIZATION });
    expect(liveOrg.status, liveOrg.text).toBe(201);
    const liveChain = await expectOk(await call("/v1/audit_logs?from_sequence=1", { token: liveToken }));
    expect(liveChain.data.map((e: Entry) => e.sequence)).toEqual(liveChain.data.map((_: Entry, i: number) => i + 1));
    expect(liveChain.data.every((e: Entry & { livemode: boolean }) => e.livemode)).toBe(true);
  });

  it("lists the chain in order across organizations, and rejects an inverted range", async () => {
    const { t, entries } = await sealedChain(3);
    const page = await expectOk(await call("/v1/audit_logs?from_sequence=2&to_sequence=3", { token: t.token }));
    expect(page.data.map((e: Entry) => e.sequence)).toEqual([2, 3]);
    expect(page.data.map((e: Entry) => e.id)).toEqual(entries.slice(1, 3).map((e) => e.id));
    const inverted = await call("/v1/audit_logs?from_sequence=3&to_sequence=2", { token: t.token });
    expect(inverted.status).toBe(400);
    expect(inverted.body.error).toMatchObject({ code: "invalid_parameter", param: "to_sequence" });
  });

  it.each([
    { query: "from_sequence=abc", param: "from_sequence", code: "invalid_parameter" },
    { query: "to_sequence=1.5", param: "to_sequence", code: "invalid_parameter" },
    { query: "from_sequence=0", param: "from_sequence", code: "invalid_parameter" },
    { query: "from_sequence=-4", param: "from_sequence", code: "invalid_parameter" },
    { query: "from_sequence=9&to_sequence=3", param: "to_sequence", code: "invalid_parameter" },
    { query: `from_sequence=1&to_sequence=${VERIFY_MAX_ENTRIES + 1}`, param: "to_sequence", code: "range_too_large" },
  ])("answers 400 $code naming $param for ?$query", async ({ query, param, code }) => {
    const t = await createPartner();
    const res = await verify(t, query);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code, param });
  });

  it("needs the audit:read scope", async () => {
    const t = await createPartner();
    const token = await accessToken(t.credential, "invoices:read");
    const res = await verify(t, "").then(() => call("/v1/audit_logs/verify", { token }));
    expect(res.status).toBe(403);
  });
});

describe("retention of the audit trail", () => {
  const YEAR = 366 * 86_400_000;

  async function drainPurge(at: Date) {
    await runScheduled(SCHEDULES.hourly, at);
    for (let run = 0; run < 20; run++) {
      if ((await purgeAuditEntries(env as unknown as Env, at)).purged === 0) return;
    }
    throw new Error("the 10-year purge did not drain");
  }

  it("erases IP addresses after a year, and the chain still verifies", async () => {
    const { t, entries } = await sealedChain(3);
    const withIp = entries.filter((e) => e.ip_address === CLIENT_IP);
    expect(withIp.length).toBe(3);
    // A day short of a year: kept.
    await runScheduled(SCHEDULES.hourly, new Date(Date.now() + 364 * 86_400_000));
    expect((await chain(t)).filter((e) => e.ip_address === CLIENT_IP)).toHaveLength(3);
    await runScheduled(SCHEDULES.hourly, new Date(Date.now() + YEAR));
    const after = await chain(t);
    expect(after.every((e) => e.ip_address === null)).toBe(true);
    // The keyed hashes stay, and so does every seal.
    expect(after.map((e) => [e.ip_hash, e.hash])).toEqual(entries.map((e) => [e.ip_hash, e.hash]));
    expect(await expectOk(await verify(t))).toMatchObject({ valid: true, checked: entries.length });
  });

  it("deletes entries after 10 years from the start of the chain, keeps its head, and the rest still verifies and grows", async () => {
    const { t, entries } = await sealedChain(4);
    const tenYears = new Date(Date.now() + 10 * YEAR);
    // Other tests' chains are due too: each run prunes at most AUDIT_PURGE_CHAINS of them, so run until done.
    await drainPurge(tenYears);
    const kept = await chain(t);
    expect(kept.map((e) => e.id)).toEqual([entries.at(-1)!.id]);
    const result = await expectOk(await verify(t));
    expect(result).toMatchObject({ valid: true, pruned_through: entries.length - 1, from_sequence: entries.length, checked: 1, sealed_through: entries.length });
    // New entries continue the numbering and the hashes from the head.
    await concurrentWrites(t, 2);
    await seal(t);
    const grown = await chain(t);
    expect(grown.map((e) => e.sequence)).toEqual([entries.length, entries.length + 1, entries.length + 2]);
    expect(grown[1]!.previous_hash).toBe(entries.at(-1)!.hash);
    expect(await expectOk(await verify(t))).toMatchObject({ valid: true, checked: 3 });
    // Those are past the cutoff too, seen from then: pruned up to the new head, which stays; then nothing more to do.
    await drainPurge(tenYears);
    expect((await chain(t)).map((e) => e.sequence)).toEqual([entries.length + 2]);
    expect(await expectOk(await verify(t))).toMatchObject({ valid: true, pruned_through: entries.length + 1, checked: 1 });
    expect(await purgeAuditEntries(env as unknown as Env, tenYears)).toEqual({ purged: 0 });
  });
});
