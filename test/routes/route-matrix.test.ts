import { env } from "cloudflare:workers";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { accessToken, adminHeaders, call, createPartner, expectOk, issueCredential, SEED, seedInvoiceBody, seedWorld, VALID_ORGANIZATION } from "../helpers/harness";
import { concretePath, fixtureWorld, portableBody, type World } from "../helpers/world";

/**
 * Every partner operation of the OpenAPI document, checked for the same promises: who may call
 * it (401/403) and whose objects it can reach (404 across partners and modes). The list comes
 * from /v1/openapi.json, so a new route is covered the day it is documented.
 */

interface Operation {
  method: string;
  path: string;
  operationId: string;
  scope: string | undefined;
  hasEntityHeader: boolean;
  bodyExample: unknown;
  /** The required query parameters, set to their documented examples (`?year=2026`), or "". */
  query: string;
  /** The one 2xx status the document gives the operation: what its owner gets. */
  success: number;
}

async function partnerOperations(): Promise<Operation[]> {
  const doc = (await call("/v1/openapi.json")).body;
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    if (!path.startsWith("/v1/") || path.startsWith("/v1/admin/") || path === "/v1/auth/token" || path === "/v1/openapi.json") continue;
    for (const [method, op] of Object.entries<any>(item)) {
      const ref = op.requestBody?.content?.["application/json"]?.schema?.$ref as string | undefined;
      const schema = ref ? doc.components.schemas[ref.split("/").pop()!] : op.requestBody?.content?.["application/json"]?.schema;
      ops.push({
        method: method.toUpperCase(),
        path,
        operationId: op.operationId,
        scope: undefined,
        hasEntityHeader: (op.parameters ?? []).some((p: any) => p.in === "header" && p.name === "x-entity-id"),
        bodyExample: schema?.example,
        query: new URLSearchParams(
          (op.parameters ?? []).filter((p: any) => p.in === "query" && p.required).map((p: any) => [p.name, String(p.example ?? p.schema?.example)]),
        )
          .toString()
          .replace(/^(?=.)/, "?"),
        success: Number(Object.keys(op.responses ?? {}).find((status) => /^2\d\d$/.test(status))),
      });
    }
  }
  return ops;
}

const operations = await partnerOperations();

function request(op: Operation, w: World, auth: Record<string, string>, entityId: string = w.org.id) {
  const headers: Record<string, string> = { ...auth };
  if (op.hasEntityHeader) headers["x-entity-id"] = entityId;
  return call(concretePath(op.path, w) + op.query, {
    method: op.method,
    headers,
    ...(op.bodyExample !== undefined ? { body: portableBody(op.bodyExample, w) } : op.method === "GET" || op.method === "DELETE" ? {} : { body: {} }),
  });
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function signedToken(secret: string, claims: Record<string, unknown>, expiresAt: number) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setIssuer("paiements-api")
    .setAudience("paiements-api/v1")
    .setSubject(String(claims.sub))
    .setIssuedAt(expiresAt - 3600)
    .setExpirationTime(expiresAt)
    .sign(new TextEncoder().encode(secret));
}

it("the document lists the partner operations this matrix checks", () => {
  const ids = operations.map((o) => o.operationId).sort();
  expect(ids).toEqual(
    expect.arrayContaining([
      "createBankAccount",
      "createDepartment",
      "createOrganization",
      "createInvoice",
      "getInvoice",
      "listInvoices",
      "updateInvoice",
      "issueInvoice",
      "cancelInvoice",
      "runSandboxSweeps",
      "createPaymentLink",
      "getPaymentLink",
      "listPaymentLinks",
      "revokePaymentLink",
      "sendInvoice",
      "sendPaymentLink",
      "remindPaymentLink",
      "cancelPaymentLink",
      "getPaymentIntent",
      "listPaymentIntents",
      "listPayments",
      "getPayment",
      "listInvoicePayments",
      "recordInvoicePayment",
      "voidPayment",
      "simulatePaymentIntent",
      "createRefund",
      "getRefund",
      "listPaymentIntentRefunds",
      "simulateRefund",
      "deleteBankAccount",
      "getBankAccount",
      "getDepartment",
      "getKyc",
      "getOrganization",
      "getOrganizationDepartment",
      "listAuditLogs",
      "listBankAccounts",
      "listDepartments",
      "listOrganizations",
      "submitKyc",
      "updateDepartment",
      "updateOrganization",
      "createWebhookSubscription",
      "listWebhookSubscriptions",
      "getWebhookSubscription",
      "updateWebhookSubscription",
      "deleteWebhookSubscription",
      "rotateWebhookSecret",
      "listEvents",
      "getEvent",
      "listEventDeliveries",
      "redeliverEvent",
      "createQuote",
      "listQuotes",
      "getQuote",
      "getQuotePDF",
      "updateQuote",
      "sendQuote",
      "acceptQuote",
      "declineQuote",
      "listCreditNotes",
      "getCreditNote",
    ]),
  );
});

/**
 * The 401 and 403 cases only add credentials to the world's partner and read: one world serves
 * them all, and the ownership case of every read (GET) operation. An operation that writes gets
 * a world of its own.
 */
let sharedWorld: Promise<World> | undefined;
const readWorld = () => (sharedWorld ??= createPartner().then(fixtureWorld));

/** A partner with objects of its own, that must never reach the world's. */
let strangerToken: Promise<string> | undefined;
const stranger = () => (strangerToken ??= createPartner().then(async (t) => (await seedWorld(t), t.token)));

/**
 * The world is built for reads, so a few writes would meet their own business rule there (a
 * paid invoice takes no link, a succeeded intent cannot be simulated, the example department's
 * code is taken). For those, the owner's control runs on objects in the state the operation
 * needs; the 404 checks above it still use the world as built.
 */
const READY: Partial<Record<string, (w: World, other: { id: string }) => Promise<World>>> = {
  // Seed 001's department code is the world's own department's: create it in the owner's other organization.
  createDepartment: async (w, other) => ({ ...w, org: { ...w.org, id: other.id } }),
  // The example KYC names the example account's IBAN: add that account to the department first.
  submitKyc: async (w) => {
    const account = operations.find((o) => o.operationId === "createBankAccount")!.bodyExample;
    await expectOk(await call(`/v1/departments/${w.dept.id}/bank_accounts`, { token: w.token, body: portableBody(account, w) }), 201);
    return w;
  },
  createPaymentLink: payable,
  revokePaymentLink: payable,
  // Issue 13: the world's invoice is a draft and its link is paid; sending needs a payable one.
  sendInvoice: async (w) => {
    const p = await payable(w);
    return { ...p, invoice: p.issued };
  },
  sendPaymentLink: payable,
  remindPaymentLink: payable,
  cancelPaymentLink: payable,
  simulatePaymentIntent: payable,
  // Issue 13: the world's intent is paid; cancel needs one the payer can still act on, capture an authorized hold.
  cancelPaymentIntent: payable,
  capturePaymentIntent: authorizedHold,
  // Issue 14: the world's invoice is paid; a counter payment needs a payable one, a void an offline payment.
  recordInvoicePayment: payable,
  voidPayment: async (w) => {
    const p = await payable(w);
    const body = { amount: 5000, method: "cash", received_at: "2026-03-02" };
    const payment = await expectOk(await call(`/v1/invoices/${p.issued.id}/payments`, { token: w.token, headers: { "x-entity-id": w.org.id }, body }), 201);
    return { ...p, payment };
  },
  // The world's quote is a draft: only a sent quote can be answered.
  acceptQuote: sentQuote,
  declineQuote: sentQuote,
};

/** Names one of the organization's objects: in the path, or in the body of a create. */
const reachesAnObject = (op: Operation) => op.path.includes("{") || op.method !== "GET";

/** The world with an authorized card hold of 20 000 cents (the capture example takes 15 000). */
async function authorizedHold(w: World): Promise<World> {
  const headers = { "x-entity-id": w.org.id };
  const draft = await expectOk(await call("/v1/invoices", { token: w.token, headers, body: { ...seedInvoiceBody(w.dept.id), due_date: "2099-01-01" } }), 201);
  const issued = await expectOk(await call(`/v1/invoices/${draft.id}/issue`, { method: "POST", token: w.token, headers }));
  const link = await expectOk(await call("/v1/payment_links", { token: w.token, headers, body: { invoice_id: issued.id, amount: 20000, payment_methods: ["card"], type: "preauth" } }), 201);
  await expectOk(await call(`/v1/sandbox/payment_intents/${link.payment_intent_id}/simulate`, { token: w.token, body: { outcome: "succeeded" } }));
  return { ...w, issued, link };
}

/** The world with its quote sent. */
async function sentQuote(w: World): Promise<World> {
  const quote = await expectOk(await call(`/v1/quotes/${w.quote.id}/send`, { method: "POST", token: w.token, headers: { "x-entity-id": w.org.id } }));
  return { ...w, quote };
}

/** The world with an issued invoice still to pay and an active link (with its intent) for it. */
async function payable(w: World): Promise<World> {
  const headers = { "x-entity-id": w.org.id };
  const draft = await expectOk(await call("/v1/invoices", { token: w.token, headers, body: { ...seedInvoiceBody(w.dept.id), due_date: "2099-01-01" } }), 201);
  const issued = await expectOk(await call(`/v1/invoices/${draft.id}/issue`, { method: "POST", token: w.token, headers }));
  const link = await expectOk(await call("/v1/payment_links", { token: w.token, headers, body: { invoice_id: issued.id, amount: 10000, payment_methods: ["card"] } }), 201);
  return { ...w, issued, link };
}

describe.each(operations.map((o) => [`${o.method} ${o.path}`, o] as const))("%s", (_name, op) => {
  it("answers 401 without credentials, with garbage, an expired or forged token, or a revoked key", async () => {
    const w = await readWorld();
    const nowS = Math.floor(Date.now() / 1000);
    const claims = { sub: w.partnerId, cid: w.credential.id, mode: "test", plan: "business", scope: "partner" };
    const cases: [string, Record<string, string>, string][] = [
      ["none", {}, "missing_credentials"],
      ["garbage bearer", bearer("not-a-token"), "invalid_token"],
      ["malformed header", { authorization: "Token abc" }, "malformed_authorization"],
      ["expired token", bearer(await signedToken(env.JWT_SECRET, claims, nowS - 10)), "token_expired"],
      ["forged token", bearer(await signedToken("another-secret-of-sufficient-length-000", claims, nowS + 600)), "invalid_token"],
      ["unknown secret key", bearer("sk_test_0000000000000000000000000000000000000000"), "invalid_api_key"],
    ];
    for (const [label, headers, code] of cases) {
      const res = await request(op, w, headers);
      expect(res.status, label).toBe(401);
      expect(res.body.error.type, label).toBe("authentication_error");
      expect(res.body.error.code, label).toBe(code);
      expect(res.body.error.request_id, label).toBe(res.headers.get("x-request-id"));
      // RFC 6750 §3: the challenge alone without credentials, invalid_token with why when refused.
      expect(res.headers.get("www-authenticate"), label).toBe(
        code === "missing_credentials" ? 'Bearer realm="paiements-api"' : `Bearer realm="paiements-api", error="invalid_token", error_description="${res.body.error.message}"`,
      );
    }

    // Revocation applies at once to the key and to tokens minted before it.
    const revoked = await issueCredential(w.partnerId, "test");
    const tokenBefore = await accessToken(revoked);
    await expectOk(await call(`/v1/admin/partners/${w.partnerId}/credentials/${revoked.id}`, { method: "DELETE", headers: adminHeaders() }));
    for (const headers of [bearer(tokenBefore), bearer(revoked.secret_key)]) {
      const res = await request(op, w, headers);
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer realm="paiements-api", error="invalid_token", error_description="[^"\\]+"$/);
    }
  });

  it("answers 403 to a credential without the needed scope", async () => {
    const w = await readWorld();
    // A scope the operation does not need: webhooks:read, except for the webhooks API itself.
    const webhooksApi = op.path.startsWith("/v1/webhook_subscriptions") || op.path.startsWith("/v1/events");
    const restricted = await issueCredential(w.partnerId, "test", [webhooksApi ? "invoices:read" : "webhooks:read"]);
    const res = await request(op, w, bearer(await accessToken(restricted)));
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ type: "permission_error", code: "insufficient_scope" });
  });

  it("reaches the caller's own objects, and nobody else's (other partner, other mode, other organization: 404)", async () => {
    const w = op.method === "GET" ? await readWorld() : await createPartner().then(fixtureWorld);
    const live = await accessToken(await issueCredential(w.partnerId, "live"));
    // Another organization of the same partner, in the same mode.
    const other = await expectOk(await call("/v1/organizations", { token: w.token, body: { ...SEED.organization, name: "Autre organisation" } }), 201);
    const touchesObjects = op.path.includes("{") || op.hasEntityHeader;

    if (touchesObjects) {
      for (const [label, token] of [
        ["another partner", await stranger()],
        ["the owner's live mode", live],
      ] as const) {
        const res = await request(op, w, bearer(token));
        if (op.path.startsWith("/v1/sandbox/") && label === "the owner's live mode") {
          // Sandbox helpers refuse live credentials outright, before looking anything up.
          expect(res.status, label).toBe(403);
          expect(res.body.error.code, label).toBe("test_mode_only");
          continue;
        }
        expect(res.status, label).toBe(404);
        expect(res.body.error.type, label).toBe("not_found_error");
      }
    } else if (op.method === "GET") {
      // Collection without a parent: the stranger's and the live listing hold none of the owner's objects.
      for (const token of [await stranger(), live]) {
        const res = await request(op, w, bearer(token));
        expect(res.status).toBe(200);
        expect(res.text).not.toContain(w.org.id);
      }
    }

    if (op.hasEntityHeader) {
      // X-Entity-Id names the owner's other organization: the first one's objects are not there.
      const res = await request(op, w, bearer(w.token), other.id);
      if (reachesAnObject(op)) {
        expect(res.status, res.text).toBe(404);
        expect(res.body.error.type).toBe("not_found_error");
      } else {
        // A collection of the other organization: its own, none of the first one's.
        expect(res.status, res.text).toBe(200);
        for (const id of [w.invoice.id, w.issued.id, w.link.id, w.link.payment_intent_id, w.payment.id, w.refund.id]) expect(res.text).not.toContain(id);
      }
    }

    // Control: the owner gets through to its objects, with the operation's own success status
    // (so the 404s above are about tenancy, not a broken fixture).
    const ready = READY[op.operationId];
    const own = await request(op, ready ? await ready(w, other) : w, bearer(w.token));
    expect(own.status, own.text).toBe(op.success);
  });
});

describe("live and test data are disjoint", () => {
  it("an organization made with live credentials is live and invisible to test credentials", async () => {
    const t = await createPartner();
    const live = await accessToken(await issueCredential(t.partnerId, "live"));
    const org = await expectOk(await call("/v1/organizations", { token: live, body: VALID_ORGANIZATION }), 201);
    expect(org.livemode).toBe(true);
    expect((await call(`/v1/organizations/${org.id}`, { token: t.token })).status).toBe(404);
    const testOrg = await expectOk(await call("/v1/organizations", { token: t.token, body: SEED.organization }), 201);
    expect(testOrg.livemode).toBe(false);
    const liveList = await expectOk(await call("/v1/organizations", { token: live }));
    expect(liveList.data.map((o: { id: string }) => o.id)).toEqual([org.id]);
  });
});
