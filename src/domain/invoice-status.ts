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
