import type { RefundSettlement } from "./types";

/** Sandbox refunds: the transfer back to the payer settles within seconds, always successfully. */
export const SANDBOX_REFUND_SETTLE_MS = 1500;

/** The sandbox providers' refund (bank and card alike); `POST /v1/sandbox/refunds/{id}/simulate` drives other outcomes. */
export function sandboxRefund(): RefundSettlement {
  return { kind: "settles_after", afterMs: SANDBOX_REFUND_SETTLE_MS, outcome: "succeeded" };
}
