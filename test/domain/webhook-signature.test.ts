import { Buffer } from "node:buffer";
import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { EVENT_TYPES, objectVersion, subscriptionReceives, webhookBody } from "../../src/domain/events";
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { signatureHeaders, signPayload, signStandard, standardKeyBytes, verifySignature } from "../../src/domain/webhook-signature";
import { isId, newId } from "../../src/lib/ids";
import { redactText } from "../../src/lib/log";

/** Signatures as seed 001's verifiers check them, the body they cover, and who receives what. */

const SECRET = "whsec_K8W5m3n2k4J9p7Q1r6T8v5Y2z4";

/** Seed 001's Python verifier, line for line (hmac.new(secret.encode('utf-8'), payload, hashlib.sha256).hexdigest()). */
function pythonVerifier(payload: Buffer, signature: string, secret: string) {
  const expected_signature = crypto.createHmac("sha256", Buffer.from(secret, "utf-8")).update(payload).digest("hex");
  const expected = `sha256=${expected_signature}`;
  return expected.length === signature.length && crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(signature));
}

describe("webhook signature", () => {
  const event = {
    id: "evt-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b",
    type: "payment_intent.status_changed",
    livemode: false,
    organization_id: "org-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b",
    created_at: "2024-02-01T10:35:00.000Z",
    data: { payment_intent_id: "pi-1", previous_status: "created", current_status: "pending", payment_intent: { selected_payment_method: "sepa_credit", version: 2, payer: "Jérôme Dupont — 5,5 %" } },
  };

  it("is sha256=<hex HMAC-SHA256(secret, raw body)>, as seed 001's Node and Python verifiers compute it", async () => {
    const raw = webhookBody(event);
    const header = await signPayload(SECRET, raw);
    expect(header).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(header).toBe(`sha256=${crypto.createHmac("sha256", SECRET).update(Buffer.from(raw, "utf8")).digest("hex")}`);
    expect(pythonVerifier(Buffer.from(raw, "utf8"), header, SECRET)).toBe(true);
    expect(await verifySignature(raw, header, SECRET)).toBe(true);
  });

  it("fails for another secret, a changed body (one byte), a re-serialized body, or no header", async () => {
    const raw = webhookBody(event);
    const header = await signPayload(SECRET, raw);
    expect(await verifySignature(raw, header, "whsec_other")).toBe(false);
    expect(await verifySignature(raw.replace("pending", "Pending"), header, SECRET)).toBe(false);
    expect(await verifySignature(JSON.stringify(JSON.parse(raw), null, 2), header, SECRET)).toBe(false);
    expect(await verifySignature(raw, null, SECRET)).toBe(false);
    expect(await verifySignature(raw, "sha256=", SECRET)).toBe(false);
  });

  it("during a rotation, the current secret signs X-Webhook-Signature and the previous one X-Webhook-Signature-Previous", async () => {
    const raw = webhookBody(event);
    const attempt = { id: event.id, timestamp: 1_706_783_700 };
    const headers = await signatureHeaders({ current: NEW, previous: OLD }, raw, attempt);
    expect(headers).toMatchObject({ "X-Webhook-Signature": await signPayload(NEW, raw), "X-Webhook-Signature-Previous": await signPayload(OLD, raw) });
    const alone = await signatureHeaders({ current: NEW, previous: null }, raw, attempt);
    expect(alone["X-Webhook-Signature"]).toBe(await signPayload(NEW, raw));
    expect(alone).not.toHaveProperty("X-Webhook-Signature-Previous");
  });
});

// Two secrets as the service mints them (whsec_ + base64 of 24 bytes: `+` and `/` included), and one minted before (base62).
const NEW = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const OLD = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
const BASE62 = "whsec_K8W5m3n2k4J9p7Q1r6T8v5Y2z4aBcDeF";

describe("Standard Webhooks signature", () => {
  const raw = webhookBody({ id: "evt-1", type: "invoice.created", livemode: false, organization_id: "org-1", created_at: "2024-02-01T10:37:00.000Z", data: { invoice: { id: "inv-1", version: 1 } } });
  const now = () => Math.floor(Date.now() / 1000);

  it("webhook-id, webhook-timestamp and webhook-signature: v1,<base64 HMAC-SHA256(base64-decoded key, id.timestamp.body)>, which the standardwebhooks library accepts", async () => {
    const timestamp = now();
    const headers = await signatureHeaders({ current: NEW, previous: null }, raw, { id: "evt-1", timestamp });
    expect(headers["webhook-id"]).toBe("evt-1");
    expect(headers["webhook-timestamp"]).toBe(String(timestamp));
    const mac = crypto.createHmac("sha256", Buffer.from(NEW.slice(6), "base64")).update(`evt-1.${timestamp}.${raw}`).digest("base64");
    expect(headers["webhook-signature"]).toBe(`v1,${mac}`);
    expect(new Webhook(NEW).verify(raw, headers)).toEqual(JSON.parse(raw));
    expect(() => new Webhook(OLD).verify(raw, headers)).toThrow(WebhookVerificationError);
    // A changed body, or a replayed attempt re-stamped, fails.
    expect(() => new Webhook(NEW).verify(raw.replace("inv-1", "inv-2"), headers)).toThrow(WebhookVerificationError);
    expect(() => new Webhook(NEW).verify(raw, { ...headers, "webhook-timestamp": String(timestamp + 1) })).toThrow(WebhookVerificationError);
  });

  it("during a rotation both secrets' v1 signatures are listed, space-separated: a receiver on either secret verifies", async () => {
    const headers = await signatureHeaders({ current: NEW, previous: OLD }, raw, { id: "evt-1", timestamp: now() });
    expect(headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]{43}= v1,[A-Za-z0-9+/]{43}=$/);
    expect(headers["webhook-signature"]!.split(" ")[0]).toBe(await signStandard(NEW, "evt-1", Number(headers["webhook-timestamp"]), raw));
    expect(new Webhook(NEW).verify(raw, headers)).toEqual(JSON.parse(raw));
    expect(new Webhook(OLD).verify(raw, headers)).toEqual(JSON.parse(raw));
  });

  it("a secret minted before Standard Webhooks (whsec_ + 32 base62 characters) decodes to 24 bytes and signs both schemes", async () => {
    expect(standardKeyBytes(BASE62)).toHaveLength(24);
    const headers = await signatureHeaders({ current: BASE62, previous: null }, raw, { id: "evt-1", timestamp: now() });
    expect(new Webhook(BASE62).verify(raw, headers)).toEqual(JSON.parse(raw));
    expect(pythonVerifier(Buffer.from(raw, "utf8"), headers["X-Webhook-Signature"]!, BASE62)).toBe(true);
  });
});

describe("webhook body", () => {
  it("is DESIGN.md §4's envelope, keys in a fixed order, with the object's version on top", () => {
    const raw = webhookBody({
      id: "evt-1",
      type: "invoice.status_changed",
      livemode: true,
      organization_id: "org-1",
      created_at: "2024-02-01T10:37:00.000Z",
      data: { invoice_id: "inv-1", previous_status: "issued", current_status: "paid", invoice: { id: "inv-1", version: 4 } },
    });
    expect(Object.keys(JSON.parse(raw))).toEqual(["event_id", "event_type", "timestamp", "organization_id", "livemode", "object_version", "data"]);
    expect(JSON.parse(raw)).toMatchObject({ event_id: "evt-1", event_type: "invoice.status_changed", timestamp: "2024-02-01T10:37:00.000Z", livemode: true, object_version: 4 });
  });

  it("object_version comes from the event's own object, or is null where that object has none", () => {
    expect(objectVersion("payment_intent.status_changed", { payment_intent: { version: 7 } })).toBe(7);
    expect(objectVersion("refund.created", { refund: { version: 1 } })).toBe(1);
    expect(objectVersion("payment_link.created", { payment_link: { id: "pl-1" } })).toBeNull();
    expect(objectVersion("invoice.created", { invoice: { version: "2" } })).toBeNull();
    expect(objectVersion("invoice.created", {})).toBeNull();
  });
});

describe("who receives an event", () => {
  const event = { type: "refund.created", organization_id: "org-a" };
  it.each([
    [{ events: ["*"], organization_ids: null }, true],
    [{ events: ["refund.created"], organization_ids: null }, true],
    [{ events: ["refund.status_changed"], organization_ids: null }, false],
    [{ events: ["*"], organization_ids: ["org-a", "org-b"] }, true],
    [{ events: ["*"], organization_ids: ["org-b"] }, false],
  ])("%o → %s", (sub, expected) => expect(subscriptionReceives(sub, event)).toBe(expected));

  it("an event without organization reaches only subscriptions not limited to some", () => {
    expect(subscriptionReceives({ events: ["*"], organization_ids: ["org-a"] }, { type: "invoice.created", organization_id: null })).toBe(false);
    expect(subscriptionReceives({ events: ["*"], organization_ids: null }, { type: "invoice.created", organization_id: null })).toBe(true);
  });

  it("the seed's six event types, the change of a department's payout account, the quotes' and the partial credit notes' (issue 12), the payer outreach's (issue 13), the payments recorded at the counter and their voids (issue 14), the operator's KYC decisions (issue 15)", () => {
    expect(EVENT_TYPES).toEqual([
      "invoice.created",
      "invoice.status_changed",
      "invoice.sent",
      "invoice.reminder_sent",
      "invoice.dunning_finished",
      "payment_link.created",
      "payment_intent.status_changed",
      "refund.created",
      "refund.status_changed",
      "bank_account.default_changed",
      "quote.created",
      "quote.status_changed",
      "credit_note.created",
      "message.sent",
      "message.failed",
      "payment.created",
      "payment.voided",
      "kyc.status_changed",
    ]);
  });
});

describe("ids with a dash in their prefix", () => {
  it("wh-sub-… is recognised as a subscription id and as nothing else", () => {
    const id = newId("webhook_subscription");
    expect(id).toMatch(/^wh-sub-[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(isId("webhook_subscription", id)).toBe(true);
    expect(isId("webhook_subscription", id.replace("wh-sub-", "wh-"))).toBe(false);
    expect(isId("webhook_delivery", id)).toBe(false);
    expect(isId("webhook_subscription", "wh-sub-123")).toBe(false);
    expect(isId("webhook_delivery", newId("webhook_delivery"))).toBe(true);
  });
});

describe("secrets in logs", () => {
  it("a base64 secret (with + / =) is redacted whole, like a base62 one", () => {
    expect(redactText(`rotated to ${OLD} and ${BASE62}, padded whsec_AAAA+/8=`)).toBe("rotated to whsec_[redacted] and whsec_[redacted], padded whsec_[redacted]");
  });
});
