import { describe, expect, it } from "vitest";
import { EVENT_TYPES } from "../../src/domain/events";
import { adminHeaders, call, createPartner, expectOk, SEED, seedInvoiceBody, seedWorld, VALID_ORGANIZATION } from "../helpers/harness";
import { api, issuedInvoice, liveToken } from "../payments/fixtures";

/**
 * Issue 17: "payloads carry object_version … give every object a version". Every object an event
 * carries has an integer `version` (migration 0014 gave one to payment links, bank accounts, KYC
 * verifications, credit notes, messages and payments), so `object_version` is never null, and it
 * grows along an object's changes: a receiver that gets deliveries out of order keeps the highest.
 */

interface ListedEvent {
  id: string;
  type: string;
  object_version: number | null;
  data: Record<string, any>;
  created_at: string;
}

async function eventsOf(token: string): Promise<ListedEvent[]> {
  const page = await expectOk(await call("/v1/events?page_size=100", { token }));
  // Oldest first (the list is newest first; ties keep the outbox's order reversed).
  return [...(page.data as ListedEvent[])].reverse();
}

/** The id of the object an event is about, and where its version is read. */
function objectOf(e: ListedEvent): { id: string; version: unknown } {
  const name = e.type.slice(0, e.type.lastIndexOf("."));
  const object = e.data[name] ?? e.data[`previous_${name}`];
  return { id: object.id, version: object.version };
}

describe("object_version", () => {
  it("is an integer on every event of a world that makes most types, equal to the object's version, and grows along each object's changes", async () => {
    const t = await createPartner();
    const w = await seedWorld(t);
    const a = api(t.token, w.org.id);
    const headers = { "x-entity-id": w.org.id };

    // Invoice issued and sent (payment_link.created, invoice.sent); another paid in part at the counter, and the payment voided.
    const issued = await expectOk(await a.issueInvoice(w.invoice.id));
    await expectOk(await call(`/v1/invoices/${issued.id}/send`, { token: t.token, headers, body: { channel: "email" } }));
    const counter = await issuedInvoice(a, w.dept.id);
    const cash = await expectOk(await call(`/v1/invoices/${counter.id}/payments`, { token: t.token, headers, body: { amount: 1000, method: "cash", received_at: new Date().toISOString().slice(0, 10) } }), 201);
    expect(cash.version).toBe(1);
    const voided = await expectOk(await call(`/v1/payments/${cash.id}/void`, { token: t.token, headers, body: { reason: "Saisi deux fois" } }));
    expect(voided.version).toBe(2);

    // A second default account, then it is removed (the first one is default again): two default changes.
    const second = await expectOk(
      await call(`/v1/departments/${w.dept.id}/bank_accounts`, { token: t.token, body: { ...SEED.bankAccount, iban: "FR7630006000011234567890189", account_name: "Second", is_default: true } }),
      201,
    );
    expect(second.version).toBe(1);
    await expectOk(await call(`/v1/departments/${w.dept.id}/bank_accounts/${second.id}`, { method: "DELETE", token: t.token }));
    const first = await expectOk(await call(`/v1/departments/${w.dept.id}/bank_accounts/${w.account.id}`, { token: t.token }));
    // Unset as default by the second account, then default again when it went: two changes.
    expect(first.version).toBe(3);

    // A quote sent and accepted.
    const quote = await expectOk(
      await call("/v1/quotes", {
        token: t.token,
        headers,
        body: { department_id: w.dept.id, payer: seedInvoiceBody(w.dept.id).payer, line_items: [{ description: "Raccordement", quantity: 1, unit_price: 85000, vat_rate: 20 }], valid_until: "2099-01-01" },
      }),
      201,
    );
    await expectOk(await call(`/v1/quotes/${quote.id}/send`, { method: "POST", token: t.token, headers }));
    await expectOk(await call(`/v1/quotes/${quote.id}/accept`, { method: "POST", token: t.token, headers }));

    // A live KYC decided by the operator (kyc.status_changed).
    const live = await liveToken(t);
    const liveOrg = await expectOk(await call("/v1/organizations", { token: live, body: { ...VALID_ORGANIZATION, address: SEED.organization.address } }), 201);
    const liveDept = await expectOk(await call(`/v1/organizations/${liveOrg.id}/departments`, { token: live, body: SEED.department }), 201);
    await expectOk(await call(`/v1/departments/${liveDept.id}/bank_accounts`, { token: live, body: { ...SEED.bankAccount, iban: "FR7630006000011234567890189", account_name: "Régie" } }), 201);
    const kyc = await expectOk(await call(`/v1/departments/${liveDept.id}/kyc`, { token: live, body: {} }), 201);
    expect(kyc.version).toBe(1);
    const decided = await expectOk(await call(`/v1/admin/kyc/${kyc.id}/decision`, { headers: adminHeaders(), body: { decision: "verified", reason: "RIB vérifié." } }));
    expect(decided.version).toBe(2);

    const events = [...(await eventsOf(t.token)), ...(await eventsOf(live))];
    const types = new Set(events.map((e) => e.type));
    // Every type this world makes; the others (payment intents, refunds, credit notes, messages,
    // dunning) are checked in events.test.ts and by the same rule below when they occur.
    for (const type of [
      "invoice.created",
      "invoice.status_changed",
      "invoice.sent",
      "payment_link.created",
      "payment.created",
      "payment.voided",
      "bank_account.default_changed",
      "quote.created",
      "quote.status_changed",
      "kyc.status_changed",
    ]) {
      expect(types, type).toContain(type);
    }
    expect([...types].every((type) => (EVENT_TYPES as readonly string[]).includes(type))).toBe(true);

    const seen = new Map<string, number>();
    for (const e of events) {
      expect(Number.isInteger(e.object_version), `${e.type}: ${JSON.stringify(e.data)}`).toBe(true);
      const object = objectOf(e);
      expect(e.object_version, e.type).toBe(object.version);
      const before = seen.get(object.id);
      // Never lower; higher after a change. invoice.sent tells of something done with the invoice without changing it: same version.
      if (before !== undefined && e.type === "invoice.sent") expect(e.object_version!, `${e.type} of ${object.id}`).toBe(before);
      else if (before !== undefined) expect(e.object_version!, `${e.type} of ${object.id} after version ${before}`).toBeGreaterThan(before);
      seen.set(object.id, e.object_version!);
    }
    // The payment's two events: created at 1, voided at 2; the KYC decided at 2; the second account removed at 2.
    expect(events.filter((e) => e.type.startsWith("payment.")).map((e) => [e.type, e.object_version])).toEqual([
      ["payment.created", 1],
      ["payment.voided", 2],
    ]);
    expect(events.find((e) => e.type === "kyc.status_changed")!.object_version).toBe(2);
    const removal = events.filter((e) => e.type === "bank_account.default_changed").at(-1)!;
    expect(removal.data.bank_account).toMatchObject({ id: w.account.id, version: 3 });
  });

  it("when the last account of a department is removed, the event carries the removed account and its version", async () => {
    const t = await createPartner();
    const w = await seedWorld(t);
    await expectOk(await call(`/v1/departments/${w.dept.id}/bank_accounts/${w.account.id}`, { method: "DELETE", token: t.token }));
    const [removal] = (await eventsOf(t.token)).filter((e) => e.type === "bank_account.default_changed");
    expect(removal!.data).toMatchObject({ bank_account_id: null, bank_account: null, previous_bank_account_id: w.account.id, previous_bank_account: { id: w.account.id, status: "deleted", version: 2 } });
    expect(removal!.object_version).toBe(2);
  });
});
