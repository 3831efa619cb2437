import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { accessToken, call, createPartner, issueCredential } from "../helpers/harness";
import { concretePath, fixtureWorld, portableBody, type World } from "../helpers/world";

/**
 * Issue 10 §1, found by a security probe: a replay is answered only to a caller that passes the
 * checks the original request passed (authentication, scope, tenancy). For every partner
 * mutation of /v1/openapi.json: a full credential sends a request with an Idempotency-Key and its
 * result is kept (when its batch committed; issue 16); a credential of the same partner without the operation's scope then sends the
 * same key and body, and gets 403, never the stored response (a `whsec_…` secret, a payment-page URL).
 */

interface Mutation {
  method: string;
  path: string;
  operationId: string;
  entityHeader: boolean;
  idempotencyHeader: boolean;
  example: unknown;
}

async function partnerMutations(): Promise<Mutation[]> {
  const doc = (await call("/v1/openapi.json")).body;
  const out: Mutation[] = [];
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    if (!path.startsWith("/v1/") || path.startsWith("/v1/admin/") || path === "/v1/auth/token") continue;
    for (const [method, op] of Object.entries<any>(item)) {
      if (!["post", "put", "patch", "delete"].includes(method)) continue;
      const json = op.requestBody?.content?.["application/json"];
      const ref = json?.schema?.$ref as string | undefined;
      const schema = ref ? doc.components.schemas[ref.split("/").pop()!] : json?.schema;
      const headers = (op.parameters ?? []).filter((p: any) => p.in === "header").map((p: any) => p.name.toLowerCase());
      out.push({
        method: method.toUpperCase(),
        path,
        operationId: op.operationId,
        entityHeader: headers.includes("x-entity-id"),
        idempotencyHeader: headers.includes("idempotency-key"),
        example: json?.example ?? schema?.example,
      });
    }
  }
  return out;
}

const mutations = await partnerMutations();

/** Operations whose fixture request succeeds and shows what must never leak: their answer is kept, so the probe below is not vacuous. */
const KEPT = new Set(["createInvoice", "createRefund", "createPaymentLink", "createWebhookSubscription", "rotateWebhookSecret", "updateOrganization"]);

async function keyRow(partnerId: string, key: string) {
  return env.DB.prepare("SELECT status FROM idempotency_keys WHERE partner_id = ? AND key = ?").bind(partnerId, key).first<{ status: string }>();
}

function send(op: Mutation, w: World, token: string, key: string) {
  const headers: Record<string, string> = { "idempotency-key": key };
  if (op.entityHeader) headers["x-entity-id"] = w.org.id;
  const body = portableBody(op.example, w);
  return call(concretePath(op.path, w), { method: op.method, token, headers, ...(body !== undefined ? { body } : {}) });
}

it("covers the partner mutations of the document, each documenting Idempotency-Key", () => {
  expect(mutations.map((m) => m.operationId)).toEqual(
    expect.arrayContaining(["createInvoice", "createRefund", "createPaymentLink", "createWebhookSubscription", "rotateWebhookSecret", "updateOrganization", "deleteBankAccount"]),
  );
  expect(mutations.filter((m) => !m.idempotencyHeader).map((m) => m.operationId)).toEqual([]);
});

describe.each(mutations.map((m) => [`${m.method} ${m.path}`, m] as const))("%s", (_name, op) => {
  it("a credential without the scope that sends another credential's key and body gets 403, not the stored response", async () => {
    const t = await createPartner();
    const w = await fixtureWorld(t);
    const key = `probe-${op.operationId}`;
    const original = await send(op, w, t.token, key);
    // The operation ran: a success, or its own 404/409/422 decision.
    expect([200, 201, 404, 409, 422], original.text).toContain(original.status);
    // Its answer is kept when its batch committed (a success always; a refusal only if decided
    // after the batch, e.g. by a guard that matched nothing); a refusal that wrote nothing keeps
    // nothing, and the same request runs again to the same answer.
    const kept = await keyRow(t.partnerId, key);
    if (original.status < 300 || KEPT.has(op.operationId)) expect(kept?.status, original.text).toBe("completed");
    const replay = await send(op, w, t.token, key);
    expect(replay.headers.get("idempotent-replayed"), replay.text).toBe(kept ? "true" : null);
    if (!kept) expect(replay.status, replay.text).toBe(original.status);

    const webhooksApi = op.path.startsWith("/v1/webhook_subscriptions") || op.path.startsWith("/v1/events");
    const prober = await accessToken(await issueCredential(t.partnerId, "test", [webhooksApi ? "invoices:read" : "webhooks:read"]));
    const probe = await send(op, w, prober, key);
    expect(probe.status, probe.text).toBe(403);
    expect(probe.body.error).toMatchObject({ type: "permission_error", code: "insufficient_scope" });
    expect(probe.headers.get("idempotent-replayed")).toBeNull();
  });
});
