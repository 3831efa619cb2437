import { z } from "@hono/zod-openapi";
import { KYC_STATUSES } from "../../domain/kyc";
import { Timestamp, WarningSchema } from "../../lib/fields";

const KycFields = {
  id: z.string().openapi({ example: "kyc-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
  object: z.literal("kyc_verification"),
  livemode: z.boolean(),
  version: z.number().int().openapi({ description: "Starts at 1 and increases with every change of the object: a webhook payload's `object_version` (keep the highest seen per object)." }),
  organization_id: z.string(),
  department_id: z.string(),
  status: z.enum(KYC_STATUSES).openapi({
    description: "Test mode decides at once (sandbox verifier); live mode stays pending until the KYC provider answers.",
  }),
  legal_name: z.string(),
  siret: z.string(),
  account_holder_name: z.string(),
  bank_account_id: z.string(),
  rejection_reason: z.string().nullable().openapi({ example: null }),
  warnings: z.array(WarningSchema),
  submitted_at: Timestamp,
  decided_at: Timestamp.nullable(),
  created_at: Timestamp,
  updated_at: Timestamp,
};

export const KycSchema = z.object(KycFields).openapi("KycVerification");
export const KycWithHistorySchema = z
  .object({ ...KycFields, history: z.array(KycSchema).openapi({ description: "Earlier submissions, newest first." }) })
  .openapi("KycVerificationWithHistory");
