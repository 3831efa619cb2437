import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { COMMON_ERROR_CODES, FIELD_ERROR_CODES } from "../src/lib/errors";
import { accessToken, adminHeaders, call, createPartner, expectOk, issueCredential, seedInvoiceBody, seedWorld } from "./helpers/harness";
import { concretePath, newWorld } from "./helpers/world";
import { api, expectError, link, payableWorld, rowCounts, SEED_TOTAL } from "./payments/fixtures";

/**
 * Issue 17, "error messages for people": what a person reads when the API refuses them. Amounts
 * say they are integer cents, an invoice with nothing left to pay says so, the envelope's codes and
 * its details' codes come from one list, and a 401 says how to authenticate (RFC 6750).
 */

const doc = (await call("/v1/openapi.json")).body;

type MoneyField = { method: string; path: string; where: "body" | "query"; param: string; hasEntityHeader: boolean };

/** Every integer field of a request body or query that the document says is in cents. */
function moneyFields(): MoneyField[] {
  const deref = (s: any): any => (s?.$ref ? deref(doc.components.schemas[s.$ref.split("/").pop()]) : s);
  const found: MoneyField[] = [];
  const walk = (s: any, path: string[], add: (param: string) => void) => {
    s = deref(s);
    if (!s) return;
    for (const k of ["anyOf", "oneOf", "allOf"]) for (const x of s[k] ?? []) walk(x, path, add);
    const integer = s.type === "integer" || (Array.isArray(s.type) && s.type.includes("integer"));
    if (integer && /\bcents\b/i.test(s.description ?? "")) add(path.join("."));
    for (const [k, v] of Object.entries<any>(s.properties ?? {})) walk(v, [...path, k], add);
    if (s.items) walk(s.items, [...path, "0"], add);
  };
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      const hasEntityHeader = (op.parameters ?? []).some((p: any) => p.in === "header" && p.name === "x-entity-id");
      const base = { method: method.toUpperCase(), path, hasEntityHeader };
      walk(op.requestBody?.content?.["application/json"]?.schema, [], (param) => found.push({ ...base, where: "body", param }));
      for (const q of op.parameters ?? []) if (q.in === "query") walk(q.schema, [q.name], (param) => found.push({ ...base, where: "query", param }));
    }
  }
  return found;
}

/** `{ line_items: [{ unit_price: value }] }` for `line_items.0.unit_price`. */
function bodyWith(param: string, value: unknown): unknown {
  const [head, ...rest] = param.split(".");
  if (head === undefined) return value;
  const inner = rest.length ? bodyWith(rest.join("."), value) : value;
  return /^\d+$/.test(head) ? [inner] : { [head]: inner };
}

describe("amounts are integer cents, and the refusal says so", () => {
  const fields = moneyFields();

  it("the document's money fields include every amount a partner sends", () => {
    const names = fields.map((f) => `${f.method} ${f.path} ${f.param}`);
    expect(names).toEqual(
      expect.arrayContaining([
        "POST /v1/invoices line_items.0.unit_price",
        "PATCH /v1/invoices/{id} line_items.0.unit_price",
        "POST /v1/quotes line_items.0.unit_price",
        "POST /v1/payment_links amount",
        "GET /v1/payment_links min_amount",
        "POST /v1/payment_intents/{id}/capture amount",
        "POST /v1/invoices/{id}/payments amount",
        "POST /v1/refunds amount",
        "GET /v1/payments max_amount",
        "POST /v1/organizations/{id}/departments cash_ceiling",
      ]),
    );
  });

  it("every money field of every body and query given 3.20 answers 400 invalid_amount: send 320 for 3.20 €", async () => {
    const w = await newWorld();
    const problems: string[] = [];
    for (const f of fields) {
      const headers = f.hasEntityHeader ? { "x-entity-id": w.org.id } : undefined;
      const target = concretePath(f.path, w);
      const res =
        f.where === "body"
          ? await call(target, { method: f.method, token: w.token, headers, body: bodyWith(f.param, 3.2) })
          : await call(`${target}?${f.param}=3.20`, { method: f.method, token: w.token, headers });
      const label = `${f.method} ${f.path} ${f.param}`;
      if (res.status !== 400) {
        problems.push(`${label}: ${res.status} ${res.text.slice(0, 200)}`);
        continue;
      }
      const detail = res.body.error.details?.find((d: any) => d.param === f.param);
      if (!detail || detail.code !== "invalid_amount" || detail.message !== "amounts are integer cents: send 320 for 3.20 € (not 3.2)") {
        problems.push(`${label}: ${JSON.stringify(res.body.error.details)}`);
      }
      if (res.body.error.code !== "invalid_parameter") problems.push(`${label}: top-level ${res.body.error.code}`);
    }
    expect(problems).toEqual([]);
  });

  it("seed 001's invoice with unit_price 3.20: the message names the field and the cents, nothing is written", async () => {
    const t = await createPartner();
    const { org, dept } = await seedWorld(t);
    const headers = { "x-entity-id": org.id };
    const before = (await expectOk(await call("/v1/invoices", { token: t.token, headers }))).pagination.total_items;
    const body = seedInvoiceBody(dept.id);
    const res = await call("/v1/invoices", { token: t.token, headers, body: { ...body, line_items: [{ ...body.line_items[0], unit_price: 3.2 }] } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      type: "invalid_request_error",
      code: "invalid_parameter",
      param: "line_items.0.unit_price",
      message: "Invalid body 'line_items.0.unit_price': amounts are integer cents: send 320 for 3.20 € (not 3.2)",
      details: [{ param: "line_items.0.unit_price", code: "invalid_amount", message: "amounts are integer cents: send 320 for 3.20 € (not 3.2)" }],
    });
    expect((await expectOk(await call("/v1/invoices", { token: t.token, headers }))).pagination.total_items).toBe(before);
  });

  it("a decimal with more than two places, a string, and an amount under the minimum each get words about cents", async () => {
    const { t, api: a, issued } = await payableWorld();
    const before = await rowCounts(t.partnerId);
    const cases: [unknown, string, string][] = [
      [12.345, "invalid_amount", "amounts are integer cents (320 for 3.20 €), not 12.345"],
      ["3.20", "invalid_parameter", 'must be a number, an integer of cents (320 for 3.20 €), not the text "3.20"'],
      [0, "invalid_parameter", "must be at least 1 cent"],
    ];
    for (const [amount, code, message] of cases) {
      const res = await a.createLink({ invoice_id: issued.id, amount });
      expectError(res, 400, { code: "invalid_parameter", param: "amount", details: [{ param: "amount", code, message }] });
    }
    expect(await rowCounts(t.partnerId)).toEqual(before);
  });
});

describe("one vocabulary of codes: details[].code is ours, never zod's", () => {
  it("a missing field is missing_parameter 'is required', an unknown one unknown_parameter, anything else invalid_parameter", async () => {
    const t = await createPartner();
    const res = await call("/v1/organizations", {
      token: t.token,
      body: { type: "a_kingdom", name: "x".repeat(300), siert: "21690123400019" },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_parameter");
    const details: { param: string; code: string; message: string }[] = res.body.error.details;
    expect(details).toEqual(
      expect.arrayContaining([
        { param: "type", code: "invalid_parameter", message: expect.stringContaining("public_entity") },
        { param: "name", code: "invalid_parameter", message: expect.any(String) },
        { param: "siret", code: "missing_parameter", message: "is required" },
        { param: "siert", code: "unknown_parameter", message: "unknown field 'siert'" },
      ]),
    );
    for (const d of details) expect(Object.keys(FIELD_ERROR_CODES)).toContain(d.code);
    // The top-level message reads as the first detail does.
    expect(res.body.error.message).toBe(`Invalid body '${details[0]!.param}': ${details[0]!.message}`);
  });

  it("an absent array, string or enum is missing_parameter alike, whatever zod's own code for it", async () => {
    const t = await createPartner();
    // POST /v1/webhook_subscriptions needs url and events: a string and an array, both absent.
    const res = await call("/v1/webhook_subscriptions", { token: t.token, body: {} });
    expect(res.status).toBe(400);
    for (const d of res.body.error.details) expect(d).toMatchObject({ code: "missing_parameter", message: "is required" });
    expect(res.body.error.details.map((d: any) => d.param)).toEqual(expect.arrayContaining(["url", "events"]));
    // An enum (zod: invalid_value) and a nested required field.
    const org = await call("/v1/organizations", { token: t.token, body: { name: "Mairie", siret: "21690123400019", address: { line1: "1 Place", city: "Lyon", country: "FR" } } });
    expect(org.status).toBe(400);
    expect(org.body.error.details).toEqual(
      expect.arrayContaining([
        { param: "type", code: "missing_parameter", message: "is required" },
        { param: "address.postal_code", code: "missing_parameter", message: "is required" },
      ]),
    );
  });

  it("the Error schema of /v1/openapi.json lists every common code and gives details[].code the same vocabulary", () => {
    const error = doc.components.schemas.Error.properties.error.properties;
    for (const code of Object.keys(COMMON_ERROR_CODES)) expect(error.code.description).toContain(`\`${code}\``);
    expect(Object.keys(COMMON_ERROR_CODES)).toEqual(expect.arrayContaining(Object.keys(FIELD_ERROR_CODES)));
    expect(error.details.items.properties.code.enum.sort()).toEqual(Object.keys(FIELD_ERROR_CODES).sort());
    expect(error.details.items.properties.code.description).toContain("same vocabulary");
  });
});

describe("an invoice with nothing left to pay says so", () => {
  it("a second link on an invoice whose amount due is all in a link: 422 nothing_left_to_pay naming the invoice, nothing written", async () => {
    const { t, api: a, issued } = await payableWorld();
    await link(a, issued.id);
    const before = await rowCounts(t.partnerId);
    const res = await a.createLink({ invoice_id: issued.id, payment_methods: ["card"] });
    expectError(res, 422, {
      type: "business_rule_error",
      code: "nothing_left_to_pay",
      param: "invoice_id",
      message: `Invoice ${issued.invoice_number} has nothing left to pay: all of its amount due (${SEED_TOTAL} cents) is already in active payment links or card holds not yet captured. Revoke one to make a new link.`,
    });
    expect(res.body.error.message).not.toMatch(/exceeds|Amount 0/);
    expect(await rowCounts(t.partnerId)).toEqual(before);
  });

  it("a counter payment on the same invoice: 422 nothing_left_to_pay, and a link for more than remains still says how much remains", async () => {
    const { t, api: a, issued } = await payableWorld();
    await link(a, issued.id, { amount: 30000 });
    const over = await a.createLink({ invoice_id: issued.id, amount: 12201 });
    expectError(over, 422, { code: "amount_exceeds_due", param: "amount" });
    expect(over.body.error.message).toBe(
      `Amount 12201 cents is more than what remains payable on invoice ${issued.invoice_number}: 12200 cents (amount due ${SEED_TOTAL}, of which 30000 already in active links or pending holds).`,
    );
    await link(a, issued.id);
    const before = await rowCounts(t.partnerId);
    const counter = await call(`/v1/invoices/${issued.id}/payments`, {
      token: t.token,
      headers: { "x-entity-id": a.orgId },
      body: { amount: 100, method: "cheque", received_at: new Date().toISOString() },
    });
    expectError(counter, 422, { code: "nothing_left_to_pay", param: "id" });
    expect(counter.body.error.message).toBe(
      `Invoice ${issued.invoice_number} has nothing left to pay: all of its amount due (${SEED_TOTAL} cents) is already in active payment links or card holds not yet captured. Revoke them to take the payment here.`,
    );
    expect(await rowCounts(t.partnerId)).toEqual(before);
  });
});

describe("401 answers carry WWW-Authenticate (RFC 6750)", () => {
  const API = 'Bearer realm="paiements-api"';
  /** error_description: printable ASCII but `"` and `\` (RFC 6750 §3). */
  const refused = (realm: string, description: string) => `Bearer realm="${realm}", error="invalid_token", error_description="${description}"`;

  it("no credentials: the challenge alone; credentials refused: invalid_token with why", async () => {
    const t = await createPartner();
    const cases: [string, Record<string, string>, string][] = [
      ["none", {}, API],
      ["a token that is not ours", { authorization: "Bearer not-a-token" }, refused("paiements-api", "The access token is invalid.")],
      ["not a Bearer header", { authorization: "Token abc" }, refused("paiements-api", "Authorization header must be 'Bearer <token>'.")],
      // The message's ellipses become three dots: a header value is ASCII.
      ["a malformed API key", { "x-api-key": `${t.credential.publishable_key}:${t.credential.secret_key}:x` }, refused("paiements-api", "API keys look like 'pk_test_...:sk_test_...' or 'sk_test_...'.")],
      ["a publishable key that is not the secret key's pair", { "x-api-key": `pk_test_0000000000000000:${t.credential.secret_key}` }, refused("paiements-api", "The publishable key does not belong to this secret key.")],
      ["an unknown secret key", { authorization: "Bearer sk_test_0000000000000000000000000000000000000000" }, refused("paiements-api", "Invalid API key.")],
    ];
    for (const [label, headers, challenge] of cases) {
      const res = await call("/v1/organizations", { headers });
      expect(res.status, label).toBe(401);
      expect(res.headers.get("www-authenticate"), label).toBe(challenge);
    }
    // The right pair passes: the challenge is only on refusals.
    const ok = await call("/v1/organizations", { headers: { "x-api-key": `${t.credential.publishable_key}:${t.credential.secret_key}` } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("www-authenticate")).toBeNull();
  });

  it("a revoked credential's key and tokens: invalid_token", async () => {
    const t = await createPartner();
    const revoked = await issueCredential(t.partnerId, "test");
    const tokenBefore = await accessToken(revoked);
    await expectOk(await call(`/v1/admin/partners/${t.partnerId}/credentials/${revoked.id}`, { method: "DELETE", headers: adminHeaders() }));
    const token = await call("/v1/organizations", { token: tokenBefore });
    expect(token.status).toBe(401);
    expect(token.headers.get("www-authenticate")).toBe(refused("paiements-api", "These credentials have been revoked."));
    // A revoked secret key is no active credential's key any more.
    const key = await call("/v1/organizations", { token: revoked.secret_key });
    expect(key.status).toBe(401);
    expect(key.headers.get("www-authenticate")).toBe(refused("paiements-api", "Invalid API key."));
  });

  it("the admin API: its own realm, the challenge alone without a key, invalid_token with a wrong one", async () => {
    const none = await call("/v1/admin/partners");
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toBe('Bearer realm="paiements-admin"');
    const wrong = await call("/v1/admin/partners", { headers: { authorization: `Bearer ${env.ADMIN_API_KEY}x`, "cf-connecting-ip": "192.0.2.117" } });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe("invalid_admin_key");
    expect(wrong.headers.get("www-authenticate")).toBe(
      refused("paiements-admin", "The admin key is not the ADMIN_API_KEY: admin endpoints need 'Authorization: Bearer <ADMIN_API_KEY>'."),
    );
  });

  it("the token endpoint keeps its Basic challenge (RFC 6749 §5.2)", async () => {
    const res = await call("/v1/auth/token", { body: { grant_type: "client_credentials", client_id: "cli_test_nobody", client_secret: "cs_test_nothing" } });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe('Basic realm="paiements-api"');
  });

  it("documents the header on every 401 of the document", () => {
    const missing: string[] = [];
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(item)) {
        const r401 = op.responses?.["401"];
        if (r401 && path !== "/v1/auth/token" && !r401.headers?.["WWW-Authenticate"]) missing.push(`${method.toUpperCase()} ${path}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
