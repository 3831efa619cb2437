import { env } from "cloudflare:workers";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { accessToken, adminHeaders, call, createPartner, issueCredential, VALID_ORGANIZATION, expectOk, SEED, type Tenant } from "../helpers/harness";
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
      });
    }
  }
  return ops;
}

const operations = await partnerOperations();

function request(op: Operation, w: World, auth: Record<string, string>) {
  const headers: Record<string, string> = { ...auth };
  if (op.hasEntityHeader) headers["x-entity-id"] = w.org.id;
  return call(concretePath(op.path, w), {
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
      "getPaymentIntent",
      "listPaymentIntents",
      "listPayments",
      "getPayment",
      "listInvoicePayments",
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
    ]),
  );
});

describe.each(operations.map((o) => [`${o.method} ${o.path}`, o] as const))("%s", (_name, op) => {
  it("answers 401 without credentials, with garbage, an expired or forged token, or a revoked key", async () => {
    const t = await createPartner();
    const w = await fixtureWorld(t);
    const nowS = Math.floor(Date.now() / 1000);
    const claims = { sub: t.partnerId, cid: t.credential.id, mode: "test", plan: "business", scope: "partner" };
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
    }

    // Revocation applies at once to the key and to tokens minted before it.
    const revoked = await issueCredential(t.partnerId, "test");
    const tokenBefore = await accessToken(revoked);
    await expectOk(await call(`/v1/admin/partners/${t.partnerId}/credentials/${revoked.id}`, { method: "DELETE", headers: adminHeaders() }));
    for (const headers of [bearer(tokenBefore), bearer(revoked.secret_key)]) {
      const res = await request(op, w, headers);
      expect(res.status).toBe(401);
    }
  });

  it("answers 403 to a credential without the needed scope", async () => {
    const t = await createPartner();
    const w = await fixtureWorld(t);
    // A scope the operation does not need: webhooks:read, except for the webhooks API itself.
    const webhooksApi = op.path.startsWith("/v1/webhook_subscriptions") || op.path.startsWith("/v1/events");
    const restricted = await issueCredential(t.partnerId, "test", [webhooksApi ? "invoices:read" : "webhooks:read"]);
    const res = await request(op, w, bearer(await accessToken(restricted)));
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ type: "permission_error", code: "insufficient_scope" });
  });

  it("reaches the caller's own objects, and nobody else's (other partner, other mode: 404)", async () => {
    const owner = await createPartner();
    const w = await fixtureWorld(owner);
    const stranger: Tenant = await createPartner();
    const live = await accessToken(await issueCredential(owner.partnerId, "live"));
    const touchesObjects = op.path.includes("{") || op.hasEntityHeader;

    if (touchesObjects) {
      for (const [label, token] of [
        ["another partner", stranger.token],
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
      for (const token of [stranger.token, live]) {
        const res = await request(op, w, bearer(token));
        expect(res.status).toBe(200);
        expect(res.text).not.toContain(w.org.id);
      }
    }

    // Control: the owner gets through to its objects (so the 404s above are about tenancy, not a
    // broken fixture); a 409/422 here is the operation's own business rule, reached.
    const own = await request(op, w, bearer(owner.token));
    expect([200, 201, 409, 422]).toContain(own.status);
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
