import { describe, expect, it } from "vitest";
import { parisToday } from "../../src/domain/dates";
import { parisMonth } from "../../src/domain/report-periods";
import { accessToken, call, createPartner, expectOk, issueCredential } from "../helpers/harness";
import { collected, listAll, pendingPayment, offlinePayment, payment, refund, reportWorld, requestPayment, sum } from "./traffic";

/**
 * GET /v1/payments/stats/summary on a generated month (March 2026, whose last Sunday moves Paris
 * to summer time): its figures are those of GET /v1/payments over the same window, bucket by bucket.
 */

async function buildMonth() {
  const w = await reportWorld();
  const { a, a2, dept, dept2, org2Dept } = w;
  // Paris 1 March 00:30 (UTC+1): March in Paris, February in UTC.
  const p6 = await payment(a, dept.id, { amount: 12345, method: "sepa_credit", at: "2026-02-28T23:30:00.000Z" });
  const p1 = await payment(a, dept.id, { amount: 42200, method: "sepa_credit", at: "2026-03-02T09:00:00.000Z" });
  // Sunday 8 March, 23:30 in Paris: the week of Monday 2 March.
  const p2 = await payment(a, dept.id, { amount: 10000, method: "card", at: "2026-03-08T22:30:00.000Z" });
  // Monday 9 March, 00:30 in Paris: the next week.
  const p3 = await payment(a, dept2.id, { amount: 20000, method: "sepa_credit", at: "2026-03-08T23:30:00.000Z" });
  // 31 March, 23:30 in Paris (UTC+2 since the 29th): still March.
  const p4 = await payment(a, dept2.id, { amount: 30000, method: "card", at: "2026-03-31T21:30:00.000Z" });
  // 23:30 UTC on the last day of March is 1 April, 01:30 in Paris: April.
  const p5 = await payment(a, dept.id, { amount: 15000, method: "sepa_credit", at: "2026-03-31T23:30:00.000Z" });
  // A card hold authorized, not captured: pending.
  const p7 = await pendingPayment(a, dept.id, { amount: 5000, at: "2026-03-20T10:00:00.000Z" });
  // The payer chose a transfer and it was rejected: counts against the conversion, collects nothing.
  await payment(a, dept.id, { amount: 8000, method: "sepa_credit", at: "2026-03-12T10:00:00.000Z", outcome: "insufficient_funds" });
  const r1 = await refund(a, p1, 1000, "2026-03-15T10:00:00.000Z");
  const r2 = await refund(a, p4, 2000, "2026-04-01T08:00:00.000Z");
  // Cash at the counter of the second department on 5 March; a cheque recorded by mistake and voided.
  const o1 = await offlinePayment(a, dept2.id, { amount: 5555, method: "cash", at: "2026-03-05T10:00:00.000Z" });
  await offlinePayment(a, dept.id, { amount: 2222, method: "cheque", at: "2026-03-06T10:00:00.000Z", voided: true });
  // A payment request in dollars: in no department, and only in a USD report.
  await requestPayment(a, { amount: 12000, currency: "USD", at: "2026-03-20T12:00:00.000Z" });
  // The partner's other organization.
  const q1 = await payment(a2, org2Dept.id, { amount: 7777, method: "sepa_credit", at: "2026-03-10T10:00:00.000Z" });
  // Another partner, same days: never counted.
  const s = await reportWorld();
  const s1 = await payment(s.a, s.dept.id, { amount: 33333, method: "sepa_credit", at: "2026-03-10T10:00:00.000Z" });
  await refund(s.a, s1, 3000, "2026-03-15T10:00:00.000Z");
  return { ...w, p1, p2, p3, p4, p5, p6, p7, o1, q1, r1, r2, stranger: s };
}

let month: ReturnType<typeof buildMonth> | undefined;
/** Built once: these tests only read it. */
const world = () => (month ??= buildMonth());

function stats(token: string, query: string, orgId?: string) {
  return call(`/v1/payments/stats/summary?${query}`, { token, headers: orgId ? { "x-entity-id": orgId } : {} });
}

describe("GET /v1/payments/stats/summary", () => {
  it("a Paris month: totals, methods, pending, conversion and every day's bucket equal GET /v1/payments over the same window", { timeout: 120_000 }, async () => {
    const w = await world();
    const s = await expectOk(await stats(w.t.token, "period=month&date=2026-03-15", w.org.id));
    expect(s).toMatchObject({ object: "payment_stats", period: "month", from: "2026-03-01", to: "2026-03-31", currency: "EUR" });

    // The figures expected from the traffic, by hand…
    // The voided cheque is not money received.
    expect(s.total_collected).toBe(12345 + 42200 + 10000 + 20000 + 30000 + 5555);
    expect(s.payments_count).toBe(6);
    expect(s.total_refunded).toBe(1000);
    expect(s.net_collected).toBe(120100 - 1000);
    expect(s.total_pending).toBe(5000);
    expect(s.by_method).toEqual({ sepa_credit: 12345 + 42200 + 20000, card: 10000 + 30000, cash: 5555, cheque: 0, bank_transfer: 0, other: 0 });
    // Intents created in March where the payer chose a method: p1, p2, p3, p4 succeeded; p7's hold is
    // not captured yet and one transfer was rejected: 4 of 6.
    expect(s.conversion_rate).toBe(66.7);

    // …and by the list: the month's window as the summary states it.
    const listed = (await listAll(w.a, `from_date=${s.from}&to_date=${s.to}`)).filter((p) => p.currency === "EUR");
    const received = listed.filter(collected);
    expect(sum(received)).toBe(s.total_collected);
    expect(received.length).toBe(s.payments_count);
    for (const method of Object.keys(s.by_method)) expect(sum(received.filter((p) => p.method === method)), method).toBe(s.by_method[method]);
    expect(sum(listed.filter((p) => p.status === "pending"))).toBe(s.total_pending);

    // Every day of March, one bucket: what the list gives for that Paris day.
    expect(s.series).toHaveLength(31);
    for (const [i, bucket] of s.series.entries()) {
      const day = `2026-03-${String(i + 1).padStart(2, "0")}`;
      expect(bucket.start.slice(0, 10)).toBe(day);
      const ofDay = (await listAll(w.a, `from_date=${day}&to_date=${day}`)).filter((p) => collected(p) && p.currency === "EUR");
      expect({ day, collected: bucket.collected, count: bucket.count }).toEqual({ day, collected: sum(ofDay), count: ofDay.length });
    }
    expect(s.series[0]).toEqual({ start: "2026-03-01T00:00:00+01:00", collected: 12345, refunded: 0, count: 1 });
    expect(s.series[4]).toEqual({ start: "2026-03-05T00:00:00+01:00", collected: 5555, refunded: 0, count: 1 });
    expect(s.series[5]).toMatchObject({ collected: 0, count: 0 });
    expect(s.series[14]).toMatchObject({ refunded: 1000 });
    expect(s.series[30]).toEqual({ start: "2026-03-31T00:00:00+02:00", collected: 30000, refunded: 0, count: 1 });
    // The refund counted on the day it completed, as GET /v1/refunds/{id} says.
    expect(w.r1.completed_at).toBe("2026-03-15T10:00:00.000Z");
    expect(sum(s.series.map((b: { refunded: number }) => ({ amount: b.refunded })))).toBe(s.total_refunded);
  });

  it("one currency at a time: a request paid in dollars is only in the USD report, and in no department", async () => {
    const w = await world();
    const usd = await expectOk(await stats(w.t.token, "period=month&date=2026-03-15&currency=USD", w.org.id));
    expect(usd).toMatchObject({ currency: "USD", total_collected: 12000, payments_count: 1, total_refunded: 0, conversion_rate: 100 });
    expect(usd.by_method.card).toBe(12000);
    expect(usd.series[19]).toMatchObject({ start: "2026-03-20T00:00:00+01:00", collected: 12000, count: 1 });
    const listed = (await listAll(w.a, "from_date=2026-03-01&to_date=2026-03-31")).filter((p) => collected(p) && p.currency === "USD");
    expect(sum(listed)).toBe(12000);
    const inDepartment = await expectOk(await stats(w.t.token, `period=month&date=2026-03-15&currency=USD&department_id=${w.dept.id}`, w.org.id));
    expect(inDepartment).toMatchObject({ total_collected: 0, payments_count: 0, conversion_rate: null });
  });

  it("23:30 UTC on the last day of a month is the next month in Paris; the year's buckets are Paris months", async () => {
    const w = await world();
    const april = await expectOk(await stats(w.t.token, "period=month&date=2026-04-10", w.org.id));
    expect(april).toMatchObject({ from: "2026-04-01", to: "2026-04-30", total_collected: 15000, payments_count: 1, total_refunded: 2000 });
    expect(april.series[0]).toMatchObject({ start: "2026-04-01T00:00:00+02:00", collected: 15000, refunded: 2000 });
    const listed = (await listAll(w.a, "from_date=2026-04-01&to_date=2026-04-30")).filter(collected);
    expect(listed.map((p) => p.id)).toEqual([w.p5.paymentId]);

    const february = await expectOk(await stats(w.t.token, "period=month&date=2026-02-28", w.org.id));
    expect(february).toMatchObject({ from: "2026-02-01", to: "2026-02-28", total_collected: 0, payments_count: 0 });

    const year = await expectOk(await stats(w.t.token, "period=year&date=2026-07-14", w.org.id));
    expect(year).toMatchObject({ from: "2026-01-01", to: "2026-12-31", total_collected: 120100 + 15000, total_refunded: 3000 });
    expect(year.series.map((b: { start: string }) => b.start)).toEqual(
      Array.from({ length: 12 }, (_, i) => `2026-${String(i + 1).padStart(2, "0")}-01T00:00:00${i >= 3 && i <= 9 ? "+02:00" : "+01:00"}`),
    );
    expect(year.series.map((b: { collected: number }) => b.collected)).toEqual([0, 0, 120100, 15000, 0, 0, 0, 0, 0, 0, 0, 0]);
    for (const [i, bucket] of year.series.entries()) {
      const m = parisMonth(`2026-${String(i + 1).padStart(2, "0")}-01`);
      const ofMonth = (await listAll(w.a, `from_date=${m.from}&to_date=${m.to}`)).filter((p) => collected(p) && p.currency === "EUR");
      expect(bucket.collected, m.from).toBe(sum(ofMonth));
      expect(bucket.count, m.from).toBe(ofMonth.length);
    }
  });

  it("weeks are ISO weeks, Monday to Sunday in Paris; a day has hour buckets (23 on the day clocks go forward)", async () => {
    const w = await world();
    const sunday = await expectOk(await stats(w.t.token, "period=week&date=2026-03-08", w.org.id));
    expect(sunday).toMatchObject({ period: "week", from: "2026-03-02", to: "2026-03-08", total_collected: 42200 + 5555 + 10000, payments_count: 3 });
    expect(sunday.series.map((b: { start: string }) => b.start.slice(0, 10))).toEqual(["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05", "2026-03-06", "2026-03-07", "2026-03-08"]);
    const listed = (await listAll(w.a, "from_date=2026-03-02&to_date=2026-03-08")).filter(collected);
    expect(sum(listed)).toBe(sunday.total_collected);

    const monday = await expectOk(await stats(w.t.token, "period=week&date=2026-03-09", w.org.id));
    expect(monday).toMatchObject({ from: "2026-03-09", to: "2026-03-15", total_collected: 20000, total_refunded: 1000 });

    const day = await expectOk(await stats(w.t.token, "period=day&date=2026-03-08", w.org.id));
    expect(day).toMatchObject({ from: "2026-03-08", to: "2026-03-08", total_collected: 10000 });
    expect(day.series).toHaveLength(24);
    expect(day.series[23]).toEqual({ start: "2026-03-08T23:00:00+01:00", collected: 10000, refunded: 0, count: 1 });

    const springForward = await expectOk(await stats(w.t.token, "period=day&date=2026-03-29", w.org.id));
    expect(springForward.series).toHaveLength(23);
    expect(springForward.series.slice(1, 3).map((b: { start: string }) => b.start)).toEqual(["2026-03-29T01:00:00+01:00", "2026-03-29T03:00:00+02:00"]);
  });

  it("department_id keeps one department's payments (a refund and an intent go with their payment's invoice)", async () => {
    const w = await world();
    const two = await expectOk(await stats(w.t.token, `period=month&date=2026-03-15&department_id=${w.dept2.id}`, w.org.id));
    // The cash taken at its counter is the second department's: its invoice's department.
    expect(two).toMatchObject({ total_collected: 20000 + 30000 + 5555, payments_count: 3, total_refunded: 0, total_pending: 0, conversion_rate: 100 });
    expect(two.by_method).toMatchObject({ sepa_credit: 20000, card: 30000, cash: 5555 });
    const one = await expectOk(await stats(w.t.token, `period=month&date=2026-03-15&department_id=${w.dept.id}`, w.org.id));
    expect(one).toMatchObject({ total_collected: 12345 + 42200 + 10000, payments_count: 3, total_refunded: 1000, total_pending: 5000 });
    // p1 and p2 succeeded; p7's hold (not captured) and the rejected transfer did not (p6's intent was created in February).
    expect(one.conversion_rate).toBe(50);
    // Each payment listed belongs to the invoice of one department: the two add up to the organization.
    const all = await expectOk(await stats(w.t.token, "period=month&date=2026-03-15", w.org.id));
    expect(one.total_collected + two.total_collected).toBe(all.total_collected);
    // GET /v1/payments filtered on the same department gives the same money.
    for (const [d, figures] of [[w.dept, one], [w.dept2, two]] as const) {
      const listed = (await listAll(w.a, `from_date=2026-03-01&to_date=2026-03-31&department_id=${d.id}`)).filter((p) => p.currency === "EUR");
      expect(sum(listed.filter(collected)), d.code).toBe(figures.total_collected);
      expect(listed.filter(collected).length, d.code).toBe(figures.payments_count);
      expect(sum(listed.filter((p) => p.status === "pending")), d.code).toBe(figures.total_pending);
    }
  });

  it("without X-Entity-Id: every organization of the partner, and nothing of another partner's", async () => {
    const w = await world();
    const partner = await expectOk(await stats(w.t.token, "period=month&date=2026-03-15"));
    expect(partner).toMatchObject({ total_collected: 120100 + 7777, payments_count: 7, total_refunded: 1000, total_pending: 5000 });
    const org2 = await expectOk(await stats(w.t.token, "period=month&date=2026-03-15", w.org2.id));
    expect(org2).toMatchObject({ total_collected: 7777, payments_count: 1, total_refunded: 0, conversion_rate: 100 });
    expect(sum((await listAll(w.a2, "from_date=2026-03-01&to_date=2026-03-31")).filter(collected))).toBe(7777);
    // The other partner sees its own month only.
    const other = await expectOk(await stats(w.stranger.t.token, "period=month&date=2026-03-15"));
    expect(other).toMatchObject({ total_collected: 33333, payments_count: 1, total_refunded: 3000 });
    // The live mode of the same partner has none of it.
    const live = await accessToken(await issueCredential(w.t.partnerId, "live"));
    expect(await expectOk(await stats(live, "period=month&date=2026-03-15"))).toMatchObject({ total_collected: 0, payments_count: 0, conversion_rate: null });
  });

  it("another partner's organization or department answers 404, a department of another organization too", async () => {
    const w = await world();
    const cases: [string, string | undefined, string][] = [
      [`department_id=${w.stranger.dept.id}`, w.org.id, "department_id"],
      [`department_id=${w.stranger.dept.id}`, undefined, "department_id"],
      [`department_id=${w.org2Dept.id}`, w.org.id, "department_id"],
      ["period=month", w.stranger.org.id, "X-Entity-Id"],
    ];
    for (const [query, orgId, param] of cases) {
      const res = await stats(w.t.token, query, orgId);
      expect(res.status, query).toBe(404);
      expect(res.body.error, query).toMatchObject({ type: "not_found_error", param });
    }
    // The same department through its own organization, or partner-wide: found.
    expect((await stats(w.t.token, `department_id=${w.org2Dept.id}&date=2026-03-15`, w.org2.id)).body.total_collected).toBe(7777);
    expect((await stats(w.t.token, `department_id=${w.org2Dept.id}&date=2026-03-15`)).body.total_collected).toBe(7777);
  });

  it("answers 400 naming the parameter: unknown period, a date that is not one, a malformed department or currency", async () => {
    const t = await createPartner();
    const cases: [string, string][] = [
      ["period=quarter", "period"],
      ["period=", "period"],
      ["date=2026-02-30", "date"],
      ["date=15/03/2026", "date"],
      ["date=0999-01-01", "date"],
      ["department_id=REG-EAU-001", "department_id"],
      ["currency=eur", "currency"],
      ["periode=month", "periode"],
    ];
    for (const [query, param] of cases) {
      const res = await stats(t.token, query);
      expect(res.status, query).toBe(400);
      expect(res.body.error, query).toMatchObject({ type: "invalid_request_error", param });
    }
  });

  it("defaults to the current Paris month in euros; needs the reports:read scope; is not read as GET /v1/payments/{id}", async () => {
    const t = await createPartner();
    const s = await expectOk(await stats(t.token, ""));
    const m = parisMonth(parisToday());
    expect(s).toMatchObject({ object: "payment_stats", period: "month", from: m.from, to: m.to, currency: "EUR", total_collected: 0, conversion_rate: null });
    const narrow = await accessToken(await issueCredential(t.partnerId, "test", ["payments:read"]));
    const refused = await stats(narrow, "");
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("insufficient_scope");
    const reports = await accessToken(await issueCredential(t.partnerId, "test", ["reports:read"]));
    expect((await stats(reports, "period=year")).status).toBe(200);
  });
});
