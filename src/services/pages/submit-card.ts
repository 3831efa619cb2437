import { ValidationError } from "../../lib/errors";
import { sandboxCard } from "../../providers/sandbox-card";
import { sandboxReference } from "../../providers/sandbox-reference";
import { applyProviderSteps, type PayerContext, type PayerForm } from "./payer";

export type CardField = "number" | "expiry" | "cvc";

export type CardOutcome =
  /** Captured or declined: the page shows which. */
  | { kind: "applied" }
  /** A field the acquirer refuses before any attempt: the form again, nothing moved. */
  | { kind: "card_invalid"; field: CardField; reference: string }
  /** The card asks for 3-D Secure: only its last four digits go on to the challenge. */
  | { kind: "challenge"; reference: string; last4: string };

/** The payer's card at the sandbox acquirer: captured, declined, or challenged (3-D Secure). */
export async function submitCard({
  ctx,
  input,
}: {
  ctx: PayerContext;
  input: PayerForm & { number: string | undefined; expiry: string | undefined; cvc: string | undefined; reference: string | undefined };
}): Promise<CardOutcome> {
  const reference = sandboxReference(input.reference);
  if (!reference) throw new ValidationError("The card attempt reference is not the sandbox acquirer's.", "ref");
  const number = input.number ?? "";
  const decision = sandboxCard.submit({ number, expiry: input.expiry ?? "", cvc: input.cvc ?? "" });
  if (decision.kind === "invalid") return { kind: "card_invalid", field: decision.field, reference };
  if (decision.kind === "challenge") return { kind: "challenge", reference, last4: number.replace(/\D/g, "").slice(-4) };
  await applyProviderSteps(ctx, input, { provider: sandboxCard.id, reference, steps: decision.steps });
  return { kind: "applied" };
}
