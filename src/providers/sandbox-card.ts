import { randomToken } from "../lib/crypto";
import { pagePath } from "../lib/page-urls";
import { newSandboxReference } from "./sandbox-reference";
import { sandboxRefund } from "./sandbox-refund";
import type { PaymentProvider, ProviderStep } from "./types";

/** Documented sandbox card numbers (any future expiry, any 3-digit CVC). */
export const SANDBOX_CARDS = {
  "4242424242424242": { outcome: "succeeds" },
  "4000000000000002": { outcome: "declined", failure_code: "card_declined" },
  "4000000000009995": { outcome: "declined", failure_code: "insufficient_funds" },
  "4000000000003220": { outcome: "challenge" },
} as const;

export const SANDBOX_3DS_CODE = "123456";
/** What the payer is told when the sandbox issuer declines a card. */
export const CARD_DECLINED_MESSAGE = "Paiement refusé par la banque émettrice.";
const SETTLE_AFTER_MS = 1000;

export type CardDecision =
  | { kind: "steps"; steps: ProviderStep[] }
  | { kind: "challenge" }
  | { kind: "invalid"; field: "number" | "expiry" | "cvc"; message: string };

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function authorized(last4: string): ProviderStep[] {
  const transactionId = `card-tx-${randomToken(12)}`;
  return [
    { afterMs: 0, providerStatus: `authorized ••••${last4}`, intentStatus: "processing", transactionId },
    { afterMs: SETTLE_AFTER_MS, providerStatus: `captured ••••${last4}`, intentStatus: "succeeded" },
  ];
}

/**
 * The sandbox card acquirer. Card data is checked and forgotten: only the last four digits
 * reach the intent (provider_status); nothing card-related is stored.
 */
export const sandboxCard: PaymentProvider & {
  submit(input: { number: string; expiry: string; cvc: string; now?: Date }): CardDecision;
  challenge(input: { number: string; code: string }): ProviderStep[];
} = {
  id: "sandbox_card",
  method: "card",
  live: false,
  async start({ token }) {
    return { redirectUrl: pagePath(token, "/card"), reference: newSandboxReference("card") };
  },
  refund: sandboxRefund,
  submit({ number, expiry, cvc, now = new Date() }) {
    const digits = number.replace(/[\s-]/g, "");
    if (!/^\d{12,19}$/.test(digits) || !luhn(digits)) return { kind: "invalid", field: "number", message: "card_number_invalid" };
    const m = /^(\d{2})\s*\/\s*(\d{2})$/.exec(expiry.trim());
    const month = m ? Number(m[1]) : 0;
    const year = m ? 2000 + Number(m[2]) : 0;
    const endOfMonth = new Date(Date.UTC(year, month, 1));
    if (!m || month < 1 || month > 12 || endOfMonth <= now) return { kind: "invalid", field: "expiry", message: "card_expiry_invalid" };
    if (!/^\d{3,4}$/.test(cvc.trim())) return { kind: "invalid", field: "cvc", message: "card_cvc_invalid" };
    const known = SANDBOX_CARDS[digits as keyof typeof SANDBOX_CARDS];
    const last4 = digits.slice(-4);
    if (known?.outcome === "challenge") return { kind: "challenge" };
    if (known?.outcome === "declined") {
      return {
        kind: "steps",
        steps: [{ afterMs: 0, providerStatus: `declined ••••${last4}`, intentStatus: "failed", failureCode: known.failure_code, failureMessage: CARD_DECLINED_MESSAGE }],
      };
    }
    return { kind: "steps", steps: authorized(last4) };
  },
  challenge({ number, code }) {
    const last4 = number.replace(/\D/g, "").slice(-4);
    if (code.trim() !== SANDBOX_3DS_CODE) {
      return [{ afterMs: 0, providerStatus: `3ds_failed ••••${last4}`, intentStatus: "failed", failureCode: "authentication_failed", failureMessage: "Authentification 3-D Secure échouée." }];
    }
    return authorized(last4);
  },
};
