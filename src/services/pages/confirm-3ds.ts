import { ValidationError } from "../../lib/errors";
import { sandboxCard } from "../../providers/sandbox-card";
import { sandboxReference } from "../../providers/sandbox-reference";
import { applyProviderSteps, type PayerContext, type PayerForm } from "./payer";

/**
 * The payer's answer to the 3-D Secure challenge of the card ending in `last4` (the page has
 * checked that this card is the one its card form sent here). A wrong code fails the attempt.
 */
export async function confirm3ds({
  ctx,
  input,
}: {
  ctx: PayerContext;
  input: PayerForm & { last4: string; code: string | undefined; reference: string | undefined };
}): Promise<void> {
  const reference = sandboxReference(input.reference);
  if (!reference) throw new ValidationError("The card attempt reference is not the sandbox acquirer's.", "ref");
  const steps = sandboxCard.challenge({ number: input.last4, code: input.code ?? "" });
  await applyProviderSteps(ctx, input, { provider: sandboxCard.id, reference, steps });
}
