import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { SCHEDULES } from "../../src/cron";
import worker from "../../src/index";
import { accessToken, call, createPartner, expectOk, issueCredential, seedInvoiceBody, seedWorld, type Tenant } from "../helpers/harness";

/** The overdue sweep: cron (every tenant, today in Paris) and the sandbox endpoint (one tenant, as_of). */

async function issuedInvoice(t: Tenant, orgId: string, deptId: string, dueDate: string) {
  const draft = await expectOk(
    await call("/v1/invoices", { token: t.token, headers: { "x-entity-id": orgId }, body: { ...seedInvoiceBody(deptId), due_date: dueDate } }),
    201,
  );
  return expectOk(await call(`/v1/invoices/${draft.id}/issue`, { method: "POST", token: t.token, headers: { "x-entity-id": orgId } }));
}

const sweep = (t: Tenant, asOf: string) => call("/v1/sandbox/sweeps", { token: t.token, body: { as_of: asOf } });

async function statusOf(id: string) {
  return (await env.DB.prepare("SELECT status FROM invoices WHERE id = ?").bind(id).first<{ status: string }>())?.status;
}

async function overdueEvents(invoiceId: string) {
  const rows = await env.DB.prepare("SELECT data FROM events WHERE type = 'invoice.status_changed' AND json_extract(data, '$.invoice_id') = ? AND json_extract(data, '$.current_status') = 'overdue'")
    .bind(invoiceId)
    .all<{ data: string }>();
  return rows.results.map((r) => JSON.parse(r.data));
}

describe("POST /v1/sandbox/sweeps", () => {
  it("marks issued invoices due before as_of overdue, once each, and leaves the rest", async () => {
    const t = await createPartner();
    const w = await seedWorld(t);
    const early = await issuedInvoice(t, w.org.id, w.dept.id, "2030-01-10");
    const onTheDay = await issuedInvoice(t, w.org.id, w.dept.id, "2030-01-20");
    const later = await issuedInvoice(t, w.org.id, w.dept.id, "2030-02-01");
    const partly = await issuedInvoice(t, w.org.id, w.dept.id, "2030-01-05");
    await env.DB.prepare("UPDATE invoices SET status = 'partially_paid', amount_paid = 100, amount_due = amount_due - 100 WHERE id = ?").bind(partly.id).run();
    const paid = await issuedInvoice(t, w.org.id, w.dept.id, "2030-01-05");
    await env.DB.prepare("UPDATE invoices SET status = 'paid', amount_paid = total_amount, amount_due = 0 WHERE id = ?").bind(paid.id).run();
    // w.invoice stays a draft although its due date (2024) has long passed.

    const res = await sweep(t, "2030-01-20");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ object: "sandbox_sweep", as_of: "2030-01-20", invoices_marked_overdue: 2, payment_links_expired: 0, holds_released: 0, quotes_expired: 0, dunning_reminders_sent: 0, dunning_finished: 0 });
    expect(await statusOf(early.id)).toBe("overdue");
    expect(await statusOf(partly.id)).toBe("overdue");
    expect(await statusOf(onTheDay.id)).toBe("issued"); // due today is not late yet
    expect(await statusOf(later.id)).toBe("issued");
    expect(await statusOf(paid.id)).toBe("paid");
    expect(await statusOf(w.invoice.id)).toBe("draft");

    const [event] = await overdueEvents(early.id);
    expect(event).toMatchObject({ previous_status: "issued", current_status: "overdue", invoice: { id: early.id, status: "overdue", invoice_number: early.invoice_number } });
    expect((await overdueEvents(partly.id))[0].previous_status).toBe("partially_paid");

    // Running again changes nothing and emits nothing more.
    expect((await sweep(t, "2030-01-20")).body.invoices_marked_overdue).toBe(0);
    expect(await overdueEvents(early.id)).toHaveLength(1);

    const audit = await expectOk(await call(`/v1/audit_logs?resource_id=${early.id}&action=status_changed`, { token: t.token, headers: { "x-entity-id": w.org.id } }));
    expect(audit.data.at(-1)).toMatchObject({ user_type: "system", user_id: "overdue-sweep", changes: { before: { status: "issued" }, after: { status: "overdue" } } });
  });

  it("touches only the caller's test data", async () => {
    const a = await createPartner();
    const b = await createPartner();
    const wa = await seedWorld(a);
    const wb = await seedWorld(b);
    const ia = await issuedInvoice(a, wa.org.id, wa.dept.id, "2030-01-10");
    const ib = await issuedInvoice(b, wb.org.id, wb.dept.id, "2030-01-10");
    expect((await sweep(a, "2031-01-01")).body.invoices_marked_overdue).toBe(1);
    expect(await statusOf(ia.id)).toBe("overdue");
    expect(await statusOf(ib.id)).toBe("issued");
  });

  it("is refused in live mode, and validates as_of", async () => {
    const t = await createPartner();
    const live = await accessToken(await issueCredential(t.partnerId, "live"));
    const refused = await call("/v1/sandbox/sweeps", { token: live, body: { as_of: "2030-01-01" } });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("test_mode_only");
    for (const as_of of ["2030-13-01", "tomorrow", 20300101]) {
      const bad = await sweep(t, as_of as string);
      expect(bad.status).toBe(400);
      expect(bad.body.error.param).toBe("as_of");
    }
  });
});

describe("hourly cron", () => {
  it("marks every tenant's late invoices overdue as of today in Paris", async () => {
    const a = await createPartner();
    const b = await createPartner();
    const wa = await seedWorld(a);
    const wb = await seedWorld(b);
    // Yesterday (UTC), not a far date: the same hourly run purges event payloads older than 90
    // days by its own clock, and would race the sweep for the overdue event it checks below.
    const day = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const nextDay = new Date(Date.parse(day) + 86_400_000).toISOString().slice(0, 10);
    const ia = await issuedInvoice(a, wa.org.id, wa.dept.id, day);
    const ib = await issuedInvoice(b, wb.org.id, wb.dept.id, day);
    const notYet = await issuedInvoice(b, wb.org.id, wb.dept.id, nextDay);

    // 23:30Z is already the next day in Paris (UTC+1, UTC+2 in summer): invoices due that day are late.
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: Date.parse(`${day}T23:30:00Z`), cron: SCHEDULES.hourly }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect(await statusOf(ia.id)).toBe("overdue");
    expect(await statusOf(ib.id)).toBe("overdue");
    expect(await statusOf(notYet.id)).toBe("issued");
    expect(await overdueEvents(ia.id)).toHaveLength(1);
  });
});
