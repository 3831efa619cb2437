import { createExecutionContext, createScheduledController, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SCHEDULES } from "../../src/cron";
import worker from "../../src/index";
import { accessToken, adminHeaders, call, expectOk, SEED, seedInvoiceBody, type IssuedCredential } from "../helpers/harness";
import { quiesce } from "../helpers/world";
import { deliveryMessages, fanOut, outbox, receiver, runQueue } from "../webhooks/helpers";

/**
 * Issue 10 §2: nothing at rest holds a payer's email, a full IBAN, a webhook secret, a client
 * secret, a secret key or a card number in clear. A whole flow runs through the API and the
 * payment pages (with Idempotency-Keys on the calls that show a secret once), then every column
 * of every D1 table and the storage of the Durable Objects involved are searched for those exact
 * strings.
 */

const BASE = env.PUBLIC_BASE_URL;
const ACCOUNT_IBAN = "FR7630006000011234567890189";
const PAYER_IBAN = "FR7612345678901234567890123"; // the sandbox bank's "succeeds" account, chosen on the page
const CARD = "4000000000003220"; // the sandbox's 3-D Secure card

afterEach(() => {
  vi.restoreAllMocks();
});

/** IBAN as people write it: groups of four. */
const spaced = (iban: string) => iban.replace(/(.{4})/g, "$1 ").trim();

// ── a payer's browser (cookies kept; forms posted with their hidden fields) ─────────────

class Browser {
  cookies = new Map<string, string>();

  async request(path: string, form?: Record<string, string>) {
    const headers: Record<string, string> = {};
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    let body: string | undefined;
    if (form) {
      body = new URLSearchParams(form).toString();
      headers["content-type"] = "application/x-www-form-urlencoded";
    }
    const res = await exports.default.fetch(new Request(new URL(path, BASE), { method: form ? "POST" : "GET", headers, body, redirect: "manual" }));
    for (const c of res.headers.getSetCookie()) {
      const [pair = ""] = c.split(";");
      this.cookies.set(pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1));
    }
    const location = res.headers.get("location");
    return { status: res.status, html: await res.text(), location: location ? new URL(location, BASE).pathname + new URL(location, BASE).search : null };
  }

  /** Posts the form of `page` whose action is `action`: its hidden fields plus `fields`; follows the 303. */
  async submit(page: { html: string }, action: string, fields: Record<string, string>) {
    const start = page.html.indexOf(`action="${action}"`);
    expect(start, `a form posting to ${action}`).toBeGreaterThan(-1);
    const form = page.html.slice(start, page.html.indexOf("</form>", start));
    const hidden = Object.fromEntries([...form.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)"\/>/g)].map((m) => [m[1]!, m[2]!.replaceAll("&amp;", "&")]));
    const res = await this.request(action, { ...hidden, ...fields });
    expect(res.status, res.html.slice(0, 300)).toBe(303);
    return this.request(res.location!);
  }
}

async function payOnPage(link: { payment_page_url: string }, method: "card" | "sepa_credit") {
  const path = new URL(link.payment_page_url).pathname;
  const b = new Browser();
  const page = await b.request(path);
  expect(page.status).toBe(200);
  const provider = await b.submit(page, `${path}/pay`, { method });
  if (method === "sepa_credit") return b.submit(provider, `${path}/bank`, { account: PAYER_IBAN, sca: "123456", action: "authorize" });
  const challenge = await b.submit(provider, `${path}/card`, { number: spaced(CARD), expiry: "12/34", cvc: "123" });
  return b.submit(challenge, `${path}/card/3ds`, { code: "123456" });
}

async function runCron(cron: string) {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron }), env, ctx);
  await waitOnExecutionContext(ctx);
}

// ── the scanners ────────────────────────────────────────────────────────────────────────

type Hit = string;

function hitsIn(where: string, value: unknown, needles: Record<string, string>): Hit[] {
  if (value === null || value === undefined) return [];
  const text = (typeof value === "string" ? value : JSON.stringify(value)).toLowerCase();
  return Object.entries(needles)
    .filter(([, needle]) => text.includes(needle.toLowerCase()))
    .map(([name]) => `${where} holds ${name}`);
}

/** Every column of every row of every D1 table (the schema read from sqlite_master). */
async function scanD1(needles: Record<string, string>) {
  const { results: tables } = await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' ORDER BY name").all<{
    name: string;
  }>();
  const hits: Hit[] = [];
  const rowsPerTable: Record<string, number> = {};
  for (const { name } of tables) {
    const { results: columns } = await env.DB.prepare(`SELECT name, type FROM pragma_table_info('${name}')`).all<{ name: string; type: string }>();
    const { results: rows } = await env.DB.prepare(`SELECT * FROM "${name}"`).all<Record<string, unknown>>();
    rowsPerTable[name] = rows.length;
    for (const row of rows) for (const c of columns) hits.push(...hitsIn(`${name}.${c.name}`, row[c.name], needles));
  }
  return { hits: [...new Set(hits)], rowsPerTable };
}

/** A Durable Object's SQLite tables and key-value entries. */
async function scanObject(label: string, stub: DurableObjectStub, needles: Record<string, string>) {
  const dump = await runInDurableObject(stub, async (_instance, state) => {
    const sql = state.storage.sql;
    const tables = sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'")
      .toArray()
      .map((t) => t.name);
    const out: Record<string, unknown[]> = {};
    for (const t of tables) out[t] = sql.exec(`SELECT * FROM "${t}"`).toArray();
    out["(kv)"] = [...(await state.storage.list()).entries()];
    return JSON.stringify(out);
  });
  return { dump, hits: hitsIn(label, dump, needles) };
}

// ── the flow ────────────────────────────────────────────────────────────────────────────

describe("personal data and secrets at rest", () => {
  it("a full flow leaves no payer email, IBAN, webhook secret, client secret, secret key or card number in clear in D1 or the payment intent objects", async () => {
    const idem = (key: string) => ({ "idempotency-key": `${key}-${crypto.randomUUID()}` });
    const email = `scan.${crypto.randomUUID().slice(0, 8)}@example.org`;

    // The operator creates a partner, then a second credential: secrets shown once.
    const created = await expectOk(await call("/v1/admin/partners", { headers: { ...adminHeaders(), ...idem("partner") }, body: { name: "Scan partner", plan: "enterprise" } }), 201);
    const credential = created.credentials as IssuedCredential;
    const second = await expectOk<IssuedCredential>(await call(`/v1/admin/partners/${created.id}/credentials`, { headers: { ...adminHeaders(), ...idem("credential") }, body: { mode: "test" } }), 201);
    const token = await accessToken(credential);
    const partnerId = created.id as string;

    const org = await expectOk(await call("/v1/organizations", { token, headers: idem("org"), body: SEED.organization }), 201);
    const headers = { "x-entity-id": org.id };
    const dept = await expectOk(await call(`/v1/organizations/${org.id}/departments`, { token, headers: idem("dept"), body: SEED.department }), 201);
    await expectOk(await call(`/v1/departments/${dept.id}/bank_accounts`, { token, headers: idem("account"), body: { ...SEED.bankAccount, iban: spaced(ACCOUNT_IBAN) } }), 201);
    await expectOk(await call(`/v1/departments/${dept.id}/kyc`, { token, headers: idem("kyc"), body: { iban: ACCOUNT_IBAN } }), 201);

    const subscription = await expectOk(
      await call("/v1/webhook_subscriptions", { token, headers: idem("subscription"), body: { url: "http://127.0.0.1:9999/hook", events: ["*"] } }),
      201,
    );
    const rotated = await expectOk(await call(`/v1/webhook_subscriptions/${subscription.id}/rotate_secret`, { method: "POST", token, headers: idem("rotate") }));

    // Two invoices with the payer's email: one paid by card (3-D Secure), one by SEPA transfer, on the payment page.
    const paidLinks = [];
    for (const method of ["card", "sepa_credit"] as const) {
      const body = seedInvoiceBody(dept.id);
      const draft = await expectOk(await call("/v1/invoices", { token, headers: { ...headers, ...idem("invoice") }, body: { ...body, due_date: "2099-01-31", payer: { ...body.payer, email } } }), 201);
      await expectOk(await call(`/v1/invoices/${draft.id}/issue`, { method: "POST", token, headers: { ...headers, ...idem("issue") } }));
      const link = await expectOk(await call("/v1/payment_links", { token, headers: { ...headers, ...idem("link") }, body: { invoice_id: draft.id, payment_methods: [method] } }), 201);
      const done = await payOnPage(link, method);
      expect(done.status).toBe(200);
      paidLinks.push(link);
    }
    // A draft whose payer is changed (the audit diff, the email hash) and then cancelled (an event).
    const other = `scan.${crypto.randomUUID().slice(0, 8)}@example.net`;
    const draft = await expectOk(await call("/v1/invoices", { token, headers: { ...headers, ...idem("draft") }, body: { ...seedInvoiceBody(dept.id), due_date: "2099-01-31" } }), 201);
    await expectOk(await call(`/v1/invoices/${draft.id}`, { method: "PATCH", token, headers: { ...headers, ...idem("patch") }, body: { payer: { ...draft.payer, email: other } } }));
    await expectOk(await call(`/v1/invoices/${draft.id}/cancel`, { token, headers: { ...headers, ...idem("cancel") }, body: {} }));
    await quiesce(partnerId);
    for (const link of paidLinks) {
      expect((await expectOk(await call(`/v1/payment_intents/${link.payment_intent_id}`, { token, headers }))).status).toBe("succeeded");
    }
    const refund = await expectOk(await call("/v1/refunds", { token, headers: { ...headers, ...idem("refund") }, body: { payment_intent_id: paidLinks[0]!.payment_intent_id, amount: 1000, reason: "Geste commercial" } }), 201);
    await quiesce(partnerId);
    expect((await expectOk(await call(`/v1/refunds/${refund.id}`, { token, headers }))).status).toBe("succeeded");

    // Webhooks delivered (bodies carry the payer, as they should), and the scheduled jobs run.
    const r = receiver();
    let messages = await fanOut((await outbox(partnerId)).map((e) => e.id));
    for (let round = 0; round < 3 && messages.length > 0; round++) messages = deliveryMessages((await runQueue(messages)).sent);
    expect(r.requests.some((q) => q.body.includes(email))).toBe(true);
    vi.restoreAllMocks();
    await runCron(SCHEDULES.everyMinute);
    await runCron(SCHEDULES.hourly);

    const needles: Record<string, string> = {
      "the payer's email": email,
      "the changed payer's email": other,
      "the account IBAN": ACCOUNT_IBAN,
      "the account IBAN with spaces": spaced(ACCOUNT_IBAN),
      "the payer's IBAN": PAYER_IBAN,
      "the payer's IBAN with spaces": spaced(PAYER_IBAN),
      "the webhook secret": subscription.secret,
      "the rotated webhook secret": rotated.secret,
      "the client secret": credential.client_secret,
      "the second client secret": second.client_secret,
      "the secret key": credential.secret_key,
      "the second secret key": second.secret_key,
      "the card number": CARD,
      "the card number with spaces": spaced(CARD),
      "the access token": token,
    };
    for (const [name, value] of Object.entries(needles)) expect(value, name).toMatch(/^\S.{11,}/);
    expect(subscription.secret).toMatch(/^whsec_/);
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(credential.client_secret).toMatch(/^cs_test_/);
    expect(credential.secret_key).toMatch(/^sk_test_/);

    const d1 = await scanD1(needles);
    // The scan saw the flow's rows (it cannot pass by reading nothing)...
    for (const table of ["credentials", "bank_accounts", "invoices", "events", "payment_links", "payments", "refunds", "webhook_subscriptions", "webhook_deliveries", "webhook_delivery_attempts", "audit_logs", "idempotency_keys"]) {
      expect(d1.rowsPerTable[table], table).toBeGreaterThan(0);
    }
    // ...and finds what is stored in clear on purpose: the page token (the link's lookup key).
    const pageToken = new URL(paidLinks[0]!.payment_page_url).pathname.split("/")[2]!;
    expect((await scanD1({ token: pageToken })).hits).toContain("payment_links.token holds token");
    expect(d1.hits).toEqual([]);

    // The Durable Objects: each payment intent, and the partner's gate.
    for (const link of paidLinks) {
      const intent = await scanObject(`PaymentIntent ${link.payment_intent_id}`, env.PAYMENT_INTENT.getByName(link.payment_intent_id), needles);
      expect(intent.dump).toContain(link.payment_intent_id);
      expect(intent.hits).toEqual([]);
    }
    expect((await scanObject("PartnerGate", env.PARTNER_GATE.getByName(partnerId), needles)).hits).toEqual([]);
  });
});
