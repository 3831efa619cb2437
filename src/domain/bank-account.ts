/** A department's bank account: `active` until removed; `deleted` is a soft delete that keeps it in history. */
export const BANK_ACCOUNT_STATUSES = ["active", "deleted"] as const;
export type BankAccountStatus = (typeof BANK_ACCOUNT_STATUSES)[number];
