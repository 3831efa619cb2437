import { describe, expect, it } from "vitest";
import { parisStartOfDay, parisToday } from "../../src/domain/dates";
import { parisMonth } from "../../src/domain/report-periods";
import { accessToken, call, createPartner, expectOk, issueCredential } from "../helpers/harness";
import { collected, listAll, pendingPayment, offlinePayment, payment, refund, reportWorld, requestPayment, sum } from "./traffic";

/**
 * GET /v1/balance (seed 004): per organization and department, since the beginning and in the
 * current Paris month, the figures of the payments and refunds generated through the API.
 */

const month = parisMonth(parisToday());
/** An instant of the current Paris month, whatever day the test runs. */
const thisMonth = new Date(parisStartOfDay(month.from).getTime() + 60_000).toISOString();

async function buildBalance() {
  const w = await reportWorld();
  const { a, a2, dept, dept2, org2Dept } = w;
  const b1 = await payment(a, dept.id, { amount: 42200, method: "sepa_credit", at: thisMonth });
  const b2 = await payment(a, dept.id, { amount: 10000, method: "card", at: "2026-03-02T09:00:00.000Z" });
  const b3 = await pendingPayment(a, dept2.id, { amount: 20000, at: thisMonth });
  const b4 = await payment(a, dept2.id, { amount: 30000, method: "sepa_credit", at: "2025-11-10T10:00:00.000Z" });
  // A rejected transfer moves no money.
  await payment(a, dept.id, { amount: 8000, method: "sepa_credit", at: thisMonth, outcome: "insufficient_funds" });
  const r1 = await refund(a, b2, 1000, "2026-03-15T10:00:00.000Z");
  const r2 = await refund(a, b1, 500, thisMonth);
  const r3 = await refund(a, b1, 700, "pending");
  // Cash at the second department's counter; a cheque recorded by mistake, voided.
  const o1 = await offlinePayment(a, dept2.id, { amount: 3000, method: "cash", at: thisMonth });
  await offlinePayment(a, dept.id, { amount: 2222, method: "cheque", at: thisMonth, voided: true });
  // Payment requests (no invoice): in no department; one in euros, one in dollars.
  await requestPayment(a, { amount: 4500, currency: "EUR", at: thisMonth });
  await requestPayment(a, { amount: 12000, currency: "USD", at: thisMonth });
  const q1 = await payment(a2, org2Dept.id, { amount: 7777, method: "card", at: thisMonth });
  const s = await reportWorld();
  const s1 = await payment(s.a, s.dept.id, { amount: 33333, method: "sepa_credit", at: thisMonth });
  await refund(s.a, s1, 3000, thisMonth);
  return { ...w, b1, b2, b3, b4, o1, q1, r1, r2, r3, stranger: s };
}

let built: ReturnType<typeof buildBalance> | undefined;
/** Built once: these tests only read it. */
const world = () => (built ??= buildBalance());

function balance(token: string, orgId?: string, query = "") {
  return call(`/v1/balance${query}`, { token, headers: orgId ? { "x-entity-id": orgId } : {} });
}

const figures = (collected: number, refunded: number, pending: number, refunds_pending: number) => ({ collected, refunded, net: collected - refunded, pending, refunds_pending, currency: "EUR" });

describe("GET /v1/balance", () => {
  it("per organization and department, since the beginning and this month, as the payments and refunds say", { timeout: 60_000 }, async () => {
    const w = await world();
    const b = await expectOk(await balance(w.t.token, w.org.id));
    expect(b).toMatchObject({ object: "balance", livemode: false, currency: "EUR", month });
    expect(b.organizations).toHaveLength(1);
    const org = b.organizations[0];
    expect(org).toMatchObject({ organization_id: w.org.id, name: "Mairie de Lyon" });
    expect(org.all_time).toEqual(figures(42200 + 10000 + 30000 + 3000 + 4500, 1000 + 500, 20000, 700));
    expect(org.month).toEqual(figures(42200 + 3000 + 4500, 500, 20000, 700));
    expect(org.departments.map((d: { department_id: string }) => d.department_id)).toEqual([w.dept.id, w.dept2.id]);
    expect(org.departments[0]).toMatchObject({ code: "REG-EAU-001", all_time: figures(52200, 1500, 0, 700), month: figures(42200, 500, 0, 700) });
    expect(org.departments[1]).toMatchObject({ code: "REG-CANT-002", all_time: figures(30000 + 3000, 0, 20000, 0), month: figures(3000, 0, 20000, 0) });
    expect(org.without_department).toEqual({ all_time: figures(4500, 0, 0, 0), month: figures(4500, 0, 0, 0) });
    expect(b.totals).toEqual({ all_time: org.all_time, month: org.month });

    // The same figures from GET /v1/payments (each payment's department is its invoice's) and the refunds.
    const all = (await listAll(w.a, "")).filter((p) => p.currency === "EUR");
    const ofMonth = (await listAll(w.a, `from_date=${month.from}&to_date=${month.to}`)).filter((p) => p.currency === "EUR");
    for (const [i, d] of [w.dept, w.dept2].entries()) {
      const mine = (ps: typeof all) => ps.filter((p) => p.department_id === d.id);
      expect(org.departments[i].all_time.collected).toBe(sum(mine(all).filter(collected)));
      expect(org.departments[i].all_time.pending).toBe(sum(mine(all).filter((p) => p.status === "pending")));
      expect(org.departments[i].month.collected).toBe(sum(mine(ofMonth).filter(collected)));
    }
    expect(all.find((p) => p.id === w.o1.paymentId)).toMatchObject({ department_id: w.dept2.id, method: "cash" });
    expect(org.all_time.collected).toBe(sum(all.filter(collected)));
    expect(org.without_department.all_time.collected).toBe(sum(all.filter((p) => collected(p) && p.invoice_id === null)));
    expect([w.r1, w.r2].map((r) => r.status)).toEqual(["succeeded", "succeeded"]);
    expect(w.r3.status).toBe("pending");
    const r3 = await expectOk(await call(`/v1/refunds/${w.r3.id}`, { token: w.t.token, headers: { "x-entity-id": w.org.id } }));
    expect(r3).toMatchObject({ status: "pending", amount: org.all_time.refunds_pending });
  });

  it("without X-Entity-Id: every organization of the partner, none of another partner's; X-Entity-Id of another partner → 404", async () => {
    const w = await world();
    const b = await expectOk(await balance(w.t.token));
    expect(b.organizations.map((o: { organization_id: string }) => o.organization_id)).toEqual([w.org.id, w.org2.id]);
    expect(b.organizations[1]).toMatchObject({ all_time: figures(7777, 0, 0, 0), month: figures(7777, 0, 0, 0) });
    expect(b.organizations[1].departments).toEqual([{ department_id: w.org2Dept.id, name: "Régie de l'Eau", code: "REG-EAU-001", all_time: figures(7777, 0, 0, 0), month: figures(7777, 0, 0, 0) }]);
    expect(b.totals.all_time).toEqual(figures(89700 + 7777, 1500, 20000, 700));
    expect(b.totals.month).toEqual(figures(49700 + 7777, 500, 20000, 700));
    expect(JSON.stringify(b)).not.toContain(w.stranger.org.id);

    const other = await expectOk(await balance(w.stranger.t.token));
    expect(other.totals.all_time).toEqual(figures(33333, 3000, 0, 0));
    expect(other.organizations.map((o: { organization_id: string }) => o.organization_id)).toEqual([w.stranger.org.id, w.stranger.org2.id]);

    const foreign = await balance(w.t.token, w.stranger.org.id);
    expect(foreign.status).toBe(404);
    expect(foreign.body.error).toMatchObject({ type: "not_found_error", param: "X-Entity-Id" });
    const live = await accessToken(await issueCredential(w.t.partnerId, "live"));
    expect((await balance(live, w.org.id)).status).toBe(404);
    expect(await expectOk(await balance(live))).toMatchObject({ organizations: [], totals: { all_time: figures(0, 0, 0, 0) } });
  });

  it("one currency at a time (default EUR): a request paid in dollars is only in the USD statement; a malformed currency → 400; the reports:read scope is needed", async () => {
    const w = await world();
    const usd = await expectOk(await balance(w.t.token, w.org.id, "?currency=USD"));
    const dollars = { ...figures(12000, 0, 0, 0), currency: "USD" };
    expect(usd.organizations[0]).toMatchObject({ all_time: dollars, month: dollars, without_department: { all_time: dollars } });
    expect(usd.organizations[0].departments.map((d: { all_time: { collected: number } }) => d.all_time.collected)).toEqual([0, 0]);
    const bad = await balance(w.t.token, w.org.id, "?currency=euro");
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ type: "invalid_request_error", param: "currency" });
    const t = await createPartner();
    const narrow = await accessToken(await issueCredential(t.partnerId, "test", ["payments:read", "refunds:read"]));
    expect((await balance(narrow)).status).toBe(403);
  });
});
