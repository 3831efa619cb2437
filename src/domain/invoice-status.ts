/**
 * The invoice state machine (DESIGN.md §4). Money moves an issued invoice between issued,
 * partially_paid and paid (refunds move it back); the sweep marks it overdue after its due date.
 */
export const INVOICE_STATUSES = ["draft", "issued", "partially_paid", "paid", "overdue", "cancelled"] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

export const INVOICE_TRANSITIONS: Record<InvoiceStatus, readonly InvoiceStatus[]> = {
  draft: ["issued", "cancelled"],
  issued: ["partially_paid", "paid", "overdue", "cancelled"],
  partially_paid: ["paid", "overdue", "issued"],
  overdue: ["partially_paid", "paid", "cancelled"],
  paid: ["issued", "partially_paid", "overdue"],
  cancelled: [],
};

export function canTransition(from: InvoiceStatus, to: InvoiceStatus): boolean {
  return INVOICE_TRANSITIONS[from].includes(to);
}

/** States in which the due date can pass: the overdue sweep's candidates. */
export const OVERDUE_CANDIDATES = ["issued", "partially_paid"] as const satisfies readonly InvoiceStatus[];

/** An issued document (it has a number) with no money on it can be cancelled by a credit note. */
export const CANCELLABLE_BY_CREDIT_NOTE = ["issued", "overdue"] as const satisfies readonly InvoiceStatus[];

/** Issued and standing (not cancelled): what its document says holds, e.g. the deposits it deducts. */
export const STANDING_ISSUED_STATUSES = ["issued", "partially_paid", "paid", "overdue"] as const satisfies readonly InvoiceStatus[];

/** An invoice that can take a payment link: issued, and not yet paid in full nor cancelled. */
export const PAYABLE_INVOICE_STATUSES = ["issued", "partially_paid", "overdue"] as const satisfies readonly InvoiceStatus[];

/** Statuses that say money is on the invoice: once the ledger holds none, the invoice is unpaid again. */
const PAID_STATUSES: readonly InvoiceStatus[] = ["partially_paid", "paid"];

/**
 * What the ledger says of an invoice, the only input besides its status to where money moves it.
 * `unpaid_past_due`: nothing paid and its due date (Paris) is before today; no due date never is.
 */
export const INVOICE_BALANCES = ["paid_in_full", "part_paid", "unpaid_past_due", "unpaid"] as const;
export type InvoiceBalance = (typeof INVOICE_BALANCES)[number];

export function invoiceBalance(b: { paid: number; total: number; dueDate: string | null; today: string }): InvoiceBalance {
  if (b.paid >= b.total) return "paid_in_full";
  if (b.paid > 0) return "part_paid";
  return b.dueDate !== null && b.dueDate < b.today ? "unpaid_past_due" : "unpaid";
}

/**
 * The status of an invoice once a payment or a refund settled, from its ledger balance. A move
 * the transition map does not allow leaves the status as it is (a cancelled invoice stays
 * cancelled); an unpaid invoice that held no money keeps its status, so only the sweep makes an
 * issued invoice overdue. The projection runs this very function, compiled to SQL
 * (db/status-sql.ts), and a test evaluates both over every case.
 */
export function invoiceStatusAfterMoney(from: InvoiceStatus, balance: InvoiceBalance): InvoiceStatus {
  const wanted: InvoiceStatus =
    balance === "paid_in_full"
      ? "paid"
      : balance === "part_paid"
        ? "partially_paid"
        : !PAID_STATUSES.includes(from)
          ? from
          : balance === "unpaid_past_due"
            ? "overdue"
            : "issued";
  return wanted === from || canTransition(from, wanted) ? wanted : from;
}
