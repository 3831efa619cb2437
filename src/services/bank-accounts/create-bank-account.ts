import { and, eq } from "drizzle-orm";
import { isUniqueViolation } from "../../db/guarded";
import { bankAccounts, departments } from "../../db/schema";
import { maskIban } from "../../domain/identifiers";
import { assessBic, assessIban } from "../../domain/identity";
import { seal } from "../../lib/crypto";
import { Conflict, NotFound } from "../../lib/errors";
import { isId, newId } from "../../lib/ids";
import { auditEntry, type ServiceContext } from "../context";
import { departmentWhere } from "../departments/get-department";
import { ibanFingerprint } from "./fingerprint";
import { presentBankAccount, type BankAccountRow } from "./present";

export interface BankAccountInput {
  iban: string;
  bic?: string | null | undefined;
  account_name: string;
  bank_name?: string | null | undefined;
  is_default?: boolean | undefined;
}

/**
 * The IBAN is sealed with AES-GCM bound to the account id. A department's first account is its
 * default; a new default takes the flag from the previous one in the same batch, so there is
 * always exactly one (a partial unique index enforces it).
 */
export async function createBankAccount({ ctx, departmentId, input }: { ctx: ServiceContext; departmentId: string; input: BankAccountInput }) {
  const iban = assessIban(input.iban, ctx.principal.livemode);
  const bic = input.bic ? assessBic(input.bic) : null;
  if (!isId("department", departmentId)) throw new NotFound("department", departmentId, "id");

  const [department] = await ctx.db
    .select({
      organization_id: departments.organization_id,
      active: ctx.db.$count(bankAccounts, and(eq(bankAccounts.department_id, departments.id), eq(bankAccounts.status, "active"))),
    })
    .from(departments)
    .where(departmentWhere(ctx, departmentId));
  if (!department) throw new NotFound("department", departmentId, "id");

  const id = newId("bank_account");
  const [sealed, fingerprint] = await Promise.all([
    seal(ctx.env.ENCRYPTION_KEY, iban, `bank_account:${id}`),
    ibanFingerprint(ctx.env.ENCRYPTION_KEY, iban),
  ]);
  const row: BankAccountRow = {
    id,
    partner_id: ctx.principal.partnerId,
    livemode: ctx.principal.livemode,
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
  const presented = presentBankAccount(row);
  const audit = auditEntry(ctx, {
    organizationId: row.organization_id,
    resourceType: "bank_account",
    resourceId: id,
    action: "created",
    before: null,
    after: presented,
  });
  const insert = ctx.db.insert(bankAccounts).values(row);
  try {
    if (row.is_default) {
      const unsetPrevious = ctx.db
        .update(bankAccounts)
        .set({ is_default: false, updated_at: ctx.now })
        .where(and(eq(bankAccounts.department_id, departmentId), eq(bankAccounts.status, "active"), eq(bankAccounts.is_default, true)));
      await ctx.db.batch([unsetPrevious, insert, audit]);
    } else {
      await ctx.db.batch([insert, audit]);
    }
  } catch (err) {
    if (isUniqueViolation(err, "bank_accounts")) {
      throw new Conflict("This IBAN is already registered for this department.", "bank_account_exists", "iban");
    }
    throw err;
  }
  return presented;
}

