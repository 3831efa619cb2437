import type { Env } from "../env";
import { sandboxSms } from "./sandbox-sms";

/** One SMS to send: `to` in E.164, `from` an alphanumeric sender id (≤ 11 characters), GSM-7 text. */
export interface SmsInput {
  messageId: string;
  from: string;
  to: string;
  text: string;
}

/**
 * An SMS provider. `send` resolves with the provider's id once the provider accepted the message,
 * and throws on a transport failure (the queue then retries: same message id, which a live
 * provider should take as its idempotency key).
 */
export interface SmsProvider {
  readonly name: string;
  send(input: SmsInput): Promise<{ providerMessageId: string }>;
}

/**
 * The SMS provider of a mode: the sandbox in test mode; in live mode none is registered yet, so
 * SMS is refused at enqueue time with `sms_not_configured` (a live provider goes here).
 */
export function smsProvider(_env: Pick<Env, "ENVIRONMENT">, livemode: boolean): SmsProvider | null {
  return livemode ? null : sandboxSms;
}
