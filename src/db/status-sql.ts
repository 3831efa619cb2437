import { sql, type SQL, type SQLWrapper } from "drizzle-orm";
import { INVOICE_STATUSES, invoiceStatusAfterMoney, type InvoiceBalance } from "../domain/invoice-status";

/**
 * SQL written from the domain's status lists and maps, never by hand, so a status rule stays in
 * src/domain/. Statuses are inlined as literals rather than bound: they are constants, and a D1
 * statement has at most 100 bound parameters.
 */
function literal(status: string): SQL {
  if (!/^[a-z_]+$/.test(status)) throw new Error(`Not a status: ${status}`);
  return sql.raw(`'${status}'`);
}

/** `column IN ('a', 'b', …)` over a domain list. */
export function statusIn(column: SQLWrapper, statuses: readonly string[]): SQL {
  return sql`${column} IN (${sql.join(statuses.map(literal), sql`, `)})`;
}

/** `invoiceStatusAfterMoney(status, balance)` for one balance, as a lookup on the status. */
function afterMoney(status: SQLWrapper, balance: InvoiceBalance): SQL {
  const moves = INVOICE_STATUSES.flatMap((from) => {
    const to = invoiceStatusAfterMoney(from, balance);
    return to === from ? [] : [sql`WHEN ${literal(from)} THEN ${literal(to)}`];
  });
  return moves.length === 0 ? sql`${status}` : sql`(CASE ${status} ${sql.join(moves, sql` `)} ELSE ${status} END)`;
}

/**
 * The invoice's status once money moved (domain/invoice-status.ts `invoiceStatusAfterMoney`):
 * the ledger's balance is classified here as `invoiceBalance` does, and each balance looks the
 * status up in a table generated from the domain function. `paid` is the ledger sum (an SQL
 * expression), `today` the Paris date; a NULL due date is never past.
 */
export function invoiceStatusAfterMoneySql(x: { status: SQLWrapper; paid: SQL; total: SQLWrapper; dueDate: SQLWrapper; today: string }): SQL {
  return sql`(CASE WHEN ${x.paid} >= ${x.total} THEN ${afterMoney(x.status, "paid_in_full")}
    WHEN ${x.paid} > 0 THEN ${afterMoney(x.status, "part_paid")}
    WHEN ${x.dueDate} < ${x.today} THEN ${afterMoney(x.status, "unpaid_past_due")}
    ELSE ${afterMoney(x.status, "unpaid")} END)`;
}
