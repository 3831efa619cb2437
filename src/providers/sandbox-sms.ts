import type { SmsInput, SmsProvider } from "./sms";

/**
 * The test-mode SMS provider: nothing leaves the platform. It records what it was given (the
 * sandbox outbox is the message itself, GET /v1/messages/{id}); the record below serves tests in
 * the same isolate. Documented test numbers (ARCEP's range for fiction, 06 39 98 …):
 * - +33 6 39 98 00 01: the provider is unreachable on every attempt (the message ends `failed`);
 * - +33 6 39 98 00 02: unreachable on the first attempt only (retried, sent once);
 * any other valid number: accepted.
 */
export const SANDBOX_SMS_ALWAYS_FAILS = "+33639980001";
export const SANDBOX_SMS_FAILS_ONCE = "+33639980002";

const failedOnce = new Set<string>();

/** Accepted messages, newest last (per isolate; tests read it). */
export const sandboxSmsLog: SmsInput[] = [];

export const sandboxSms: SmsProvider = {
  name: "sandbox",
  async send(input) {
    if (input.to === SANDBOX_SMS_ALWAYS_FAILS) throw new Error("sandbox SMS provider unreachable (test number +33 6 39 98 00 01)");
    if (input.to === SANDBOX_SMS_FAILS_ONCE && !failedOnce.has(input.messageId)) {
      failedOnce.add(input.messageId);
      throw new Error("sandbox SMS provider unreachable once (test number +33 6 39 98 00 02)");
    }
    sandboxSmsLog.push(input);
    return { providerMessageId: `sandbox_sms_${input.messageId}` };
  },
};
