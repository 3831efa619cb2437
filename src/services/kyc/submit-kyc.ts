import { z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import { bankAccounts, departments, kycVerifications, organizations } from "../../db/schema";
import { assessOrganizationIdentity, assessIban, type Warning } from "../../domain/identity";
import { sandboxKycDecision } from "../../domain/kyc";
import { unseal } from "../../lib/crypto";
import { BusinessRule, NotFound } from "../../lib/errors";
import { isId, newId } from "../../lib/ids";
import { Text } from "../../lib/text";
import { auditEntry, type ServiceContext } from "../context";
import { departmentWhere } from "../departments/get-department";
import { SEED_BANK_ACCOUNT_BODY } from "../bank-accounts/create-bank-account";
import { ibanFingerprints } from "../bank-accounts/fingerprint";
import { presentKyc, type KycRow } from "./present";
import { ANY_ORGANIZATION, owner, scoped, type OrganizationScope } from "../tenancy";

export const SubmitKycInput = z
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
  .openapi("KycSubmit", { example: SEED_BANK_ACCOUNT_BODY });

/**
 * Submits the department's payee identity: who collects (legal name, SIRET) and into which
 * account (holder name, bank account). Defaults come from the organization and the department's
 * default account. Test mode decides at once through the sandbox verifier; live mode stays
 * pending until a KYC provider answers (not connected yet).
 */
export async function submitKyc({ ctx, departmentId, organizationId, input }: { ctx: ServiceContext; departmentId: string; organizationId?: OrganizationScope; input: z.infer<typeof SubmitKycInput> }) {
  if (!isId("department", departmentId)) throw new NotFound("department", departmentId, "id");
  const iban = input.iban !== undefined ? assessIban(input.iban, ctx.principal.livemode) : undefined;
  // Either derivation: an account added before purpose subkeys still carries the legacy fingerprint.
  const fingerprints = iban ? await ibanFingerprints(ctx.env.ENCRYPTION_KEY, iban) : undefined;

  const [found, accounts] = await ctx.db.batch([
    ctx.db
      // Named fields only: in a D1 batch rows come back as objects, so same-named columns of a join would collide.
      .select({ organization_id: departments.organization_id, organization_name: organizations.name, organization_siret: organizations.siret })
      .from(departments)
      .innerJoin(organizations, and(eq(organizations.id, departments.organization_id), scoped(ctx, organizations)))
      .where(departmentWhere(ctx, departmentId, organizationId)),
    ctx.db
      .select()
      .from(bankAccounts)
      .where(and(eq(bankAccounts.department_id, departmentId), scoped(ctx, bankAccounts, ANY_ORGANIZATION), eq(bankAccounts.status, "active"))),
  ]);
  const subject = found[0];
  if (!subject) throw new NotFound("department", departmentId, "id");

  const account = input.bank_account_id
    ? accounts.find((a) => a.id === input.bank_account_id)
    : fingerprints
      ? accounts.find((a) => fingerprints.includes(a.iban_fingerprint))
      : accounts.find((a) => a.is_default);
  if (!account) {
    if (input.bank_account_id) throw new NotFound("bank_account", input.bank_account_id, "bank_account_id");
    if (iban) throw new BusinessRule("No bank account of this department has this IBAN: add it first with POST /v1/departments/{id}/bank_accounts.", "bank_account_not_found", "iban");
    throw new BusinessRule("The department has no bank account: add one before submitting KYC.", "bank_account_required", "bank_account_id");
  }

  const identity = assessOrganizationIdentity({ siret: input.siret ?? subject.organization_siret }, ctx.principal.livemode);
  const warnings: Warning[] = identity.warnings;
  const holder = input.account_holder_name ?? input.account_name ?? account.account_name;
  const id = newId("kyc");
  const base: KycRow = {
    id,
    ...owner(ctx),
    version: 1,
    organization_id: subject.organization_id,
    department_id: departmentId,
    status: "pending",
    legal_name: input.legal_name ?? subject.organization_name,
    siret: identity.siret,
    account_holder_name: holder,
    bank_account_id: account.id,
    rejection_reason: null,
    warnings,
    submitted_at: ctx.now,
    decided_at: null,
    created_at: ctx.now,
    updated_at: ctx.now,
  };

  const audit = [
    auditEntry(ctx, {
      organizationId: base.organization_id,
      resourceType: "kyc_verification",
      resourceId: id,
      action: "submitted",
      before: null,
      after: presentKyc(base),
    }),
  ];
  let row = base;
  if (!ctx.principal.livemode) {
    const accountIban = await unseal(ctx.env.ENCRYPTION_KEY, account.iban_encrypted, `bank_account:${account.id}`);
    const decision = sandboxKycDecision({ account_holder_name: holder, iban: accountIban });
    row = {
      ...base,
      status: decision.status,
      rejection_reason: decision.status === "rejected" ? decision.reason : null,
      decided_at: ctx.now,
    };
    audit.push(
      auditEntry(ctx, {
        organizationId: base.organization_id,
        resourceType: "kyc_verification",
        resourceId: id,
        action: "status_changed",
        before: { status: "pending" },
        after: { status: row.status, rejection_reason: row.rejection_reason },
      }),
    );
  }
  await ctx.db.batch([ctx.db.insert(kycVerifications).values(row), ...audit]);
  return presentKyc(row);
}
