import { env } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { invoiceStatusAfterMoneySql } from "../../src/db/status-sql";
import { INVOICE_STATUSES, invoiceBalance, invoiceStatusAfterMoney, type InvoiceStatus } from "../../src/domain/invoice-status";

const TODAY = "2026-03-15";

/** Every invoice status against every kind of balance: none, part, all, more than all, of a zero or non-zero total, due before, on, after today or never. */
const CASES = INVOICE_STATUSES.flatMap((status) =>
  [0, 10_000].flatMap((total) =>
    [0, 4_000, 10_000, 12_000].flatMap((paid) => [null, "2026-03-14", TODAY, "2026-03-16"].map((due) => ({ status, total, paid, due }))),
  ),
);

describe("the invoice status after money moved", () => {
  it("is the same in the projection's SQL (run in D1) as in the domain's function, for every case", async () => {
    // Literals, not bound values: a D1 statement takes at most 100 parameters.
    const values = CASES.map((c) => `('${c.status}', ${c.paid}, ${c.total}, ${c.due === null ? "NULL" : `'${c.due}'`})`).join(", ");
    const next = invoiceStatusAfterMoneySql({ status: sql`c.status`, paid: sql`c.paid`, total: sql`c.total`, dueDate: sql`c.due_date`, today: TODAY });
    const rows = await createDb(env.DB).all<{ status: InvoiceStatus; paid: number; total: number; due_date: string | null; next: string }>(
      sql`WITH c(status, paid, total, due_date) AS (VALUES ${sql.raw(values)}) SELECT status, paid, total, due_date, ${next} AS next FROM c`,
    );
    expect(rows).toHaveLength(CASES.length);
    const disagreements = rows.filter((r) => r.next !== invoiceStatusAfterMoney(r.status, invoiceBalance({ paid: r.paid, total: r.total, dueDate: r.due_date, today: TODAY })));
    expect(disagreements).toEqual([]);
  });

  it.each([
    ["issued", 10_000, 4_000, null, "partially_paid"],
    ["issued", 10_000, 10_000, null, "paid"],
    ["overdue", 10_000, 4_000, "2026-03-01", "partially_paid"],
    ["partially_paid", 10_000, 10_000, null, "paid"],
    ["paid", 10_000, 4_000, null, "partially_paid"], // a partial refund
    ["paid", 10_000, 0, "2026-03-16", "issued"], // refunded in full before the due date
    ["paid", 10_000, 0, "2026-03-14", "overdue"], // … or after it
    ["partially_paid", 10_000, 0, TODAY, "issued"], // due today is not yet overdue
    ["issued", 10_000, 0, "2026-03-14", "issued"], // only the sweep makes an issued invoice overdue
    ["cancelled", 10_000, 10_000, null, "cancelled"], // the map has no way out of cancelled
    ["draft", 10_000, 10_000, null, "draft"],
  ] as const)("%s, total %i, paid %i, due %s → %s", (from, total, paid, due, to) => {
    expect(invoiceStatusAfterMoney(from, invoiceBalance({ paid, total, dueDate: due, today: TODAY }))).toBe(to);
  });
});
