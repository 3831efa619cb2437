import type { SQL } from "drizzle-orm";
import { newId } from "../../lib/ids";
import { auditEntry, eventEntry, type ServiceContext } from "../context";
import type { presentBankAccount } from "./present";

/**
 * A change of the department's default account is a change of where live money goes: the
 * partner sees it as a `bank_account.default_changed` event and a `default_changed` audit entry
 * on the new default (or on the account removed, when none is left). Statements for the change's
 * own batch; with a guard, written exactly when the guarded change is.
 */
export function defaultChangeEntries(
  ctx: ServiceContext,
  change: {
    organizationId: string;
    departmentId: string;
    previousId: string;
    current: ReturnType<typeof presentBankAccount> | null;
    /** When no account is left: the default account just removed, so the event still carries a versioned object. */
    removed?: ReturnType<typeof presentBankAccount>;
  },
  guard?: SQL,
) {
  const eventId = newId("event");
  const currentId = change.current?.id ?? null;
  const statements = [
    eventEntry(
      ctx,
      {
        id: eventId,
        organizationId: change.organizationId,
        type: "bank_account.default_changed",
        data: {
          department_id: change.departmentId,
          previous_bank_account_id: change.previousId,
          bank_account_id: currentId,
          bank_account: change.current,
          ...(change.current === null && change.removed ? { previous_bank_account: change.removed } : {}),
        },
      },
      guard,
    ),
    auditEntry(
      ctx,
      {
        organizationId: change.organizationId,
        resourceType: "bank_account",
        resourceId: currentId ?? change.previousId,
        action: "default_changed",
        before: { default_bank_account_id: change.previousId },
        after: { default_bank_account_id: currentId },
      },
      guard,
    ),
  ] as const;
  return { eventId, statements };
}
