import { describe, expect, it, vi } from "vitest";
import { entityRuleOf, ENTITY_RULES, partnerOperationPath, type EntityRule } from "../src/lib/entity-rule";
import { accessToken, call, createPartner, expectOk, issueCredential, SEED, seedInvoiceBody, seedWorld } from "./helpers/harness";
import { concretePath, fixtureWorld, portableBody, type World } from "./helpers/world";

/**
 * The X-Entity-Id rule (issue 17), checked operation by operation against the class the OpenAPI
 * document gives each one — the same class its description's table is generated from
 * (src/lib/entity-rule.ts). A route whose behaviour and table disagree fails here.
 */

interface Operation {
  method: string;
  path: string;
  operationId: string;
  rule: EntityRule;
  bodyExample: unknown;
  query: string;
  success: number;
}

const doc = (await call("/v1/openapi.json")).body;

const operations: Operation[] = Object.entries<any>(doc.paths)
  .filter(([path]) => partnerOperationPath(path))
  .flatMap(([path, item]) =>
    Object.entries<any>(item).map(([method, op]) => {
      const ref = op.requestBody?.content?.["application/json"]?.schema?.$ref as string | undefined;
      const schema = ref ? doc.components.schemas[ref.split("/").pop()!] : op.requestBody?.content?.["application/json"]?.schema;
      return {
        method: method.toUpperCase(),
        path,
        operationId: op.operationId as string,
        rule: entityRuleOf(path, op),
        bodyExample: schema?.example,
        query: new URLSearchParams((op.parameters ?? []).filter((p: any) => p.in === "query" && p.required).map((p: any) => [p.name, String(p.example ?? p.schema?.example)]))
          .toString()
          .replace(/^(?=.)/, "?"),
        success: Number(Object.keys(op.responses ?? {}).find((status) => /^2\d\d$/.test(status))),
      };
    }),
  );

/** What Server-Timing reports as the request's sequential storage round trips (test/conventions.test.ts). */
function sequentialRoundTrips(res: { headers: Headers }): number {
  const match = /storage;desc="sequential round trips";dur=(\d+)/.exec(res.headers.get("server-timing") ?? "");
  if (!match) throw new Error(`no sequential round trips in Server-Timing: ${res.headers.get("server-timing")}`);
  return Number(match[1]);
}

const ofRule = (rule: EntityRule) => operations.filter((o) => o.rule === rule);

function request(op: Operation, w: World, token: string, entityId?: string) {
  const headers: Record<string, string> = {};
  if (entityId !== undefined) headers["x-entity-id"] = entityId;
  return call(concretePath(op.path, w) + op.query, {
    method: op.method,
    token,
    headers,
    ...(op.bodyExample !== undefined ? { body: portableBody(op.bodyExample, w) } : op.method === "GET" || op.method === "DELETE" ? {} : { body: {} }),
  });
}

let sharedWorld: Promise<World> | undefined;
const readWorld = () => (sharedWorld ??= createPartner().then(fixtureWorld));

/** Another partner with objects and an organization of its own. */
let strangerWorld: Promise<{ token: string; orgId: string }> | undefined;
const stranger = () => (strangerWorld ??= createPartner().then(async (t) => ({ token: t.token, orgId: (await seedWorld(t)).org.id })));

/** The world with an issued invoice still to pay and an active link for it (the world's own is paid). */
async function payable(w: World): Promise<World> {
  const headers = { "x-entity-id": w.org.id };
  const draft = await expectOk(await call("/v1/invoices", { token: w.token, headers, body: { ...seedInvoiceBody(w.dept.id), due_date: "2099-01-01" } }), 201);
  const issued = await expectOk(await call(`/v1/invoices/${draft.id}/issue`, { method: "POST", token: w.token, headers }));
  const link = await expectOk(await call("/v1/payment_links", { token: w.token, headers, body: { invoice_id: issued.id, amount: 10000, payment_methods: ["card"] } }), 201);
  return { ...w, issued, link };
}

/** Writes that need their object in another state than the world's (as in test/routes/route-matrix.test.ts). */
const READY: Partial<Record<string, (w: World) => Promise<World>>> = {
  sendInvoice: async (w) => {
    const p = await payable(w);
    return { ...p, invoice: p.issued };
  },
  revokePaymentLink: payable,
  sendPaymentLink: payable,
  remindPaymentLink: payable,
  cancelPaymentLink: payable,
  voidPayment: async (w) => {
    const p = await payable(w);
    const body = { amount: 5000, method: "cash", received_at: "2026-03-02" };
    const payment = await expectOk(await call(`/v1/invoices/${p.issued.id}/payments`, { token: w.token, headers: { "x-entity-id": w.org.id }, body }), 201);
    return { ...p, payment };
  },
  acceptQuote: sentQuote,
  declineQuote: sentQuote,
  cancelPaymentIntent: payable,
  recordInvoicePayment: payable,
  capturePaymentIntent: authorizedHold,
  // The example KYC names the example account's IBAN: add that account to the department first.
  submitKyc: async (w) => {
    const account = operations.find((o) => o.operationId === "createBankAccount")!.bodyExample;
    await expectOk(await call(`/v1/departments/${w.dept.id}/bank_accounts`, { token: w.token, body: portableBody(account, w) }), 201);
    return w;
  },
};

/** The world with an authorized card hold of 20 000 cents (the capture example takes 15 000). */
async function authorizedHold(w: World): Promise<World> {
  const headers = { "x-entity-id": w.org.id };
  const draft = await expectOk(await call("/v1/invoices", { token: w.token, headers, body: { ...seedInvoiceBody(w.dept.id), due_date: "2099-01-01" } }), 201);
  const issued = await expectOk(await call(`/v1/invoices/${draft.id}/issue`, { method: "POST", token: w.token, headers }));
  const link = await expectOk(await call("/v1/payment_links", { token: w.token, headers, body: { invoice_id: issued.id, amount: 20000, payment_methods: ["card"], type: "preauth" } }), 201);
  await expectOk(await call(`/v1/sandbox/payment_intents/${link.payment_intent_id}/simulate`, { token: w.token, body: { outcome: "succeeded" } }));
  return { ...w, issued, link };
}

/** A new quote, sent (each call its own, so an answer can be given twice). */
async function sentQuote(w: World): Promise<World> {
  const headers = { "x-entity-id": w.org.id };
  const draft = await expectOk(await call("/v1/quotes", { token: w.token, headers, body: { ...seedInvoiceBody(w.dept.id), due_date: undefined, valid_until: "2099-12-31" } }), 201);
  return { ...w, quote: await expectOk(await call(`/v1/quotes/${draft.id}/send`, { method: "POST", token: w.token })) };
}

/** READY entries that prepare the same object again rather than a new one. */
const READY_ONCE = new Set(["submitKyc"]);

it("the document's description states the rule once, every partner operation in the entry of its class", () => {
  const description: string = doc.info.description;
  const table = description.slice(description.indexOf("## X-Entity-Id"));
  const rows = table.split("\n").filter((line) => line.startsWith("- "));
  expect(rows).toHaveLength(4);
  for (const op of operations) {
    const row = rows.find((r) => r.includes(`\`${op.method} ${op.path}\``));
    expect(row, `${op.method} ${op.path}`).toBeDefined();
    expect(row!.startsWith(`- ${ENTITY_RULES[op.rule].header}: `), `${op.method} ${op.path} is ${op.rule}`).toBe(true);
  }
  // The operations this issue made optional, and those that stay required (nothing to take it from).
  const rule = (operationId: string) => operations.find((o) => o.operationId === operationId)?.rule;
  for (const id of ["getInvoice", "issueInvoice", "cancelInvoice", "sendInvoice", "getPaymentLink", "revokePaymentLink", "getPaymentIntent", "capturePaymentIntent", "cancelPaymentIntent", "getQuote", "getCreditNote", "getPayment", "voidPayment", "recordInvoicePayment", "getMessage"]) {
    expect(rule(id), id).toBe("object");
  }
  for (const id of ["createInvoice", "listInvoices", "createPaymentLink", "listPaymentLinks", "createQuote", "listPayments", "listMessages"]) expect(rule(id), id).toBe("required");
});

describe.each(ofRule("object").map((o) => [`${o.method} ${o.path}`, o] as const))("optional X-Entity-Id: %s", (_name, op) => {
  it("without it, reaches the caller's object and nobody else's (other partner, other mode: 404); a wrong one still 404s", async () => {
    const w = op.method === "GET" ? await readWorld() : await createPartner().then(fixtureWorld);
    const live = await accessToken(await issueCredential(w.partnerId, "live"));
    const other = await expectOk(await call("/v1/organizations", { token: w.token, body: { ...SEED.organization, name: "Autre organisation" } }), 201);
    const s = await stranger();
    for (const [label, token, entityId] of [
      ["another partner, no header", s.token, undefined],
      ["another partner, its own organization", s.token, s.orgId],
      ["the owner's live mode, no header", live, undefined],
      ["the owner's other organization", w.token, other.id],
      ["another partner's organization", w.token, s.orgId],
    ] as const) {
      const res = await request(op, w, token, entityId);
      expect(res.status, `${label}: ${res.text}`).toBe(404);
      expect(res.body.error.type, label).toBe("not_found_error");
    }
    const ready = READY[op.operationId];
    const own = await request(op, ready ? await ready(w) : w, w.token);
    expect(own.status, own.text).toBe(op.success);
    // No round trip added to find the organization: the same count as with the header (issue 16's
    // budgets), on a read, and on a write whose object can be made twice.
    if (op.method === "GET" || (ready && !READY_ONCE.has(op.operationId))) {
      const named = await request(op, op.method === "GET" ? w : await ready!(w), w.token, w.org.id);
      expect(named.status, named.text).toBe(op.success);
      expect(sequentialRoundTrips(own), own.headers.get("server-timing") ?? "").toBe(sequentialRoundTrips(named));
    }
  });
});

describe.each(ofRule("required").map((o) => [`${o.method} ${o.path}`, o] as const))("required X-Entity-Id: %s", (_name, op) => {
  it("answers 400 missing_entity_id without it", async () => {
    const w = await readWorld();
    const res = await request(op, w, w.token);
    expect(res.status, res.text).toBe(400);
    expect(res.body.error).toMatchObject({ code: "missing_entity_id", param: "X-Entity-Id" });
  });
});

describe.each(ofRule("filter").map((o) => [`${o.method} ${o.path}`, o] as const))("X-Entity-Id as a filter: %s", (_name, op) => {
  it("answers for every organization without it, and 404 for another partner's organization", async () => {
    const w = await readWorld();
    const all = await request(op, w, w.token);
    expect(all.status, all.text).toBe(op.success);
    const res = await request(op, w, w.token, (await stranger()).orgId);
    expect(res.status, res.text).toBe(404);
  });
});

describe.each(ofRule("partner").filter((o) => o.method === "GET").map((o) => [`${o.method} ${o.path}`, o] as const))("partner-level: %s", (_name, op) => {
  it("ignores an X-Entity-Id, even another partner's organization", async () => {
    const w = await readWorld();
    const res = await request(op, w, w.token, (await stranger()).orgId);
    expect(res.status, res.text).toBe(op.success);
  });
});

describe("what a write without X-Entity-Id records", () => {
  it("issue, send and cancel: the events and the numbering are the invoice's own organization's", async () => {
    const t = await createPartner();
    const w = await seedWorld(t);
    const second = await expectOk(await call("/v1/organizations", { token: t.token, body: { ...SEED.organization, name: "Seconde organisation" } }), 201);
    // Another organization of the partner numbers its own invoices first: the counter used must be the invoice's organization's.
    const secondDept = await expectOk(await call(`/v1/organizations/${second.id}/departments`, { token: t.token, body: { ...SEED.department, code: "AUTRE" } }), 201);
    const elsewhereDraft = await expectOk(await call("/v1/invoices", { token: t.token, headers: { "x-entity-id": second.id }, body: { ...seedInvoiceBody(secondDept.id), due_date: "2099-01-01" } }), 201);
    expect((await expectOk(await call(`/v1/invoices/${elsewhereDraft.id}/issue`, { method: "POST", token: t.token }))).invoice_number).toMatch(/-00001$/);
    const draft = async () => (await expectOk(await call("/v1/invoices", { token: t.token, headers: { "x-entity-id": w.org.id }, body: { ...seedInvoiceBody(w.dept.id), due_date: "2099-01-01" } }), 201)).id as string;
    const sent = await draft();
    const issued = await expectOk(await call(`/v1/invoices/${sent}/issue`, { method: "POST", token: t.token }));
    expect(issued.invoice_number).toMatch(/-00001$/);
    await expectOk(await call(`/v1/invoices/${sent}/send`, { token: t.token, body: { channel: "email" } }));
    const toCancel = await draft();
    expect((await expectOk(await call(`/v1/invoices/${toCancel}/issue`, { method: "POST", token: t.token }))).invoice_number).toMatch(/-00002$/);
    const cancelled = await expectOk(await call(`/v1/invoices/${toCancel}/cancel`, { method: "POST", token: t.token, body: { reason: "Erreur de facturation" } }));
    expect(cancelled.credit_note.credit_note_number).toMatch(/-00001$/);

    const events = await expectOk(await call("/v1/events?type=invoice.status_changed", { token: t.token }));
    const ofInvoices = events.data.filter((e: any) => [sent, toCancel].includes(e.data.invoice_id));
    expect(ofInvoices.map((e: any) => e.data.current_status).sort()).toEqual(["cancelled", "issued", "issued"]);
    for (const e of ofInvoices) expect(e.organization_id).toBe(w.org.id);
    // The audit trail files them under the invoice's organization, not the partner's or another one.
    for (const [id, actions] of [
      [sent, ["status_changed", "sent"]],
      [toCancel, ["status_changed"]],
    ] as const) {
      const audit = await expectOk(await call(`/v1/audit_logs?resource_id=${id}`, { token: t.token, headers: { "x-entity-id": w.org.id } }));
      expect(audit.data.map((a: any) => a.action)).toEqual(expect.arrayContaining([...actions]));
      const elsewhere = await expectOk(await call(`/v1/audit_logs?resource_id=${id}`, { token: t.token, headers: { "x-entity-id": second.id } }));
      expect(elsewhere.data).toEqual([]);
    }
  });
});

it("an Idempotency-Key on an object's operation is the same key with or without X-Entity-Id: a retry that drops the header replays, nothing is recorded twice", async () => {
  const w = await payable(await createPartner().then(fixtureWorld));
  const body = { amount: 5000, method: "cash", received_at: "2026-03-02" };
  const path = `/v1/invoices/${w.issued.id}/payments`;
  const first = await call(path, { token: w.token, headers: { "x-entity-id": w.org.id, "idempotency-key": "counter-once" }, body });
  expect(first.status, first.text).toBe(201);
  // The completion is stored after the response: until then a duplicate gets 409, then the replay.
  await vi.waitFor(async () => {
    const retry = await call(path, { token: w.token, headers: { "idempotency-key": "counter-once" }, body });
    expect(retry.status, retry.text).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(retry.body.id).toBe(first.body.id);
  });
  const payments = await expectOk(await call(`/v1/invoices/${w.issued.id}/payments`, { token: w.token }));
  expect(payments.data.filter((p: { method: string }) => p.method === "cash")).toHaveLength(1);
});
