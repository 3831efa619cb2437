import { parsePhoneNumberFromString } from "libphonenumber-js";
import { z } from "@hono/zod-openapi";
import { ValidationError } from "../../lib/errors";
import { purposeMacHex } from "../../lib/keys";

export type Channel = "email" | "sms";

const Email = z.string().trim().toLowerCase().email().max(254);

/**
 * The recipient as it will be used: an email address (trimmed, lower-cased) or a phone number in
 * E.164. French numbers may be written nationally ("06 12 34 56 78"): the default region is FR.
 * A number libphonenumber-js does not hold valid for its country is refused as seed 004 does.
 */
export function normalizeRecipient(channel: Channel, to: string, param = "to"): string {
  if (channel === "email") {
    const parsed = Email.safeParse(to);
    if (!parsed.success) throw new ValidationError(`'${param}' is not a valid email address.`, param, "invalid_email");
    return parsed.data;
  }
  const phone = parsePhoneNumberFromString(to.trim(), "FR");
  if (!phone || !phone.isValid()) throw new ValidationError(`'${param}' is not a valid phone number (E.164 such as +33612345678, or a French national number).`, param, "invalid_phone");
  return phone.number;
}

/** What lists show: enough to recognise a recipient, not to contact them (j•••@example.fr, +33 6•• ••• •78). */
export function maskRecipient(channel: Channel, to: string): string {
  if (channel === "email") {
    const at = to.lastIndexOf("@");
    const local = to.slice(0, at);
    return `${local.slice(0, 1)}•••${to.slice(at)}`;
  }
  return `${to.slice(0, 4)}${"•".repeat(Math.max(0, to.length - 6))}${to.slice(-2)}`;
}

/** The keyed hash behind `GET /v1/messages?to=`: equal recipients match, the column reveals none. */
export function recipientHash(key: string, channel: Channel, normalized: string): Promise<string> {
  return purposeMacHex(key, "message_recipient_hash", `${channel}:${normalized}`);
}
