import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { SCHEDULES } from "../../src/cron";
import { addDays, parisStartOfDay, parisToday } from "../../src/domain/dates";
import { unseal } from "../../src/lib/crypto";
import { contentContext, type MessageContent } from "../../src/services/messages/enqueue";
import { accessToken, call, createPartner, expectOk, issueCredential, SEED, seedInvoiceBody, seedWorld, VALID_ORGANIZATION, type Tenant } from "../helpers/harness";
import { runScheduled } from "../helpers/scheduled";

/** Dunning (issue 13): rules per organization, and the job that sends them (sandbox sweep and hourly cron). */

type World = Awaited<ReturnType<typeof seedWorld>>;

const rulesPath = (orgId: string) => `/v1/organizations/${orgId}/dunning_rules`;

/** The README's set: −3, +1, +7, +15. */
const SENSIBLE = [
  { offset_days: -3, channel: "email", template: "reminder_before_due" },
  { offset_days: 1, channel: "email", template: "reminder_due" },
  { offset_days: 7, channel: "email", template: "reminder_overdue" },
  { offset_days: 15, channel: "email", template: "final_notice" },
] as const;

async function addRules(t: Tenant, orgId: string, rules: readonly object[] = SENSIBLE) {
  const created = [];
  for (const rule of rules) created.push(await expectOk(await call(rulesPath(orgId), { token: t.token, body: rule }), 201));
  return created;
}

/**
 * An issued invoice due on `dueDate`, with an active payment link (what the reminders point to)
 * that outlives the sandbox clock's jumps (a default link expires 30 days after it is made).
 */
async function unpaidInvoice(t: Tenant, w: World, dueDate: string, options: { link?: boolean } = {}) {
  const headers = { "x-entity-id": w.org.id };
  const body = seedInvoiceBody(w.dept.id);
  const draft = await expectOk(await call("/v1/invoices", { token: t.token, headers, body: { ...body, due_date: dueDate } }), 201);
  const invoice = await expectOk(await call(`/v1/invoices/${draft.id}/issue`, { method: "POST", token: t.token, headers }));
  if (options.link === false) return { invoice, link: null };
  const link = await expectOk(await call("/v1/payment_links", { token: t.token, headers, body: { invoice_id: invoice.id, payment_methods: ["card"], expires_at: "2099-03-31T23:59:59Z" } }), 201);
  return { invoice, link };
}

const sweep = async (t: Tenant, asOf: string) => expectOk(await call("/v1/sandbox/sweeps", { token: t.token, body: { as_of: asOf } }));

/** The reminders the invoice's payer got, oldest first. */
async function remindersOf(invoiceId: string) {
  const { results } = await env.DB.prepare(
    "SELECT id, template, channel, status, to_masked FROM messages WHERE related_type = 'invoice' AND related_id = ? AND template IN ('reminder_before_due','reminder_due','reminder_overdue','final_notice') ORDER BY created_at, id",
  )
    .bind(invoiceId)
    .all<{ id: string; template: string; channel: string; status: string; to_masked: string }>();
  return results;
}

/** What the payer reads (the sealed rendered content: the sandbox outbox). */
async function contentOf(messageId: string): Promise<MessageContent> {
  const row = await env.DB.prepare("SELECT content_encrypted FROM messages WHERE id = ?").bind(messageId).first<{ content_encrypted: string }>();
  return JSON.parse(await unseal(env.ENCRYPTION_KEY, row!.content_encrypted, contentContext(messageId)));
}

async function eventsOf(invoiceId: string, type: string) {
  const { results } = await env.DB.prepare("SELECT data FROM events WHERE type = ? AND json_extract(data, '$.invoice_id') = ? ORDER BY created_at, id")
    .bind(type, invoiceId)
    .all<{ data: string }>();
  return results.map((r) => JSON.parse(r.data));
}

describe("dunning rules", () => {
  it("are created, listed by offset, updated and soft-deleted, each change audited", async () => {
    const t = await createPartner();
    const w = await seedWorld(t);
    expect((await expectOk(await call(rulesPath(w.org.id), { token: t.token }))).data).toEqual([]); // an organization starts with none

    const [late, early] = await addRules(t, w.org.id, [SENSIBLE[2], SENSIBLE[0]]);
    expect(early).toMatchObject({ object: "dunning_rule", livemode: false, organization_id: w.org.id, offset_days: -3, channel: "email", template: "reminder_before_due", enabled: true });
    expect(early.id).toMatch(/^dun-/);
    const listed = await expectOk(await call(rulesPath(w.org.id), { token: t.token }));
    expect(listed.data.map((r: { id: string }) => r.id)).toEqual([early.id, late.id]);
    expect(listed.pagination.total_items).toBe(2);

    const patched = await expectOk(await call(`${rulesPath(w.org.id)}/${late.id}`, { method: "PATCH", token: t.token, body: { enabled: false, offset_days: 10 } }));
    expect(patched).toMatchObject({ id: late.id, enabled: false, offset_days: 10, template: "reminder_overdue" });

    const deleted = await expectOk(await call(`${rulesPath(w.org.id)}/${early.id}`, { method: "DELETE", token: t.token }));
    expect(deleted).toEqual({ id: early.id, object: "dunning_rule", deleted: true });
    expect((await expectOk(await call(rulesPath(w.org.id), { token: t.token }))).data.map((r: { id: string }) => r.id)).toEqual([late.id]);
    for (const method of ["PATCH", "DELETE"]) {
      const again = await call(`${rulesPath(w.org.id)}/${early.id}`, { method, token: t.token, ...(method === "PATCH" ? { body: { enabled: true } } : {}) });
      expect(again.status).toBe(404);
    }

    const audit = async (id: string) =>
      (await expectOk(await call(`/v1/audit_logs?resource_id=${id}`, { token: t.token, headers: { "x-entity-id": w.org.id } }))).data.map((e: { action: string }) => e.action).sort();
    expect(await audit(late.id)).toEqual(["created", "updated"]);
    expect(await audit(early.id)).toEqual(["created", "deleted"]);
  });

  it("refuses offsets outside −30…+90, unknown templates and channels, naming the field, and writes nothing", async () => {
    const t = await createPartner();
    const w = await seedWorld(t);
    const cases: [Record<string, unknown>, string][] = [
      [{ ...SENSIBLE[0], offset_days: -31 }, "offset_days"],
      [{ ...SENSIBLE[0], offset_days: 91 }, "offset_days"],
      [{ ...SENSIBLE[0], offset_days: 1.5 }, "offset_days"],
      [{ ...SENSIBLE[0], offset_days: "3" }, "offset_days"],
      [{ ...SENSIBLE[0], template: "invoice" }, "template"],
      [{ ...SENSIBLE[0], channel: "fax" }, "channel"],
      [{ channel: "email", template: "reminder_due" }, "offset_days"],
    ];
    for (const [body, param] of cases) {
      const res = await call(rulesPath(w.org.id), { token: t.token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.param, JSON.stringify(body)).toBe(param);
    }
    for (const edge of [-30, 90]) await expectOk(await call(rulesPath(w.org.id), { token: t.token, body: { ...SENSIBLE[0], offset_days: edge } }), 201);
    const [rule] = (await expectOk(await call(rulesPath(w.org.id), { token: t.token }))).data;
    const bad = await call(`${rulesPath(w.org.id)}/${rule.id}`, { method: "PATCH", token: t.token, body: { offset_days: 120 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.param).toBe("offset_days");
    const { n } = (await env.DB.prepare("SELECT count(*) AS n FROM dunning_rules WHERE organization_id = ?").bind(w.org.id).first<{ n: number }>())!;
    expect(n).toBe(2);
    expect((await env.DB.prepare("SELECT offset_days FROM dunning_rules WHERE id = ?").bind(rule.id).first<{ offset_days: number }>())!.offset_days).toBe(-30);
  });

  it("in live mode, an SMS rule is refused while no SMS provider is configured (422 sms_not_configured)", async () => {
    const t = await createPartner();
    const live = await accessToken(await issueCredential(t.partnerId, "live"));
    const org = await expectOk(await call("/v1/organizations", { token: live, body: VALID_ORGANIZATION }), 201);
    const refused = await call(rulesPath(org.id), { token: live, body: { offset_days: 1, channel: "sms", template: "reminder_due" } });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: "sms_not_configured", param: "channel" });
    const email = await expectOk(await call(rulesPath(org.id), { token: live, body: SENSIBLE[1] }), 201);
    expect(email.livemode).toBe(true);
    const patch = await call(`${rulesPath(org.id)}/${email.id}`, { method: "PATCH", token: live, body: { channel: "sms" } });
    expect(patch.status).toBe(422);
    expect((await expectOk(await call(rulesPath(org.id), { token: live }))).data.map((r: { channel: string }) => r.channel)).toEqual(["email"]);
  });

  it("belong to their organization: another partner, the live mode or another organization gets 404", async () => {
    const t = await createPartner();
    const w = await seedWorld(t);
    const [rule] = await addRules(t, w.org.id, [SENSIBLE[0]]);
    const stranger = await createPartner();
    await seedWorld(stranger);
    for (const [method, path, body] of [
      ["GET", rulesPath(w.org.id), undefined],
      ["POST", rulesPath(w.org.id), SENSIBLE[1]],
      ["PATCH", `${rulesPath(w.org.id)}/${rule.id}`, { enabled: false }],
      ["DELETE", `${rulesPath(w.org.id)}/${rule.id}`, undefined],
    ] as const) {
      const res = await call(path, { method, token: stranger.token, ...(body ? { body } : {}) });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    // The same partner's other organization does not hold this rule.
    const other = await expectOk(await call("/v1/organizations", { token: t.token, body: { ...SEED.organization, name: "Autre organisation" } }), 201);
    expect((await call(`${rulesPath(other.id)}/${rule.id}`, { method: "PATCH", token: t.token, body: { enabled: false } })).status).toBe(404);
    expect((await expectOk(await call(rulesPath(other.id), { token: t.token }))).data).toEqual([]);
    expect((await expectOk(await call(rulesPath(w.org.id), { token: t.token }))).data[0]).toMatchObject({ id: rule.id, enabled: true });
  });
});

describe("the dunning job over a simulated month (POST /v1/sandbox/sweeps)", () => {
  it("sends each step once on its day, only the latest due step, then dunning_finished once", async () => {
    const t = await createPartner();
    const w = await seedWorld(t);
    await addRules(t, w.org.id);
    const due = "2030-03-10";
    const { invoice, link } = await unpaidInvoice(t, w, due);

    expect(await sweep(t, addDays(due, -4))).toMatchObject({ dunning_reminders_sent: 0, dunning_finished: 0 });
    expect(await remindersOf(invoice.id)).toEqual([]);

    expect(await sweep(t, addDays(due, -3))).toMatchObject({ dunning_reminders_sent: 1 });
    const [first] = await remindersOf(invoice.id);
    expect(first).toMatchObject({ template: "reminder_before_due", channel: "email", to_masked: "j•••@example.com" });
    // Same day again: nothing new.
    expect(await sweep(t, addDays(due, -3))).toMatchObject({ dunning_reminders_sent: 0 });
    expect(await sweep(t, due)).toMatchObject({ dunning_reminders_sent: 0 });

    expect(await sweep(t, addDays(due, 1))).toMatchObject({ dunning_reminders_sent: 1, invoices_marked_overdue: 1 });
    expect(await sweep(t, addDays(due, 6))).toMatchObject({ dunning_reminders_sent: 0 });
    expect(await sweep(t, addDays(due, 7))).toMatchObject({ dunning_reminders_sent: 1, dunning_finished: 0 });
    expect(await sweep(t, addDays(due, 15))).toMatchObject({ dunning_reminders_sent: 1, dunning_finished: 1 });
    expect(await sweep(t, addDays(due, 40))).toMatchObject({ dunning_reminders_sent: 0, dunning_finished: 0 });

    const reminders = await remindersOf(invoice.id);
    expect(reminders.map((m) => m.template)).toEqual(["reminder_before_due", "reminder_due", "reminder_overdue", "final_notice"]);
    const sent = await eventsOf(invoice.id, "invoice.reminder_sent");
    expect(sent.map((e) => [e.template, e.offset_days, e.message_id])).toEqual(reminders.map((m, i) => [m.template, SENSIBLE[i]!.offset_days, m.id]));
    expect(sent[0].invoice).toMatchObject({ id: invoice.id, invoice_number: invoice.invoice_number, payer: null }); // payer sealed apart
    const finished = await eventsOf(invoice.id, "invoice.dunning_finished");
    expect(finished).toHaveLength(1);
    expect(finished[0]).toMatchObject({ invoice_id: invoice.id, amount_due: invoice.amount_due, invoice: { status: "overdue" } });

    // The messages point the payer to the link's payment page.
    for (const m of reminders) {
      const content = await contentOf(m.id);
      expect(content.text).toContain(link!.payment_page_url);
      expect(content.text).toContain(invoice.invoice_number);
    }

    const audit = (await expectOk(await call(`/v1/audit_logs?resource_id=${invoice.id}`, { token: t.token, headers: { "x-entity-id": w.org.id } }))).data.map((e: { action: string }) => e.action);
    expect(audit.filter((a: string) => a === "dunning_reminder_sent")).toHaveLength(4);
    expect(audit.filter((a: string) => a === "dunning_finished")).toHaveLength(1);
  });

  it("meeting an invoice late sends only its latest due step, with a payment link made if none is active", async () => {
    const t = await createPartner();
    const w = await seedWorld(t);
    await addRules(t, w.org.id);
    const due = "2030-03-10";
    const { invoice } = await unpaidInvoice(t, w, due, { link: false });
    expect(await sweep(t, addDays(due, 8))).toMatchObject({ dunning_reminders_sent: 1 });
    const reminders = await remindersOf(invoice.id);
    expect(reminders.map((m) => m.template)).toEqual(["reminder_overdue"]);
    const links = await expectOk(await call(`/v1/payment_links?invoice_id=${invoice.id}`, { token: t.token, headers: { "x-entity-id": w.org.id } }));
    expect(links.data).toHaveLength(1);
    expect(links.data[0]).toMatchObject({ status: "active", payment_methods: ["sepa_credit", "card"] });
    expect((await contentOf(reminders[0]!.id)).text).toContain(links.data[0].payment_page_url);
  });

  it("sends nothing for a paid invoice, a paused one, a draft or a cancelled one; resuming sends the step due", async () => {
    const t = await createPartner();
    const w = await seedWorld(t);
    await addRules(t, w.org.id);
    const headers = { "x-entity-id": w.org.id };
    const due = "2030-03-10";
    const paid = await unpaidInvoice(t, w, due);
    const paused = await unpaidInvoice(t, w, due);
    const open = await unpaidInvoice(t, w, due);

    expect(await sweep(t, addDays(due, -3))).toMatchObject({ dunning_reminders_sent: 3 });

    await expectOk(await call(`/v1/sandbox/payment_intents/${paid.link.payment_intent_id}/simulate`, { token: t.token, body: { outcome: "succeeded" } }));
    expect((await expectOk(await call(`/v1/invoices/${paid.invoice.id}`, { token: t.token, headers }))).status).toBe("paid");

    const pausedNow = await expectOk(await call(`/v1/invoices/${paused.invoice.id}/dunning`, { token: t.token, headers, body: { paused: true } }));
    expect(pausedNow).toMatchObject({ id: paused.invoice.id, dunning_paused: true });
    expect((await expectOk(await call(`/v1/invoices/${paused.invoice.id}`, { token: t.token, headers }))).dunning_paused).toBe(true);
    // Pausing again changes nothing (one audit entry).
    await expectOk(await call(`/v1/invoices/${paused.invoice.id}/dunning`, { token: t.token, headers, body: { paused: true } }));

    expect(await sweep(t, addDays(due, 1))).toMatchObject({ dunning_reminders_sent: 1 });
    expect(await sweep(t, addDays(due, 15))).toMatchObject({ dunning_reminders_sent: 1, dunning_finished: 1 });
    expect((await remindersOf(open.invoice.id)).map((m) => m.template)).toEqual(["reminder_before_due", "reminder_due", "final_notice"]);
    expect((await remindersOf(paid.invoice.id)).map((m) => m.template)).toEqual(["reminder_before_due"]);
    expect((await remindersOf(paused.invoice.id)).map((m) => m.template)).toEqual(["reminder_before_due"]);
    expect(await eventsOf(paid.invoice.id, "invoice.dunning_finished")).toEqual([]);
    expect(await eventsOf(paused.invoice.id, "invoice.dunning_finished")).toEqual([]);
    // The draft seedWorld made (due 2024) is never reminded.
    expect(await remindersOf(w.invoice.id)).toEqual([]);

    const resumed = await expectOk(await call(`/v1/invoices/${paused.invoice.id}/dunning`, { token: t.token, headers, body: { paused: false } }));
    expect(resumed.dunning_paused).toBe(false);
    expect(await sweep(t, addDays(due, 16))).toMatchObject({ dunning_reminders_sent: 1, dunning_finished: 1 });
    expect((await remindersOf(paused.invoice.id)).map((m) => m.template)).toEqual(["reminder_before_due", "final_notice"]);

    const audit = (await expectOk(await call(`/v1/audit_logs?resource_id=${paused.invoice.id}`, { token: t.token, headers }))).data.map((e: { action: string }) => e.action);
    expect(audit.filter((a: string) => a === "dunning_paused")).toHaveLength(1);
    expect(audit.filter((a: string) => a === "dunning_resumed")).toHaveLength(1);
  });

  it("validates the pause body and refuses a foreign invoice", async () => {
    const t = await createPartner();
    const w = await seedWorld(t);
    const headers = { "x-entity-id": w.org.id };
    for (const body of [{}, { paused: "yes" }, { paused: true, extra: 1 }]) {
      const res = await call(`/v1/invoices/${w.invoice.id}/dunning`, { token: t.token, headers, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect((await call(`/v1/invoices/${w.invoice.id}/dunning`, { token: t.token, headers, body: {} })).body.error.param).toBe("paused");
    const stranger = await createPartner();
    const sw = await seedWorld(stranger);
    const res = await call(`/v1/invoices/${w.invoice.id}/dunning`, { token: stranger.token, headers: { "x-entity-id": sw.org.id }, body: { paused: true } });
    expect(res.status).toBe(404);
    expect((await env.DB.prepare("SELECT dunning_paused FROM invoices WHERE id = ?").bind(w.invoice.id).first<{ dunning_paused: number }>())!.dunning_paused).toBe(0);
  });

  it("an SMS rule for a payer without a phone is recorded as skipped once, and does not hold up the last step", async () => {
    const t = await createPartner();
    const w = await seedWorld(t);
    await addRules(t, w.org.id, [{ offset_days: 1, channel: "sms", template: "reminder_due" }, SENSIBLE[3]]);
    const due = "2030-03-10";
    const { invoice } = await unpaidInvoice(t, w, due);
    expect(await sweep(t, addDays(due, 1))).toMatchObject({ dunning_reminders_sent: 0 });
    expect(await sweep(t, addDays(due, 2))).toMatchObject({ dunning_reminders_sent: 0 });
    const audit = (await expectOk(await call(`/v1/audit_logs?resource_id=${invoice.id}`, { token: t.token, headers: { "x-entity-id": w.org.id } }))).data;
    const skips = audit.filter((e: { action: string }) => e.action === "dunning_reminder_skipped");
    expect(skips).toHaveLength(1);
    expect(skips[0].changes.after).toMatchObject({ reason: "no_recipient", channel: "sms" });
    expect(await sweep(t, addDays(due, 15))).toMatchObject({ dunning_reminders_sent: 1, dunning_finished: 1 });
  });

  it("a disabled or deleted rule sends nothing; the last enabled rule is what finishes dunning", async () => {
    const t = await createPartner();
    const w = await seedWorld(t);
    const [before, , overdue, last] = await addRules(t, w.org.id);
    await expectOk(await call(`${rulesPath(w.org.id)}/${before.id}`, { method: "PATCH", token: t.token, body: { enabled: false } }));
    await expectOk(await call(`${rulesPath(w.org.id)}/${last.id}`, { method: "DELETE", token: t.token }));
    const due = "2030-03-10";
    const { invoice } = await unpaidInvoice(t, w, due);
    expect(await sweep(t, addDays(due, -3))).toMatchObject({ dunning_reminders_sent: 0 });
    expect(await sweep(t, addDays(due, 7))).toMatchObject({ dunning_reminders_sent: 1, dunning_finished: 1 });
    expect(await sweep(t, addDays(due, 15))).toMatchObject({ dunning_reminders_sent: 0, dunning_finished: 0 });
    const reminders = await remindersOf(invoice.id);
    expect(reminders.map((m) => m.template)).toEqual(["reminder_overdue"]);
    expect((await eventsOf(invoice.id, "invoice.reminder_sent"))[0].rule_id).toBe(overdue.id);
  });

  it("touches only the caller's test data", async () => {
    const a = await createPartner();
    const b = await createPartner();
    const wa = await seedWorld(a);
    const wb = await seedWorld(b);
    await addRules(a, wa.org.id);
    await addRules(b, wb.org.id);
    const due = "2030-03-10";
    const ia = await unpaidInvoice(a, wa, due);
    const ib = await unpaidInvoice(b, wb, due);
    expect(await sweep(a, addDays(due, 1))).toMatchObject({ dunning_reminders_sent: 1 });
    expect(await remindersOf(ia.invoice.id)).toHaveLength(1);
    expect(await remindersOf(ib.invoice.id)).toEqual([]);
  });
});

describe("the hourly cron", () => {
  it("sends reminders only between 08:00 and 20:00 in Paris", async () => {
    const t = await createPartner();
    const w = await seedWorld(t);
    await addRules(t, w.org.id, [SENSIBLE[0]]);
    const today = parisToday(new Date());
    const { invoice } = await unpaidInvoice(t, w, addDays(today, 3));
    const at = (hour: number) => new Date(parisStartOfDay(today).getTime() + hour * 3_600_000);

    await runScheduled(SCHEDULES.hourly, at(7));
    expect(await remindersOf(invoice.id)).toEqual([]);
    await runScheduled(SCHEDULES.hourly, at(20));
    expect(await remindersOf(invoice.id)).toEqual([]);

    await runScheduled(SCHEDULES.hourly, at(9));
    expect((await remindersOf(invoice.id)).map((m) => m.template)).toEqual(["reminder_before_due"]);
    await runScheduled(SCHEDULES.hourly, at(10));
    expect(await remindersOf(invoice.id)).toHaveLength(1);
    expect(await eventsOf(invoice.id, "invoice.reminder_sent")).toHaveLength(1);
  });
});
