import { z } from "@hono/zod-openapi";
import { Timestamp, WarningSchema } from "../../lib/openapi";
import { Text } from "../../lib/text";

export const KycSubmit = z
  .strictObject({
    legal_name: Text({ min: 1, max: 200 }).optional().openapi({ description: "Payee's legal name (default: the organization's name).", example: "Mairie de Lyon" }),
    siret: z.string().trim().max(20).optional().openapi({ description: "Payee's SIRET (default: the organization's).", example: "21690123400019" }),
    account_holder_name: Text({ min: 1, max: 140 })
      .optional()
      .openapi({ description: "Holder of the account the money goes to (default: the account's name).", example: "Régie de l'Eau de Lyon" }),
    bank_account_id: z.string().optional().openapi({ description: "The account verified (default: the department's default account).", example: "ba-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
    iban: z.string().trim().max(50).optional().openapi({ description: "Alternative to `bank_account_id`: picks the department's account with this IBAN (seed 001's example body)." }),
    account_name: Text({ min: 1, max: 140 }).optional().openapi({ description: "Alias of `account_holder_name` (seed 001's example body)." }),
    bic: z.string().trim().max(11).optional().openapi({ description: "Accepted for compatibility with seed 001's example body; the account's own BIC is used." }),
    bank_name: Text({ max: 140 }).optional().openapi({ description: "Accepted for compatibility with seed 001's example body." }),
    is_default: z.boolean().optional().openapi({ description: "Accepted for compatibility with seed 001's example body." }),
  })
  .openapi("KycSubmit", {
    example: {
      iban: "FR7612345678901234567890123",
      bic: "BNPAFRPPXXX",
      account_name: "Compte Régie Eau",
      bank_name: "BNP Paribas",
      is_default: true,
    },
  });

const KycFields = {
  id: z.string().openapi({ example: "kyc-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
  object: z.literal("kyc_verification"),
  livemode: z.boolean(),
  organization_id: z.string(),
  department_id: z.string(),
  status: z.enum(["pending", "verified", "rejected"]).openapi({
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
