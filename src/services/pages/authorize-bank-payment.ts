import { ValidationError } from "../../lib/errors";
import { sandboxBank, SANDBOX_PAYER_ACCOUNTS } from "../../providers/sandbox-bank";
import { sandboxReference } from "../../providers/sandbox-reference";
import { applyProviderSteps, type PayerContext, type PayerForm } from "./payer";

export type BankOutcome =
  | { kind: "applied" }
  /** Strong authentication failed: the consent screen again, the account kept, nothing moved. */
  | { kind: "sca_failed"; account: string; reference: string };

/** The payer authorizes the transfer at the sandbox bank: an offered account and the one-time code. */
export async function authorizeBankPayment({
  ctx,
  input,
}: {
  ctx: PayerContext;
  input: PayerForm & { account: string | undefined; sca: string | undefined; reference: string | undefined };
}): Promise<BankOutcome> {
  const account = input.account ?? "";
  const reference = sandboxReference(input.reference);
  if (!(SANDBOX_PAYER_ACCOUNTS as readonly string[]).includes(account)) throw new ValidationError("The sandbox bank offers no such account.", "account");
  if (!reference) throw new ValidationError("The consent reference is not the sandbox bank's.", "ref");
  const auth = sandboxBank.authorize({ debtorIban: account, scaCode: input.sca ?? "" });
  if (!auth.ok) return { kind: "sca_failed", account, reference };
  await applyProviderSteps(ctx, input, { provider: sandboxBank.id, reference, steps: auth.steps });
  return { kind: "applied" };
}
