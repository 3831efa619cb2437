import { z } from "@hono/zod-openapi";
import { BANK_ACCOUNT_STATUSES } from "../../domain/bank-account";
import { Timestamp } from "../../lib/fields";
import { ACCOUNT_VERIFICATION_STATUSES } from "../../domain/kyc";

export const BankAccountParams = z.object({
  id: z.string().openapi({ param: { name: "id", in: "path" }, example: "dept-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
  ba_id: z.string().openapi({ param: { name: "ba_id", in: "path" }, example: "ba-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
});

export const BankAccountSchema = z
  .object({
    id: z.string().openapi({ example: "ba-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
    object: z.literal("bank_account"),
    livemode: z.boolean(),
    version: z.number().int().openapi({ description: "Starts at 1 and increases with every change of the object: a webhook payload's `object_version` (keep the highest seen per object)." }),
    organization_id: z.string(),
    department_id: z.string(),
    iban_masked: z.string().openapi({ description: "The IBAN is stored encrypted and never returned.", example: "FR76 **** **** **** **** ***0 123" }),
    iban_last4: z.string().openapi({ example: "0123" }),
    country: z.string().openapi({ example: "FR" }),
    bic: z.string().nullable(),
    account_name: z.string(),
    bank_name: z.string().nullable(),
    is_default: z.boolean().openapi({
      description:
        "The account live payments go to. Changing it (a new default, or removing the default) emits `bank_account.default_changed` and an audit entry; live payment links then need the new default verified.",
    }),
    verification_status: z.enum(ACCOUNT_VERIFICATION_STATUSES).openapi({
      description:
        "The status of the latest KYC covering this account (`kyc_verification_id`); `unverified` when no KYC covers it (a new account always starts so). Live payment links pay only into a `verified` default account (422 `bank_account_not_verified` or `kyc_not_verified` otherwise); test mode does not check it.",
      example: "verified",
    }),
    kyc_verification_id: z.string().nullable().openapi({ description: "The latest KYC submission covering this account.", example: "kyc-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
    status: z.enum(BANK_ACCOUNT_STATUSES),
    created_at: Timestamp,
    updated_at: Timestamp,
    deleted_at: Timestamp.nullable(),
  })
  .openapi("BankAccount");
