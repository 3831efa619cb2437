import { createExecutionContext, createMessageBatch, getQueueResult, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import type { Env, MessageQueueBody } from "../../src/env";
import { DomainError } from "../../src/lib/errors";
import worker from "../../src/index";
import { SANDBOX_SMS_ALWAYS_FAILS, SANDBOX_SMS_FAILS_ONCE, sandboxSmsLog } from "../../src/providers/sandbox-sms";
import { systemContext, type ServiceContext } from "../../src/services/context";
import { MESSAGE_MAX_ATTEMPTS, MESSAGE_RETRY_DELAY_SECONDS } from "../../src/services/messages/deliver-message";
import { MESSAGE_RELAY_AFTER_MINUTES } from "../../src/services/messages/relay-messages";
import { messageStatements, publishMessages, type MessageRequest } from "../../src/services/messages/enqueue";
import { relayQueuedMessages } from "../../src/services/messages/relay-messages";
import wranglerToml from "../../wrangler.toml?raw";
import { accessToken, call, createPartner, DEPLOYED, expectOk, issueCredential, seedWorld, VALID_ORGANIZATION, type Tenant } from "../helpers/harness";

type BatchItem = Parameters<ServiceContext["db"]["batch"]>[0][number];
type SentEmail = { from: { name: string; email: string }; to: string; subject: string; text: string; html?: string; replyTo?: string; attachments?: { filename: string; type: string; content: Uint8Array }[] };

/** The EMAIL binding as the consumer sees it, recording what it was given (or failing like a transport). */
function emailDouble(fail = false) {
  const sent: SentEmail[] = [];
  return {
    sent,
    binding: {
      async send(message: SentEmail) {
        if (fail) throw new Error("Email Service unavailable");
        sent.push(message);
        return { messageId: `<cf-${sent.length}@paiements.example>` };
      },
    },
  };
}

function serviceCtx(t: Tenant, livemode = false): ServiceContext {
  return systemContext({ db: createDb(env.DB), env: env as unknown as Env, requestId: "test", defer: () => {} }, { partnerId: t.partnerId, livemode }, "test");
}

/** What a sending service does: the message's statements in its batch, then the hand-off. */
async function enqueue(ctx: ServiceContext, req: MessageRequest): Promise<string> {
  const { id, statements } = await messageStatements(ctx, req);
  await ctx.db.batch(statements as [BatchItem, ...BatchItem[]]);
  return id;
}

/** One delivery of these messages by the `messages` consumer, with some bindings replaced. */
async function consume(ids: string[], overrides: Partial<Env> = {}, queue = "messages") {
  const batch = createMessageBatch<MessageQueueBody>(queue, ids.map((id, i) => ({ id: `q-${i}`, timestamp: new Date(), attempts: 1, body: { message_id: id } })));
  const ctx = createExecutionContext();
  await worker.queue(batch, { ...env, ...overrides } as unknown as Env, ctx);
  const result = await getQueueResult(batch, ctx);
  await waitOnExecutionContext(ctx);
  return result;
}

const invoiceData = (payUrl = "https://pay.test.example/p/tok") => ({ payerName: "Jean Dupont", invoiceNumber: "FAC-2026-00001", amountDue: 41000, dueDate: "2026-03-31", payUrl });

async function world() {
  const t = await createPartner();
  const w = await seedWorld(t);
  const headers = { "x-entity-id": w.org.id };
  return { t, w, headers, ctx: serviceCtx(t) };
}

describe("enqueueing a message", () => {
  it("refuses a bad phone number as invalid_phone naming `to`, a bad email as invalid_email, and writes nothing", async () => {
    const { w, ctx, headers, t } = await world();
    const base = { organizationId: w.org.id, locale: "fr", template: "invoice", data: invoiceData(), related: null } as const;
    for (const [channel, to, code] of [
      ["sms", "06 12 34", "invalid_phone"],
      ["sms", "+33 1 23", "invalid_phone"],
      ["email", "jean.dupont@", "invalid_email"],
    ] as const) {
      const err = await messageStatements(ctx, { ...base, channel, to }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DomainError);
      expect(err).toMatchObject({ kind: "invalid_request", code, param: "to" });
    }
    // The field the recipient came from is named when the caller says so (e.g. `payer.phone`).
    await expect(messageStatements(ctx, { ...base, channel: "sms", to: "12", toParam: "payer.phone" })).rejects.toMatchObject({ param: "payer.phone" });
    const list = await expectOk(await call("/v1/messages", { token: t.token, headers }));
    expect(list.pagination.total_items).toBe(0);
  });

  it("normalizes a French national number to E.164 and an email to lower case", async () => {
    const { w, ctx, t, headers } = await world();
    const sms = await enqueue(ctx, { organizationId: w.org.id, channel: "sms", to: "06 12 34 56 78", locale: "fr", template: "invoice", data: invoiceData(), related: null });
    const email = await enqueue(ctx, { organizationId: w.org.id, channel: "email", to: " Jean.Dupont@Example.COM ", locale: "fr", template: "invoice", data: invoiceData(), related: null });
    expect((await expectOk(await call(`/v1/messages/${sms}`, { token: t.token, headers }))).to).toBe("+33612345678");
    expect((await expectOk(await call(`/v1/messages/${email}`, { token: t.token, headers }))).to).toBe("jean.dupont@example.com");
  });

  it("refuses SMS in live mode while no SMS provider is configured (sms_not_configured)", async () => {
    const t = await createPartner();
    const live = await accessToken(await issueCredential(t.partnerId, "live"));
    const org = await expectOk(await call("/v1/organizations", { token: live, body: VALID_ORGANIZATION }), 201);
    const ctx = serviceCtx(t, true);
    await expect(
      messageStatements(ctx, { organizationId: org.id, channel: "sms", to: "+33612345678", locale: "fr", template: "invoice", data: invoiceData(), related: null }),
    ).rejects.toMatchObject({ kind: "business_rule", code: "sms_not_configured" });
  });

  it("hands the message to the MESSAGES queue after the batch", async () => {
    const { w, ctx } = await world();
    const handed: unknown[] = [];
    const pending: Promise<unknown>[] = [];
    const id = await enqueue(ctx, { organizationId: w.org.id, channel: "email", to: "jean.dupont@example.com", locale: "fr", template: "invoice", data: invoiceData(), related: null });
    publishMessages({ ...ctx, env: { ...ctx.env, MESSAGES: { sendBatch: async (m: unknown[]) => void handed.push(...m) } } as unknown as Env, defer: (p) => void pending.push(p) }, [id]);
    await Promise.all(pending);
    expect(handed).toEqual([{ body: { message_id: id } }]);
  });
});

describe("the messages consumer", () => {
  it("test mode: marks the email sent without a transport, the content readable via the API (sandbox outbox), the invoice PDF attached", async () => {
    const { w, ctx, t, headers } = await world();
    const issued = await expectOk(await call(`/v1/invoices/${w.invoice.id}/issue`, { method: "POST", token: t.token, headers }));
    const id = await enqueue(ctx, {
      organizationId: w.org.id,
      channel: "email",
      to: "jean.dupont@example.com",
      locale: "fr",
      template: "invoice",
      data: invoiceData(),
      related: { type: "invoice", id: issued.id },
      attachments: [{ kind: "invoice_pdf", id: issued.id }],
    });
    const queued = await expectOk(await call(`/v1/messages/${id}`, { token: t.token, headers }));
    expect(queued).toMatchObject({ status: "queued", attachments: [{ content_type: "application/pdf", size: null, sha256: null }] });

    // A deployed worker: test mode sends nothing at all.
    const deployed = emailDouble();
    const result = await consume([id], { ...DEPLOYED, EMAIL: deployed.binding as never });
    expect(result.explicitAcks).toEqual(["q-0"]);
    expect(deployed.sent).toHaveLength(0);

    const sent = await expectOk(await call(`/v1/messages/${id}`, { token: t.token, headers }));
    expect(sent).toMatchObject({ object: "message", channel: "email", template: "invoice", locale: "fr", to: "jean.dupont@example.com", status: "sent", attempts: 1, related: { type: "invoice", id: issued.id } });
    expect(sent.subject).toBe("Facture FAC-2026-00001 de Mairie de Lyon : 410,00\u00a0€");
    expect(sent.text).toContain("https://pay.test.example/p/tok");
    expect(sent.html).toContain('<html lang="fr">');
    const pdf = await call(`/v1/invoices/${issued.id}/pdf`, { token: t.token, headers });
    // The archived Factur-X, exactly: same bytes as GET /v1/invoices/{id}/pdf serves.
    expect(sent.attachments).toEqual([{ filename: expect.stringMatching(/\.pdf$/), content_type: "application/pdf", size: Number(pdf.headers.get("content-length")), sha256: pdf.headers.get("x-document-sha256") }]);
    expect(sent.sent_at).toEqual(expect.any(String));

    const events = await expectOk(await call("/v1/events?type=message.sent", { token: t.token }));
    expect(events.data).toHaveLength(1);
    expect(events.data[0].data.message).toMatchObject({ id, status: "sent", to: "j•••@example.com" });
    expect(JSON.stringify(events.data[0])).not.toContain("jean.dupont@example.com");
  });

  it("under local development, test-mode email also goes to the (simulated) EMAIL binding: From the organization at EMAIL_FROM, Reply-To its support email, HTML + text + PDF", async () => {
    const { w, ctx, t, headers } = await world();
    await expectOk(await call(`/v1/organizations/${w.org.id}`, { method: "PATCH", token: t.token, body: { branding: { display_name: "Ville de Lyon", support_email: "regie@lyon.example" } } }));
    const issued = await expectOk(await call(`/v1/invoices/${w.invoice.id}/issue`, { method: "POST", token: t.token, headers }));
    const id = await enqueue(ctx, { organizationId: w.org.id, channel: "email", to: "jean.dupont@example.com", locale: "en", template: "invoice", data: invoiceData(), related: { type: "invoice", id: issued.id }, attachments: [{ kind: "invoice_pdf", id: issued.id }] });
    const local = emailDouble();
    await consume([id], { EMAIL: local.binding as never });
    expect(local.sent).toHaveLength(1);
    const mail = local.sent[0]!;
    expect(mail.from).toEqual({ name: "Ville de Lyon", email: env.EMAIL_FROM });
    expect(mail.replyTo).toBe("regie@lyon.example");
    expect(mail.to).toBe("jean.dupont@example.com");
    expect(mail.html).toContain('<html lang="en">');
    expect(mail.text).toContain("Pay online: https://pay.test.example/p/tok");
    expect(mail.attachments).toHaveLength(1);
    const pdf = mail.attachments![0]!;
    expect(pdf.type).toBe("application/pdf");
    expect(new TextDecoder().decode(pdf.content.slice(0, 5))).toBe("%PDF-");
    const got = await expectOk(await call(`/v1/messages/${id}`, { token: t.token, headers }));
    expect(got.attachments[0]).toMatchObject({ filename: pdf.filename, size: pdf.content.byteLength });
  });

  it("never sends a message twice: a redelivered sent message is acknowledged without a transport call", async () => {
    const { w, ctx } = await world();
    const id = await enqueue(ctx, { organizationId: w.org.id, channel: "email", to: "jean.dupont@example.com", locale: "fr", template: "invoice", data: invoiceData(), related: null });
    const first = emailDouble();
    await consume([id, id], { EMAIL: first.binding as never });
    const again = emailDouble();
    const result = await consume([id], { EMAIL: again.binding as never });
    expect(first.sent).toHaveLength(1);
    expect(again.sent).toHaveLength(0);
    expect(result.explicitAcks).toEqual(["q-0"]);
  });

  it("retries an SMS after a transport failure and sends it once (sandbox number +33 6 39 98 00 02)", async () => {
    const { w, ctx, t, headers } = await world();
    const id = await enqueue(ctx, { organizationId: w.org.id, channel: "sms", to: SANDBOX_SMS_FAILS_ONCE, locale: "fr", template: "payment_link", data: { amount: 2500, payUrl: "https://pay.test.example/p/tok" }, related: null });
    const first = await consume([id]);
    expect(first.retryMessages.map((m) => m.msgId)).toEqual(["q-0"]);
    expect(await expectOk(await call(`/v1/messages/${id}`, { token: t.token, headers }))).toMatchObject({ status: "queued", attempts: 1 });
    const second = await consume([id]);
    expect(second.explicitAcks).toEqual(["q-0"]);
    await consume([id]);
    expect(sandboxSmsLog.filter((s) => s.messageId === id)).toEqual([{ messageId: id, from: "MairiedeLyo", to: SANDBOX_SMS_FAILS_ONCE, text: expect.stringContaining("Mairie de Lyon: demande de paiement de 25,00 €") }]);
    const sent = await expectOk(await call(`/v1/messages/${id}`, { token: t.token, headers }));
    expect(sent).toMatchObject({ status: "sent", attempts: 2, subject: null, html: null });
  });

  it(`marks the message failed after ${MESSAGE_MAX_ATTEMPTS} failed attempts, with its reason and message.failed`, async () => {
    const { w, ctx, t, headers } = await world();
    await expectOk(await call(`/v1/organizations/${w.org.id}`, { method: "PATCH", token: t.token, body: { sms_sender_id: "LyonEau" } }));
    const id = await enqueue(ctx, { organizationId: w.org.id, channel: "sms", to: SANDBOX_SMS_ALWAYS_FAILS, locale: "fr", template: "receipt", data: { amount: 2500, paidAt: "2026-03-02T10:00:00Z", paymentId: "pay-x" }, related: null });
    for (let i = 1; i < MESSAGE_MAX_ATTEMPTS; i++) expect((await consume([id])).retryMessages).toHaveLength(1);
    const last = await consume([id]);
    expect(last.explicitAcks).toEqual(["q-0"]);
    const failed = await expectOk(await call(`/v1/messages/${id}`, { token: t.token, headers }));
    expect(failed).toMatchObject({ status: "failed", attempts: MESSAGE_MAX_ATTEMPTS, sent_at: null, failure_reason: expect.stringContaining("transport_error") });
    expect((await consume([id])).explicitAcks).toEqual(["q-0"]);
    expect((await expectOk(await call(`/v1/messages/${id}`, { token: t.token, headers }))).attempts).toBe(MESSAGE_MAX_ATTEMPTS);
    const events = await expectOk(await call("/v1/events?type=message.failed", { token: t.token }));
    expect(events.data.map((e: { data: { message: { id: string } } }) => e.data.message.id)).toEqual([id]);
    expect(sandboxSmsLog.some((s) => s.messageId === id)).toBe(false);
  });

  it("a message dead-lettered (its deliveries kept crashing) is marked failed", async () => {
    const { w, ctx, t, headers } = await world();
    const id = await enqueue(ctx, { organizationId: w.org.id, channel: "email", to: "jean.dupont@example.com", locale: "fr", template: "invoice", data: invoiceData(), related: null });
    await consume([id], {}, "messages-dlq");
    expect(await expectOk(await call(`/v1/messages/${id}`, { token: t.token, headers }))).toMatchObject({ status: "failed", failure_reason: expect.stringContaining("dead_lettered") });
  });

  it("live mode: sends through the EMAIL binding, retries when it fails, and serves no content", async () => {
    const t = await createPartner();
    const live = await accessToken(await issueCredential(t.partnerId, "live"));
    const org = await expectOk(await call("/v1/organizations", { token: live, body: { ...VALID_ORGANIZATION, branding: { display_name: "EDF Particuliers", support_email: "support@edf.example" } } }), 201);
    const ctx = serviceCtx(t, true);
    const id = await enqueue(ctx, { organizationId: org.id, channel: "email", to: "client@example.fr", locale: "fr", template: "reminder_overdue", data: invoiceData(), related: null });
    const down = emailDouble(true);
    expect((await consume([id], { EMAIL: down.binding as never })).retryMessages).toHaveLength(1);
    const up = emailDouble();
    await consume([id], { EMAIL: up.binding as never });
    expect(up.sent).toHaveLength(1);
    expect(up.sent[0]).toMatchObject({ from: { name: "EDF Particuliers", email: env.EMAIL_FROM }, replyTo: "support@edf.example", to: "client@example.fr", subject: "Facture FAC-2026-00001 impayée : 410,00\u00a0€" });
    const got = await expectOk(await call(`/v1/messages/${id}`, { token: live, headers: { "x-entity-id": org.id } }));
    expect(got).toMatchObject({ status: "sent", livemode: true, attempts: 2 });
    expect(got.text).toBeUndefined();
    expect(got.html).toBeUndefined();
    // Test mode does not see live messages.
    expect((await call(`/v1/messages/${id}`, { token: t.token, headers: { "x-entity-id": org.id } })).status).toBe(404);
  });
});

describe("the messages queue's configuration (wrangler.toml)", () => {
  /** The `[[queues.consumers]]` table of a queue (flat key = value lines). */
  function consumer(queue: string): Record<string, string | number> {
    const tables: Record<string, string | number>[] = [];
    let current: Record<string, string | number> | null = null;
    for (const raw of wranglerToml.split("\n")) {
      const line = raw.replace(/#.*$/, "").trim();
      if (line.startsWith("[")) {
        current = line === "[[queues.consumers]]" ? {} : null;
        if (current) tables.push(current);
        continue;
      }
      const kv = /^(\w+)\s*=\s*(.+)$/.exec(line);
      if (current && kv) current[kv[1]!] = kv[2]!.startsWith('"') ? JSON.parse(kv[2]!) : Number(kv[2]);
    }
    const found = tables.find((t) => t.queue === queue);
    if (!found) throw new Error(`no consumer for ${queue}`);
    return found;
  }

  it("gives the consumer exactly its attempts before the dead-letter queue, and the relay waits longer than a retry", () => {
    const messages = consumer("messages");
    // Deliveries = max_retries + 1: the last one marks the message failed itself (no dead letter for a transport failure).
    expect(Number(messages.max_retries) + 1).toBe(MESSAGE_MAX_ATTEMPTS);
    expect(messages.dead_letter_queue).toBe("messages-dlq");
    expect(consumer("messages-dlq")).toBeDefined();
    expect(MESSAGE_RELAY_AFTER_MINUTES * 60).toBeGreaterThan(Math.max(MESSAGE_RETRY_DELAY_SECONDS, Number(messages.retry_delay)) * 2);
    expect(wranglerToml).toMatch(/\[\[send_email\]\]\s*\nname = "EMAIL"/);
  });
});

describe("the relay of lost hand-offs (minute cron)", () => {
  it("hands again a message left queued for 10 minutes, once per 10 minutes", async () => {
    const { w, ctx } = await world();
    const id = await enqueue(ctx, { organizationId: w.org.id, channel: "email", to: "jean.dupont@example.com", locale: "fr", template: "invoice", data: invoiceData(), related: null });
    const handed: string[] = [];
    const deps = { db: createDb(env.DB), env: { ...env, MESSAGES: { sendBatch: async (m: { body: MessageQueueBody }[]) => void handed.push(...m.map((x) => x.body.message_id)) } } as unknown as Env };
    const created = Date.parse(ctx.now);
    await relayQueuedMessages(deps, new Date(created + 5 * 60_000));
    expect(handed).not.toContain(id);
    await relayQueuedMessages(deps, new Date(created + 11 * 60_000));
    expect(handed.filter((h) => h === id)).toHaveLength(1);
    await relayQueuedMessages(deps, new Date(created + 12 * 60_000));
    expect(handed.filter((h) => h === id)).toHaveLength(1);
    // Once sent, never relayed.
    await consume([id], { EMAIL: emailDouble().binding as never });
    await relayQueuedMessages(deps, new Date(created + 60 * 60_000));
    expect(handed.filter((h) => h === id)).toHaveLength(1);
  });
});

describe("GET /v1/messages", () => {
  it("filters on channel, status, template, related object, recipient and dates; masks recipients", async () => {
    const { w, ctx, t, headers } = await world();
    const a = await enqueue(ctx, { organizationId: w.org.id, channel: "email", to: "jean.dupont@example.com", locale: "fr", template: "invoice", data: invoiceData(), related: { type: "invoice", id: w.invoice.id } });
    const b = await enqueue(ctx, { organizationId: w.org.id, channel: "sms", to: "+33612345678", locale: "fr", template: "reminder_due", data: invoiceData(), related: { type: "invoice", id: w.invoice.id } });
    const c = await enqueue(ctx, { organizationId: w.org.id, channel: "email", to: "marie@example.com", locale: "en", template: "payment_link", data: { amount: 100, payUrl: "https://pay.test.example/p/x" }, related: null });
    await consume([b]);
    const ids = async (query: string) => (await expectOk(await call(`/v1/messages${query}`, { token: t.token, headers }))).data.map((m: { id: string }) => m.id);
    expect(await ids("")).toEqual([c, b, a]);
    expect(await ids("?channel=sms")).toEqual([b]);
    expect(await ids("?status=sent")).toEqual([b]);
    expect(await ids("?status=queued&channel=email")).toEqual([c, a]);
    expect(await ids("?template=payment_link")).toEqual([c]);
    expect(await ids(`?related_object=${w.invoice.id}`)).toEqual([b, a]);
    expect(await ids("?related_type=invoice&channel=email")).toEqual([a]);
    expect(await ids("?to=Jean.Dupont@example.com")).toEqual([a]);
    expect(await ids(`?to=${encodeURIComponent("06 12 34 56 78")}`)).toEqual([b]);
    expect(await ids("?created_from=2999-01-01")).toEqual([]);
    const res = await call("/v1/messages", { token: t.token, headers });
    const list = await expectOk(res);
    expect(list.data.map((m: { to: string }) => m.to)).toEqual(["m•••@example.com", "+336••••••78", "j•••@example.com"]);
    expect(list.data.every((m: object) => !("text" in m) && !("html" in m))).toBe(true);
    expect(res.text).not.toContain("jean.dupont");
    const bad = await call("/v1/messages?to=%2B33%201", { token: t.token, headers });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: "invalid_phone", param: "to" });
    expect((await call("/v1/messages?status=bounced", { token: t.token, headers })).status).toBe(400);
  });

  it("answers 404 for another partner's message and for another organization of the same partner", async () => {
    const { w, ctx, t, headers } = await world();
    const id = await enqueue(ctx, { organizationId: w.org.id, channel: "email", to: "jean.dupont@example.com", locale: "fr", template: "invoice", data: invoiceData(), related: null });
    const other = await createPartner();
    const ow = await seedWorld(other);
    expect((await call(`/v1/messages/${id}`, { token: other.token, headers: { "x-entity-id": ow.org.id } })).status).toBe(404);
    expect((await call(`/v1/messages/${id}`, { token: other.token, headers })).status).toBe(404);
    const sibling = await expectOk(await call("/v1/organizations", { token: t.token, body: { ...VALID_ORGANIZATION } }), 201);
    expect((await call(`/v1/messages/${id}`, { token: t.token, headers: { "x-entity-id": sibling.id } })).status).toBe(404);
    expect((await expectOk(await call("/v1/messages", { token: t.token, headers: { "x-entity-id": sibling.id } }))).data).toEqual([]);
    expect((await call("/v1/messages", { token: other.token, headers })).status).toBe(404);
    expect((await call("/v1/messages/msg-nope", { token: t.token, headers })).status).toBe(404);
  });
});

describe("organization sms_sender_id", () => {
  it("accepts 1–11 letters and digits, refuses anything else naming the field, and defaults to null", async () => {
    const t = await createPartner();
    const org = await expectOk(await call("/v1/organizations", { token: t.token, body: { ...VALID_ORGANIZATION, sms_sender_id: "EDF" } }), 201);
    expect(org.sms_sender_id).toBe("EDF");
    for (const bad of ["Ville de Lyon", "VilleDeLyon12", "0612345678", "Évian", ""]) {
      const res = await call(`/v1/organizations/${org.id}`, { method: "PATCH", token: t.token, body: { sms_sender_id: bad } });
      expect(res.status, bad).toBe(400);
      expect(res.body.error.param).toBe("sms_sender_id");
    }
    expect((await expectOk(await call(`/v1/organizations/${org.id}`, { method: "PATCH", token: t.token, body: { sms_sender_id: null } }))).sms_sender_id).toBeNull();
    const plain = await expectOk(await call("/v1/organizations", { token: t.token, body: VALID_ORGANIZATION }), 201);
    expect(plain.sms_sender_id).toBeNull();
  });
});
