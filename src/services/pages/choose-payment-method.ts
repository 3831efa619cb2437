import { PAYMENT_METHODS, type PaymentMethod } from "../../domain/payment-intent";
import { ValidationError } from "../../lib/errors";
import { providerFor } from "../../providers";
import { commandIntent, type PayerContext, type PayerForm } from "./payer";

export type ChooseOutcome =
  /** The intent is pending with this method: the payer goes to the provider's screen. */
  | { kind: "started"; redirectUrl: string; reference: string }
  /** No provider takes this method in this mode (live mode until one is registered): nothing moved. */
  | { kind: "unavailable" };

function isPaymentMethod(value: string | undefined): value is PaymentMethod {
  return (PAYMENT_METHODS as readonly (string | undefined)[]).includes(value);
}

/** The payer picks one of the link's methods: the intent becomes pending, then the provider takes over. */
export async function choosePaymentMethod({ ctx, input }: { ctx: PayerContext; input: PayerForm & { method: string | undefined } }): Promise<ChooseOutcome> {
  const { page, version, method } = input;
  if (!isPaymentMethod(method) || !page.link.methods.includes(method)) throw new ValidationError("This link does not accept that payment method.", "method", "payment_method_not_allowed");
  const provider = providerFor(method, page.link.livemode);
  if (!provider) return { kind: "unavailable" };
  await commandIntent(ctx, page, "choose", (s, meta) => s.choose(page.intent.id, { method, version, ...meta }));
  const start = await provider.start({
    intentId: page.intent.id,
    token: page.link.token,
    amount: page.link.amount,
    currency: page.link.currency,
    baseUrl: ctx.env.PUBLIC_BASE_URL.replace(/\/$/, ""),
  });
  return { kind: "started", redirectUrl: start.redirectUrl, reference: start.reference };
}
