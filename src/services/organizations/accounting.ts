import { z } from "@hono/zod-openapi";
import type { organizations } from "../../db/schema";

/** A general-ledger account number as accounting software imports it: digits only. */
const AccountNumber = z
  .string()
  .regex(/^\d{3,20}$/, "An account number is 3 to 20 digits.")
  .openapi({ example: "706000" });

/** A VAT rate as the invoices carry it ("20", "5.5", "10", "2.1", "0"): the key of the per-rate maps. */
const VatRateKey = z.string().regex(/^(?:0|[1-9]\d?)(?:\.\d?[1-9])?$/, "A VAT rate key is a percentage such as 20, 10, 5.5 or 2.1.");

export const AccountingSettings = z
  .strictObject({
    customer_account: AccountNumber.optional().openapi({ description: "Customers (collective account). Default 411000.", example: "411000" }),
    revenue_accounts_by_vat_rate: z
      .record(VatRateKey, AccountNumber)
      .optional()
      .openapi({ description: "Revenue account per VAT rate (keys as the invoices carry the rate: \"20\", \"5.5\"). Default 706000 for every rate.", example: { "20": "706100", "5.5": "706200" } }),
    vat_accounts_by_rate: z
      .record(VatRateKey, AccountNumber)
      .optional()
      .openapi({ description: "VAT collected account per rate. Default 445710 for every rate.", example: { "20": "445712", "10": "445711" } }),
    bank_account: AccountNumber.optional().openapi({ description: "The bank account payments are booked to. Default 512000.", example: "512000" }),
  })
  .openapi("AccountingSettings", {
    description: "The accounts of the FEC export (GET /v1/exports/fec); any account left out keeps the plan comptable général's default.",
  });

export type Accounting = NonNullable<(typeof organizations.$inferSelect)["accounting"]>;

/** The plan comptable général's accounts, used where the organization set none. */
export const DEFAULT_ACCOUNTS = { customer: "411000", revenue: "706000", vat: "445710", bank: "512000" } as const;

/** The accounts an export books to, each with its label, the organization's settings over the defaults. */
export function resolveAccounts(settings: Accounting | null) {
  const rateKey = (rate: number) => String(rate);
  return {
    customer: settings?.customer_account ?? DEFAULT_ACCOUNTS.customer,
    bank: settings?.bank_account ?? DEFAULT_ACCOUNTS.bank,
    revenue: (rate: number) => settings?.revenue_accounts_by_vat_rate?.[rateKey(rate)] ?? DEFAULT_ACCOUNTS.revenue,
    vat: (rate: number) => settings?.vat_accounts_by_rate?.[rateKey(rate)] ?? DEFAULT_ACCOUNTS.vat,
  };
}
