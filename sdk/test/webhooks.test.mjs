// The SDK's webhook checks against independent signers: the `standardwebhooks` package (what
// Standard Webhooks receivers use) and node:crypto computing the seed's `sha256=` header the way
// seed 001's Node verifier does.
import assert from "node:assert/strict";
import { createHmac, randomBytes } from "node:crypto";
import { test } from "node:test";
import { Webhook } from "standardwebhooks";
import { verifySeedSignature, verifyStandardWebhook, WebhookVerificationError } from "@paiements/sdk";

const secret = `whsec_${randomBytes(24).toString("base64")}`;
const previous = `whsec_${randomBytes(24).toString("base64")}`;
// Non-ASCII on purpose: the signature covers the UTF-8 bytes, not UTF-16 code units.
const body = JSON.stringify({ event_id: "evt-1", event_type: "refund.created", timestamp: "2026-12-05T09:00:00.000Z", organization_id: "org-1", livemode: false, object_version: 1, data: { reason: "Remise commerciale de 100€" } });

function standardHeaders(signers, at = new Date()) {
  const signatures = signers.map((s) => new Webhook(s).sign("evt-1", at, body));
  return { "webhook-id": "evt-1", "webhook-timestamp": String(Math.floor(at.getTime() / 1000)), "webhook-signature": signatures.join(" ") };
}

test("Standard Webhooks: a delivery signed by the standardwebhooks package verifies and is parsed", async () => {
  const headers = standardHeaders([secret]);
  const payload = await verifyStandardWebhook(body, headers, secret);
  assert.equal(payload.event_type, "refund.created");
  assert.equal(payload.data.reason, "Remise commerciale de 100€");
  // Same answer from a Headers object, and from the raw bytes.
  assert.deepEqual(await verifyStandardWebhook(new TextEncoder().encode(body), new Headers(headers), secret), payload);
  // And the package agrees on what we accept.
  assert.deepEqual(new Webhook(secret).verify(body, headers), payload);
});

test("Standard Webhooks: during a rotation both secrets' signatures are listed; either secret verifies", async () => {
  const headers = standardHeaders([secret, previous]);
  assert.equal((await verifyStandardWebhook(body, headers, secret)).event_id, "evt-1");
  assert.equal((await verifyStandardWebhook(body, headers, previous)).event_id, "evt-1");
  assert.equal((await verifyStandardWebhook(body, standardHeaders([previous]), [secret, previous])).event_id, "evt-1");
});

test("Standard Webhooks: a changed body, id, timestamp or secret is refused", async () => {
  const headers = standardHeaders([secret]);
  const refused = (b, h, s) => assert.rejects(verifyStandardWebhook(b, h, s), WebhookVerificationError);
  await refused(body.replace("100€", "900€"), headers, secret);
  await refused(body, { ...headers, "webhook-id": "evt-2" }, secret);
  await refused(body, { ...headers, "webhook-timestamp": String(Number(headers["webhook-timestamp"]) - 1) }, secret);
  await refused(body, headers, `whsec_${randomBytes(24).toString("base64")}`);
  await refused(body, { ...headers, "webhook-signature": headers["webhook-signature"].replace("v1,", "v2,") }, secret);
  await refused(body, { "webhook-id": "evt-1" }, secret);
});

test("Standard Webhooks: a timestamp more than 5 minutes away either way is refused (replays)", async () => {
  const now = new Date();
  const old = standardHeaders([secret], new Date(now.getTime() - 301_000));
  const future = standardHeaders([secret], new Date(now.getTime() + 301_000));
  const recent = standardHeaders([secret], new Date(now.getTime() - 299_000));
  await assert.rejects(verifyStandardWebhook(body, old, secret, { now }), /more than 300 s/);
  await assert.rejects(verifyStandardWebhook(body, future, secret, { now }), /more than 300 s/);
  assert.equal((await verifyStandardWebhook(body, recent, secret, { now })).event_id, "evt-1");
  assert.throws(() => new Webhook(secret).verify(body, old), "the package refuses it too");
});

test("seed signature: sha256=<hex HMAC of the raw body, keyed by the whole whsec_ secret as UTF-8>", async () => {
  // Seed 001's Node verifier computes exactly this.
  const header = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
  assert.equal(await verifySeedSignature(body, header, secret), true);
  assert.equal(await verifySeedSignature(Buffer.from(body), header, secret), true);
  assert.equal(await verifySeedSignature(body, header, [previous, secret]), true, "rotation: either secret");
  assert.equal(await verifySeedSignature(body.replace("100€", "900€"), header, secret), false);
  assert.equal(await verifySeedSignature(body, header, previous), false);
  assert.equal(await verifySeedSignature(body, header.replace("sha256=", ""), secret), false);
  assert.equal(await verifySeedSignature(body, undefined, secret), false);
  assert.equal(await verifySeedSignature(body, "sha256=zz", secret), false);
});
