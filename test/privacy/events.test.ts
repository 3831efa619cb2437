import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SCHEDULES } from "../../src/cron";
import { mergePersonalData, splitPersonalData } from "../../src/domain/event-privacy";
import { eventEntry, type ServiceContext } from "../../src/services/context";
import { hmacSha256Hex, seal } from "../../src/lib/crypto";
import { newId } from "../../src/lib/ids";
import worker from "../../src/index";
import { call, createPartner, expectOk, SEED, seedInvoiceBody, seedWorld, type CallResult } from "../helpers/harness";
import { body, delivery, fanOut, outbox, receiver, runQueue, seedVerifies, subscribe } from "../webhooks/helpers";

/**
 * Issue 10 §2: personal data in event payloads is sealed at rest (webhooks and the events API
 * carry it as before), payloads expire after 90 days, and rows written before the change (a payer
 * in clear, legacy keyed hashes) keep working and are brought up to date by the hourly backfill.
 */

const HOOK = "http://127.0.0.1:9999/hook";
const PAYER = seedInvoiceBody("dept").payer;
const DAY = 86_400_000;

afterEach(() => {
  vi.restoreAllMocks();
});

async function hourly(at = new Date()) {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: at.getTime(), cron: SCHEDULES.hourly }), env, ctx);
  await waitOnExecutionContext(ctx);
}

async function rawEvents(partnerId: string) {
  const { results } = await env.DB.prepare("SELECT * FROM events WHERE partner_id = ? ORDER BY created_at, id").bind(partnerId).all<Record<string, string | null>>();
  return results;
}

function expectError(res: CallResult, status: number, code: string, param?: string) {
  expect(res.status, res.text).toBe(status);
  expect(res.body.error.code).toBe(code);
  if (param !== undefined) expect(res.body.error.param).toBe(param);
}

/** A partner whose seed invoice was created, issued and cancelled (a credit note): three invoice events carrying the payer. */
async function invoiceEvents() {
  const t = await createPartner();
  const sub = await subscribe(t, { url: HOOK, events: ["*"] });
  const w = await seedWorld(t);
  const headers = { "x-entity-id": w.org.id };
  const issued = await expectOk(await call(`/v1/invoices/${w.invoice.id}/issue`, { method: "POST", token: t.token, headers }));
  const cancelled = await expectOk(await call(`/v1/invoices/${w.invoice.id}/cancel`, { token: t.token, headers, body: { reason: "Erreur de facturation" } }));
  return { t, sub, w, issued, cancelled, headers };
}

describe("personal data in a payload (domain/event-privacy.ts)", () => {
  const invoice = { id: "inv-1", invoice_number: null, payer: PAYER, total_amount: 42200 };

  it("splits the payer out in place (null, keys in order) and merges it back exactly", () => {
    const data = { invoice_id: "inv-1", invoice };
    const { plain, personal } = splitPersonalData(data);
    expect(JSON.stringify(plain)).toBe(JSON.stringify({ invoice_id: "inv-1", invoice: { ...invoice, payer: null } }));
    expect(personal).toEqual({ "invoice.payer": PAYER });
    expect(data.invoice.payer).toEqual(PAYER); // the caller's object is left alone
    expect(JSON.stringify(mergePersonalData(plain, personal))).toBe(JSON.stringify(data));
  });

  it("leaves payloads without personal data as they are", () => {
    for (const data of [{ payment_intent_id: "pi-1", payment_intent: { version: 2 } }, { invoice_id: "inv-1", invoice: { id: "inv-1", status: "paid" } }]) {
      expect(splitPersonalData(data)).toEqual({ plain: data, personal: null });
    }
  });

  it("an event carrying a payer cannot be written in clear: eventEntry refuses it unless sealed first", () => {
    const ctx = { principal: { partnerId: "ptn-x", livemode: false }, now: new Date().toISOString() } as unknown as ServiceContext;
    expect(() => eventEntry(ctx, { id: "evt-x", organizationId: null, type: "invoice.created", data: { invoice } })).toThrow(/personal data/);
  });
});

describe("event payloads at rest", () => {
  it("keep the payer sealed in D1, while the events API and the signed webhook bodies carry it exactly as before", async () => {
    const { t, sub, issued, cancelled } = await invoiceEvents();
    const rows = await rawEvents(t.partnerId);
    expect(rows.map((r) => r.type)).toEqual(["invoice.created", "invoice.status_changed", "invoice.status_changed"]);
    const stored = JSON.stringify(rows);
    for (const secret of [PAYER.email, PAYER.name, PAYER.address.line1]) expect(stored).not.toContain(secret);
    for (const row of rows) {
      expect(row.data_encrypted).toMatch(/^v1:/);
      expect(JSON.parse(row.data!).invoice.payer).toBeNull();
    }
    // The values assigned inside the batch (the numbers) are still written into the plain part.
    expect(JSON.parse(rows[1]!.data!).invoice.invoice_number).toBe(issued.invoice_number);
    expect(JSON.parse(rows[2]!.data!).invoice.credit_note.credit_note_number).toBe(cancelled.credit_note.credit_note_number);

    const listed = await expectOk(await call("/v1/events?type=invoice.status_changed", { token: t.token }));
    expect(listed.data.map((e: any) => e.data.invoice)).toEqual([cancelled, issued]);
    expect(listed.data[0]).toMatchObject({ data_expired: false, object_version: cancelled.version });
    const one = await expectOk(await call(`/v1/events/${rows[0]!.id}`, { token: t.token }));
    expect(one.data.invoice.payer).toEqual(PAYER);
    expect(one.data_expires_at).toBe(new Date(Date.parse(one.created_at) + 90 * DAY).toISOString());

    const r = receiver();
    await runQueue(await fanOut(rows.map((e) => e.id!)));
    expect(r.requests).toHaveLength(3);
    for (const req of r.requests) expect(seedVerifies(req.body, req.headers.get("x-webhook-signature"), sub.secret)).toBe(true);
    const bodies = r.requests.map(body).sort((a, b) => rows.findIndex((e) => e.id === a.event_id) - rows.findIndex((e) => e.id === b.event_id));
    expect(bodies.map((b) => b.data.invoice.payer)).toEqual([PAYER, PAYER, PAYER]);
    expect(bodies[1].data.invoice).toEqual(issued);
    expect(bodies[2].data.invoice).toEqual(cancelled);
  });
});

describe("retention of event payloads (90 days)", () => {
  it("purges the payload of an event older than 90 days: the event stays and says so, its pending delivery fails visibly, redelivery is refused", async () => {
    const t = await createPartner();
    await subscribe(t, { url: HOOK, events: ["invoice.created"] });
    const w = await seedWorld(t);
    const younger = await expectOk(await call("/v1/invoices", { token: t.token, headers: { "x-entity-id": w.org.id }, body: seedInvoiceBody(w.dept.id) }), 201);
    const [old, recent] = await outbox(t.partnerId);
    expect(old!.type).toBe("invoice.created");
    // Fanned out (a delivery waits for its attempt), then the clock moves: one event is 91 days old, the other 89.
    const messages = await fanOut([old!.id]);
    expect(messages).toHaveLength(1);
    const now = Date.now();
    const setAge = (id: string, days: number) => env.DB.prepare("UPDATE events SET created_at = ? WHERE id = ?").bind(new Date(now - days * DAY).toISOString(), id).run();
    await setAge(old!.id, 91);
    await setAge(recent!.id, 89);

    await hourly(new Date(now));

    const expired = await expectOk(await call(`/v1/events/${old!.id}`, { token: t.token }));
    expect(expired).toMatchObject({ id: old!.id, type: "invoice.created", organization_id: w.org.id, data: null, data_expired: true, object_version: null });
    expect(expired.data_expires_at).toBe(new Date(now - 91 * DAY + 90 * DAY).toISOString());
    const row = (await rawEvents(t.partnerId)).find((e) => e.id === old!.id)!;
    expect(row).toMatchObject({ data: "{}", data_encrypted: null, data_expired_at: new Date(now).toISOString() });
    const kept = await expectOk(await call(`/v1/events/${recent!.id}`, { token: t.token }));
    expect(kept).toMatchObject({ data_expired: false, data: { invoice_id: younger.id, invoice: { payer: PAYER } } });

    // The delivery waiting for its attempt ends failed, saying why; nothing (no empty body) is sent.
    const r = receiver();
    await runQueue(messages);
    expect(r.requests).toHaveLength(0);
    expect(await delivery(messages[0]!.delivery_id)).toMatchObject({ status: "failed", last_error: expect.stringContaining("payload expired") });
    const deliveries = await expectOk(await call(`/v1/events/${old!.id}/deliveries`, { token: t.token }));
    expect(deliveries.data[0]).toMatchObject({ status: "failed", last_error: expect.stringContaining("payload expired") });
    expectError(await call(`/v1/events/${old!.id}/redeliver`, { method: "POST", token: t.token }), 409, "event_data_expired");

    // Idempotent: a second run changes nothing.
    await hourly(new Date(now + 3_600_000));
    expect((await rawEvents(t.partnerId)).find((e) => e.id === old!.id)!.data_expired_at).toBe(new Date(now).toISOString());
    expect((await expectOk(await call(`/v1/events/${recent!.id}`, { token: t.token }))).data_expired).toBe(false);
  });
});

describe("rows written before sealing and purpose subkeys", () => {
  it("an IBAN fingerprinted with the legacy derivation is still a duplicate (409) and still found by KYC; the backfill rewrites it", async () => {
    const t = await createPartner();
    const org = await expectOk(await call("/v1/organizations", { token: t.token, body: SEED.organization }), 201);
    const dept = await expectOk(await call(`/v1/organizations/${org.id}/departments`, { token: t.token, body: SEED.department }), 201);
    const iban = SEED.bankAccount.iban;
    // The account as the previous code wrote it: HMAC keyed with "iban-fingerprint:" + ENCRYPTION_KEY.
    const id = newId("bank_account");
    const legacy = await hmacSha256Hex(`iban-fingerprint:${env.ENCRYPTION_KEY}`, iban);
    const at = new Date().toISOString();
    await env.DB.prepare(
      `INSERT INTO bank_accounts (id, partner_id, livemode, organization_id, department_id, iban_encrypted, iban_fingerprint, iban_masked, iban_last4, country, bic, account_name, bank_name, is_default, status, deleted_at, created_at, updated_at)
       VALUES (?, ?, 0, ?, ?, ?, ?, 'FR76 **** **** **** **** ***0 123', '0123', 'FR', 'BNPAFRPPXXX', 'Compte Régie Eau', 'BNP Paribas', 1, 'active', NULL, ?, ?)`,
    )
      .bind(id, t.partnerId, org.id, dept.id, await seal(env.ENCRYPTION_KEY, iban, `bank_account:${id}`), legacy, at, at)
      .run();

    const again = () => call(`/v1/departments/${dept.id}/bank_accounts`, { token: t.token, body: { ...SEED.bankAccount, is_default: false } });
    expectError(await again(), 409, "bank_account_exists", "iban");
    const kyc = await expectOk(await call(`/v1/departments/${dept.id}/kyc`, { token: t.token, body: { iban } }), 201);
    expect(kyc.bank_account_id).toBe(id);

    await hourly();
    const rewritten = await env.DB.prepare("SELECT iban_fingerprint FROM bank_accounts WHERE id = ?").bind(id).first<{ iban_fingerprint: string }>();
    expect(rewritten!.iban_fingerprint).toMatch(/^v2:[0-9a-f]{64}$/);
    expectError(await again(), 409, "bank_account_exists", "iban");
    expect((await expectOk(await call(`/v1/departments/${dept.id}/bank_accounts`, { token: t.token }))).data).toHaveLength(1);
  });

  it("an invoice whose email hash uses the legacy derivation is still found by payer_email; the backfill rewrites it", async () => {
    const t = await createPartner();
    const w = await seedWorld(t);
    const legacy = await hmacSha256Hex(`payer-email:${env.ENCRYPTION_KEY}`, PAYER.email);
    await env.DB.prepare("UPDATE invoices SET payer_email_hash = ? WHERE id = ?").bind(legacy, w.invoice.id).run();
    const search = async () =>
      (await expectOk(await call(`/v1/invoices?payer_email=${encodeURIComponent("Jean.Dupont@example.com")}`, { token: t.token, headers: { "x-entity-id": w.org.id } }))).data.map(
        (i: { id: string }) => i.id,
      );
    expect(await search()).toEqual([w.invoice.id]);
    await hourly();
    const row = await env.DB.prepare("SELECT payer_email_hash, version, updated_at FROM invoices WHERE id = ?").bind(w.invoice.id).first<Record<string, unknown>>();
    expect(row).toMatchObject({ payer_email_hash: expect.stringMatching(/^v2:[0-9a-f]{64}$/), version: w.invoice.version, updated_at: w.invoice.updated_at });
    expect(await search()).toEqual([w.invoice.id]);
  });

  it("an event payload written with the payer in clear is sealed by the backfill, and reads the same before and after", async () => {
    const t = await createPartner();
    const w = await seedWorld(t);
    const [event] = await outbox(t.partnerId);
    const before = await expectOk(await call(`/v1/events/${event!.id}`, { token: t.token }));
    // The row as the previous code wrote it: the whole payload in clear.
    await env.DB.prepare("UPDATE events SET data = ?, data_encrypted = NULL WHERE id = ?").bind(JSON.stringify(before.data), event!.id).run();
    expect(JSON.stringify(await rawEvents(t.partnerId))).toContain(PAYER.email);
    expect(await expectOk(await call(`/v1/events/${event!.id}`, { token: t.token }))).toEqual(before);

    await hourly();
    const raw = await rawEvents(t.partnerId);
    expect(JSON.stringify(raw)).not.toContain(PAYER.email);
    expect(raw[0]!.data_encrypted).toMatch(/^v1:/);
    expect(await expectOk(await call(`/v1/events/${event!.id}`, { token: t.token }))).toEqual(before);
    expect(before.data.invoice).toEqual(w.invoice);
  });
});
