import type { PaymentMethod } from "../domain/payment-intent";
import { sandboxBank } from "./sandbox-bank";
import { sandboxCard } from "./sandbox-card";
import type { PaymentProvider } from "./types";

/**
 * The provider for a method and mode. Test mode uses the sandbox providers. Live mode needs a
 * live provider registered here (Aiia payment initiation for sepa_credit, an acquirer for card):
 * until one is, live payment attempts are refused with `provider_unavailable`.
 */
export function providerFor(method: PaymentMethod, livemode: boolean): PaymentProvider | null {
  if (livemode) return null;
  return method === "sepa_credit" ? sandboxBank : sandboxCard;
}

export { sandboxBank, sandboxCard };
