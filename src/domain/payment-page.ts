import { moneyReceived, type IntentStatus, type PaymentMethod } from "./payment-intent";
import type { PaymentLinkStatus, PaymentLinkType } from "./payment-link";

/**
 * What the hosted payment page shows for a link: one state, decided from the link's and its
 * intent's projected states alone, so every screen and form of the page agrees on it. A card
 * hold (link type `preauth`) adds two: `authorized` (the card is authorized, nothing charged yet)
 * and `released` (the hold was released or lapsed: nothing was charged); once captured it is
 * `succeeded` like any payment.
 */
export const PAGE_STATES = ["open", "failed", "processing", "authorized", "succeeded", "released", "expired", "revoked"] as const;
export type PageState = (typeof PAGE_STATES)[number];

/** The facts the rule reads (a loaded payment page satisfies it). */
export interface PageFacts {
  link: { status: PaymentLinkStatus; livemode: boolean; expiresAt: string | null; type: PaymentLinkType };
  intent: { status: IntentStatus; method: PaymentMethod | null };
}

export function pageState(p: PageFacts, now = Date.now()): PageState {
  const s = p.intent.status;
  if (p.link.status === "revoked") return "revoked";
  // A hold completes its link at authorization (the payer is done): the intent tells what became of it.
  if (s === "requires_capture") return "authorized";
  if (s === "canceled" && p.link.type === "preauth" && p.link.status === "completed") return "released";
  // Money received stays a success for the payer, whatever refunds came after.
  if (p.link.status === "completed" || moneyReceived(s)) return "succeeded";
  if (s === "processing") return "processing";
  if (p.link.status === "expired" || s === "canceled") return "expired";
  // The object's alarm expires the link on time; the page does not wait for it.
  if (p.link.expiresAt && Date.parse(p.link.expiresAt) <= now) return "expired";
  return s === "failed" ? "failed" : "open";
}

/** A closed link (410) can no longer be paid, whatever a form asks. */
export type ClosedPageState = Extract<PageState, "expired" | "revoked">;

export function isClosed(state: PageState): state is ClosedPageState {
  return state === "expired" || state === "revoked";
}

/** A sandbox provider screen is for a test-mode link whose payer chose its method and whose attempt is pending. */
export function sandboxScreenApplies(p: PageFacts, method: PaymentMethod, now = Date.now()): boolean {
  return !p.link.livemode && pageState(p, now) === "open" && p.intent.status === "pending" && p.intent.method === method;
}
