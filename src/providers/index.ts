import type { PaymentMethod } from "../domain/payment-intent";
import { sandboxBank } from "./sandbox-bank";
import { sandboxCard } from "./sandbox-card";
import type { PaymentProvider, RefundInput, RefundSettlement } from "./types";

/**
 * The provider for a method and mode. Test mode uses the sandbox providers. Live mode needs a
 * live provider registered here (Aiia payment initiation for sepa_credit, an acquirer for card):
 * until one is, live payment attempts are refused with `provider_unavailable`.
 */
export function providerFor(method: PaymentMethod, livemode: boolean): PaymentProvider | null {
  if (livemode) return null;
  return method === "sepa_credit" ? sandboxBank : sandboxCard;
}

/**
 * What becomes of a new refund of an intent: its money goes back through the provider of the
 * payment's method and mode. With none (live mode until a live provider is registered) the
 * refund is held pending, `provider_unavailable`: it is never reported succeeded when no money moved.
 */
export function refundSettlement(intent: { livemode: boolean; method: PaymentMethod }, refund: RefundInput): RefundSettlement {
  const provider = providerFor(intent.method, intent.livemode);
  return provider ? provider.refund(refund) : { kind: "held", pendingReason: "provider_unavailable" };
}

export { sandboxBank, sandboxCard };
