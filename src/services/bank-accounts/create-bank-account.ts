import { z } from "@hono/zod-openapi";
import { and, eq, sql } from "drizzle-orm";
import { isUniqueViolation } from "../../db/guarded";
import { bankAccounts, departments } from "../../db/schema";
import { maskIban } from "../../domain/identifiers";
import { assessBic, assessIban } from "../../domain/identity";
import { seal } from "../../lib/crypto";
import { Conflict, NotFound } from "../../lib/errors";
import { isId, newId } from "../../lib/ids";
import { Text } from "../../lib/text";
import { auditEntry, publishEvents, type ServiceContext } from "../context";
import { departmentWhere } from "../departments/get-department";
import { ibanFingerprints } from "./fingerprint";
import { defaultChangeEntries } from "./default-change";
import { presentBankAccount, type BankAccountRow } from "./present";
import { UNVERIFIED } from "./verification";
import { ANY_ORGANIZATION, owner, scoped, type OrganizationScope } from "../tenancy";

/** Seed 001's bank account body, which its KYC step sends again verbatim. */
export const SEED_BANK_ACCOUNT_BODY = {
  iban: "FR7612345678901234567890123",
  bic: "BNPAFRPPXXX",
  account_name: "Compte Régie Eau",
  bank_name: "BNP Paribas",
  is_default: true,
};

export const CreateBankAccountInput = z
  .strictObject({
    iban: z
      .string()
      .trim()
      .min(1)
      .max(50)
      .openapi({
        description:
          "IBAN (spaces allowed). Checked with mod-97 and the country's length; test mode also accepts the sandbox IBANs FR7612345678901234567890123/124/125.",
        example: "FR7612345678901234567890123",
      }),
    bic: z.string().trim().max(11).nullable().optional().openapi({ description: "BIC (8 or 11 characters), optional for SEPA.", example: "BNPAFRPPXXX" }),
    account_name: Text({ min: 1, max: 140 }).openapi({ description: "Account holder name, as the bank knows it.", example: "Compte Régie Eau" }),
    bank_name: Text({ max: 140 }).nullable().optional().openapi({ example: "BNP Paribas" }),
    is_default: z.boolean().optional().openapi({ description: "Make it the department's default account (the first account always is)." }),
  })
  .openapi("BankAccountCreate", { example: SEED_BANK_ACCOUNT_BODY });

/**
 * The IBAN is sealed with AES-GCM bound to the account id. A department's first account is its
 * default; a new default takes the flag from the previous one in the same batch, so there is
 * always exactly one (a partial unique index enforces it). A new account is unverified (no KYC
 * covers it yet), so a new default stops live payment links until a KYC verifies it; the change
 * of default is an event and an audit entry.
 */
export async function createBankAccount({ ctx, departmentId, organizationId, input }: { ctx: ServiceContext; departmentId: string; organizationId?: OrganizationScope; input: z.infer<typeof CreateBankAccountInput> }) {
  const iban = assessIban(input.iban, ctx.principal.livemode);
  const bic = input.bic ? assessBic(input.bic) : null;
  if (!isId("department", departmentId)) throw new NotFound("department", departmentId, "id");

  const id = newId("bank_account");
  const [sealed, [fingerprint, legacyFingerprint]] = await Promise.all([
    seal(ctx.env.ENCRYPTION_KEY, iban, `bank_account:${id}`),
    ibanFingerprints(ctx.env.ENCRYPTION_KEY, iban),
  ]);
  const [department] = await ctx.db
    .select({
      organization_id: departments.organization_id,
      active: ctx.db.$count(bankAccounts, and(eq(bankAccounts.department_id, departments.id), eq(bankAccounts.status, "active"))),
      previous_default: sql<string | null>`(SELECT ${bankAccounts.id} FROM ${bankAccounts} WHERE ${bankAccounts.department_id} = ${departmentId} AND ${scoped(ctx, bankAccounts, ANY_ORGANIZATION)} AND ${bankAccounts.status} = 'active' AND ${bankAccounts.is_default} = 1)`,
      // The unique index only sees current fingerprints; a copy written before carries the legacy one
      // (no new row ever does, so this read cannot race with another insert).
      legacyCopies: ctx.db.$count(
        bankAccounts,
        and(eq(bankAccounts.department_id, departments.id), eq(bankAccounts.status, "active"), eq(bankAccounts.iban_fingerprint, legacyFingerprint)),
      ),
    })
    .from(departments)
    .where(departmentWhere(ctx, departmentId, organizationId));
  if (!department) throw new NotFound("department", departmentId, "id");
  if (department.legacyCopies > 0) throw new Conflict("This IBAN is already registered for this department.", "bank_account_exists", "iban");
  const row: BankAccountRow = {
    id,
    ...owner(ctx),
    version: 1,
    organization_id: department.organization_id,
    department_id: departmentId,
    iban_encrypted: sealed,
    iban_fingerprint: fingerprint,
    iban_masked: maskIban(iban),
    iban_last4: iban.slice(-4),
    country: iban.slice(0, 2),
    bic,
    account_name: input.account_name,
    bank_name: input.bank_name ?? null,
    is_default: input.is_default === true || department.active === 0,
    status: "active",
    deleted_at: null,
    created_at: ctx.now,
    updated_at: ctx.now,
  };
  const presented = presentBankAccount({ ...row, ...UNVERIFIED });
  const audit = auditEntry(ctx, {
    organizationId: row.organization_id,
    resourceType: "bank_account",
    resourceId: id,
    action: "created",
    before: null,
    after: presented,
  });
  const insert = ctx.db.insert(bankAccounts).values(row);
  const previousDefault = row.is_default ? department.previous_default : null;
  const change = previousDefault
    ? defaultChangeEntries(ctx, { organizationId: row.organization_id, departmentId, previousId: previousDefault, current: presented })
    : null;
  try {
    if (previousDefault && change) {
      // Only the default read above loses the flag: had another request changed the default
      // meanwhile, the insert breaks the one-default index and the whole batch is refused,
      // so the event never names the wrong previous account.
      const unsetPrevious = ctx.db
        .update(bankAccounts)
        .set({ is_default: false, updated_at: ctx.now, version: sql`${bankAccounts.version} + 1` })
        .where(and(scoped(ctx, bankAccounts, department.organization_id), eq(bankAccounts.id, previousDefault), eq(bankAccounts.status, "active"), eq(bankAccounts.is_default, true)));
      await ctx.db.batch([unsetPrevious, insert, audit, ...change.statements]);
    } else {
      await ctx.db.batch([insert, audit]);
    }
  } catch (err) {
    if (isUniqueViolation(err, "iban_fingerprint")) {
      throw new Conflict("This IBAN is already registered for this department.", "bank_account_exists", "iban");
    }
    if (isUniqueViolation(err, "bank_accounts")) {
      throw new Conflict("The department's default account was changed by another request; retry.", "concurrent_update");
    }
    throw err;
  }
  if (change) publishEvents(ctx, [change.eventId]);
  return presented;
}

