import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Env, WebhookMessage } from "../../src/env";
import worker from "../../src/index";
import { accessToken, call, createPartner, DEPLOYED, expectOk, issueCredential, seedWorld, type CallResult } from "../helpers/harness";

/**
 * Where a webhook may be sent, as a partner meets the rules (issue 10 §7 "Webhook targets", §8):
 * live mode takes https on port 443 only; loopback receivers are for a worker in local
 * development, never a deployed one, whatever the mode; the platform's own host is never a
 * target; and the rules are applied again at each attempt, by the worker making it.
 */

afterEach(() => vi.restoreAllMocks());

const PLATFORM_HOST = new URL(env.PUBLIC_BASE_URL).host;

function expectRefused(res: CallResult, code: string) {
  expect(res.status, res.text).toBe(400);
  expect(res.body.error).toMatchObject({ code, param: "url", type: "invalid_request_error" });
  expect(res.body.error.message).toContain("url");
}

async function subscriptionCount(partnerId: string) {
  const row = await env.DB.prepare("SELECT count(*) AS n FROM webhook_subscriptions WHERE partner_id = ?").bind(partnerId).first<{ n: number }>();
  return row!.n;
}

describe("creating and changing a subscription", () => {
  it.each([
    // [label, url, live mode, test mode] on a deployed worker
    ["another https port", "https://votreapp.fr:8443/webhooks", "url_port_not_allowed", 201],
    ["port 80 over https", "https://votreapp.fr:80/webhooks", "url_port_not_allowed", 201],
    ["port 443 spelled out", "https://votreapp.fr:443/webhooks", 201, 201],
    ["a loopback receiver over http", "http://127.0.0.1:9999/hook", "url_not_https", "url_not_https"],
    ["localhost over https", "https://localhost:3000/hook", "url_private_address", "url_private_address"],
    ["IPv6 loopback", "https://[::1]/hook", "url_private_address", "url_private_address"],
    ["the platform's own host", `https://${PLATFORM_HOST}/v1/organizations`, "url_platform_host", "url_platform_host"],
    ["the platform's own host, another port", `https://${PLATFORM_HOST}:8443/hook`, "url_platform_host", "url_platform_host"],
  ] as const)("a deployed worker, %s (%s): live → %s, test → %s", async (_label, url, live, test) => {
    const t = await createPartner();
    const liveToken = await accessToken(await issueCredential(t.partnerId, "live"));
    for (const [token, expected] of [[liveToken, live], [t.token, test]] as const) {
      const before = await subscriptionCount(t.partnerId);
      const res = await call("/v1/webhook_subscriptions", { env: DEPLOYED, token, body: { url, events: ["*"] } });
      if (expected === 201) {
        expect(res.status, res.text).toBe(201);
        expect(res.body.url).toBe(url.replace(":443/", "/"));
      } else {
        expectRefused(res, expected);
        expect(await subscriptionCount(t.partnerId)).toBe(before);
      }
    }
  });

  it("in local development, test mode still takes a loopback receiver (and the platform's host is refused there too)", async () => {
    const t = await createPartner();
    expect((await call("/v1/webhook_subscriptions", { token: t.token, body: { url: "http://127.0.0.1:9999/hook", events: ["*"] } })).status).toBe(201);
    expectRefused(await call("/v1/webhook_subscriptions", { token: t.token, body: { url: `https://${PLATFORM_HOST}/hook`, events: ["*"] } }), "url_platform_host");
    const live = await accessToken(await issueCredential(t.partnerId, "live"));
    expectRefused(await call("/v1/webhook_subscriptions", { token: live, body: { url: "https://votreapp.fr:8443/hook", events: ["*"] } }), "url_port_not_allowed");
  });

  it("PATCH checks a new URL the same way; the subscription is left as it was", async () => {
    const t = await createPartner();
    const live = await accessToken(await issueCredential(t.partnerId, "live"));
    const sub = await expectOk(await call("/v1/webhook_subscriptions", { env: DEPLOYED, token: live, body: { url: "https://votreapp.fr/hooks", events: ["*"] } }), 201);
    for (const [url, code] of [
      ["https://votreapp.fr:8443/hooks", "url_port_not_allowed"],
      [`https://${PLATFORM_HOST}/hooks`, "url_platform_host"],
      ["http://127.0.0.1:9999/hook", "url_not_https"],
    ] as const) {
      expectRefused(await call(`/v1/webhook_subscriptions/${sub.id}`, { env: DEPLOYED, method: "PATCH", token: live, body: { url } }), code);
    }
    const test = await expectOk(await call("/v1/webhook_subscriptions", { env: DEPLOYED, token: t.token, body: { url: "https://votreapp.fr/hooks", events: ["*"] } }), 201);
    expectRefused(await call(`/v1/webhook_subscriptions/${test.id}`, { env: DEPLOYED, method: "PATCH", token: t.token, body: { url: "http://localhost:3000/hook" } }), "url_not_https");
    expect((await expectOk(await call(`/v1/webhook_subscriptions/${sub.id}`, { token: live }))).url).toBe("https://votreapp.fr/hooks");
    expect((await expectOk(await call(`/v1/webhook_subscriptions/${test.id}`, { token: t.token }))).url).toBe("https://votreapp.fr/hooks");
  });
});

describe("each attempt applies the rules of the worker making it", () => {
  /** Runs the webhooks consumer on `bodies` with the given bindings; what it sends on is captured. */
  async function consume(bodies: WebhookMessage[], overrides: Partial<Env> = {}) {
    const sent: WebhookMessage[] = [];
    const capture = {
      send: async (body: WebhookMessage) => void sent.push(body),
      sendBatch: async (messages: Iterable<MessageSendRequest<WebhookMessage>>) => void sent.push(...[...messages].map((m) => m.body)),
    };
    const batch = createMessageBatch<WebhookMessage>("webhooks", bodies.map((body, i) => ({ id: `msg-${i}`, timestamp: new Date(), attempts: 1, body })));
    const ctx = createExecutionContext();
    await worker.queue(batch, { ...env, ...overrides, WEBHOOKS: capture } as unknown as Env, ctx);
    await getQueueResult(batch, ctx);
    return sent.filter((m): m is Extract<WebhookMessage, { delivery_id: string }> => "delivery_id" in m);
  }

  async function pendingDelivery(url: string) {
    const t = await createPartner();
    await expectOk(await call("/v1/webhook_subscriptions", { token: t.token, body: { url, events: ["invoice.created"] } }), 201);
    await seedWorld(t);
    const event = await env.DB.prepare("SELECT id FROM events WHERE partner_id = ? AND type = 'invoice.created'").bind(t.partnerId).first<{ id: string }>();
    const [message] = await consume([{ event_id: event!.id }]);
    expect(message).toBeDefined();
    return message!;
  }

  async function deliveryRow(id: string) {
    return env.DB.prepare("SELECT status, attempts, last_status_code, last_error FROM webhook_deliveries WHERE id = ?").bind(id).first<Record<string, unknown>>();
  }

  it("a loopback receiver registered in local development is never called by a deployed worker: the attempt fails, saying why", async () => {
    const message = await pendingDelivery("http://127.0.0.1:9999/hook");
    const fetched = vi.spyOn(globalThis, "fetch").mockImplementation(async () => new Response("ok"));
    await consume([message], DEPLOYED);
    expect(fetched).not.toHaveBeenCalled();
    expect(await deliveryRow(message.delivery_id)).toMatchObject({ status: "failed", attempts: 1, last_status_code: null, last_error: "URL refused, not sent: must use https://" });
    const attempts = await env.DB.prepare("SELECT outcome, error FROM webhook_delivery_attempts WHERE delivery_id = ?").bind(message.delivery_id).all();
    expect(attempts.results).toEqual([{ outcome: "failed", error: "URL refused, not sent: must use https://" }]);
  });

  it("the same delivery in local development is sent (control)", async () => {
    const message = await pendingDelivery("http://127.0.0.1:9999/hook");
    const fetched = vi.spyOn(globalThis, "fetch").mockImplementation(async () => new Response("ok"));
    await consume([message]);
    expect(fetched).toHaveBeenCalledTimes(1);
    expect(await deliveryRow(message.delivery_id)).toMatchObject({ status: "succeeded", attempts: 1, last_status_code: 200 });
  });

  it("a URL that has come to name the platform's own host is not called", async () => {
    const message = await pendingDelivery("https://votreapp.fr/webhooks");
    const sub = await env.DB.prepare("SELECT subscription_id FROM webhook_deliveries WHERE id = ?").bind(message.delivery_id).first<{ subscription_id: string }>();
    await env.DB.prepare("UPDATE webhook_subscriptions SET url = ? WHERE id = ?").bind(`https://${PLATFORM_HOST}/v1/auth/token`, sub!.subscription_id).run();
    const fetched = vi.spyOn(globalThis, "fetch").mockImplementation(async () => new Response("ok"));
    await consume([message], DEPLOYED);
    expect(fetched).not.toHaveBeenCalled();
    const row = await deliveryRow(message.delivery_id);
    expect(row).toMatchObject({ status: "failed", last_status_code: null });
    expect(row!.last_error).toMatch(/^URL refused, not sent: names this platform's own host/);
  });
});
