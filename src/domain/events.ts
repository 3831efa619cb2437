import type { Scope } from "./scopes";

/**
 * Webhook event types and the body a receiver gets. The list is seed 001's, plus
 * `bank_account.default_changed` (where a department's live money goes changed: issue 10 §7) and
 * the quotes' `quote.created` and `quote.status_changed` and `credit_note.created` (a price
 * reduction's partial credit note; issue 12), and `payment.created` / `payment.voided` (a payment
 * recorded at the counter, and its void; issue 14), and `kyc.status_changed` (the operator decided a
 * department's KYC; issue 15); it
 * is the only place event types are named for subscriptions, and every event the API writes is
 * one of them.
 */

export const EVENT_TYPES = [
  "invoice.created",
  "invoice.status_changed",
  "invoice.sent",
  "invoice.reminder_sent",
  "invoice.dunning_finished",
  "payment_link.created",
  "payment_intent.status_changed",
  "refund.created",
  "refund.status_changed",
  "bank_account.default_changed",
  "quote.created",
  "quote.status_changed",
  "credit_note.created",
  "message.sent",
  "message.failed",
  "payment.created",
  "payment.voided",
  "kyc.status_changed",
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** The object an event type is about: `payment_intent` for `payment_intent.status_changed`. */
export type EventObjectName = EventType extends `${infer O}.${string}` ? O : never;

/**
 * The scope that reads the object an event carries: its payload is a copy of that object (an
 * invoice's payer, a link's payment-page URL), so `webhooks:read` alone does not show it.
 */
export const EVENT_PAYLOAD_SCOPES: Record<EventObjectName, Scope> = {
  invoice: "invoices:read",
  payment_link: "payments:read",
  payment_intent: "payments:read",
  refund: "refunds:read",
  bank_account: "organizations:read",
  quote: "invoices:read",
  credit_note: "invoices:read",
  // Messages to payers are read with invoices:read (GET /v1/messages): the payload's recipient is masked.
  message: "invoices:read",
  // A payment recorded at the counter, or voided (issue 14): the ledger entry of GET /v1/payments/{id}.
  payment: "payments:read",
  // A KYC decision (issue 15): read with GET /v1/departments/{id}/kyc; the payload omits the payee's identity.
  kyc: "organizations:read",
};

/** The scope needed to read the payload of an event of `type` (`partner` for a type not listed: closed by default). */
export function eventPayloadScope(type: string): Scope {
  return (EVENT_PAYLOAD_SCOPES as Record<string, Scope>)[eventObject(type)] ?? "partner";
}

/** In a subscription's `events`, alone: every event type, including types added later. */
export const ALL_EVENTS = "*";

export function isEventType(value: string): value is EventType {
  return (EVENT_TYPES as readonly string[]).includes(value);
}

/** The object an event is about: `payment_intent` for `payment_intent.status_changed`. */
export function eventObject(type: string): string {
  return type.slice(0, type.lastIndexOf(".") > 0 ? type.lastIndexOf(".") : type.length);
}

/**
 * The version of the object carried in the event's data (`data.invoice.version`, …): every object
 * an event carries has one (an integer from 1, +1 on each change of the object; migration 0014
 * gave one to payment links, bank accounts, KYC verifications, credit notes, messages and
 * payments). Deliveries may arrive out of order: receivers keep, per object id, the highest
 * version seen and drop an update that arrives after a newer one. Null only for a payload stored
 * before its object had a version (an event written before migration 0014).
 */
export function objectVersion(type: string, data: Record<string, unknown>): number | null {
  const name = eventObject(type);
  // bank_account.default_changed when the last account was removed: no current account, the removed one's version.
  const object = data[name] ?? data[`previous_${name}`];
  if (object && typeof object === "object" && "version" in object) {
    const version = (object as { version: unknown }).version;
    if (typeof version === "number" && Number.isInteger(version)) return version;
  }
  return null;
}

export interface EventRecord {
  id: string;
  type: string;
  livemode: boolean;
  organization_id: string | null;
  data: Record<string, unknown>;
  created_at: string;
}

/**
 * The exact bytes a receiver gets and the signature covers (DESIGN.md §4), keys in a fixed order.
 * `timestamp` is when the event happened, not when this attempt was made (that is the
 * X-Webhook-Timestamp header), so every attempt of a delivery sends the same body.
 */
export function webhookBody(event: EventRecord): string {
  return JSON.stringify({
    event_id: event.id,
    event_type: event.type,
    timestamp: event.created_at,
    organization_id: event.organization_id,
    livemode: event.livemode,
    object_version: objectVersion(event.type, event.data),
    data: event.data,
  });
}

export interface SubscriptionFilter {
  events: readonly string[];
  organization_ids: readonly string[] | null;
}

/** Whether a subscription wants this event: its type (or `*`), and its organization when it names some. */
export function subscriptionReceives(sub: SubscriptionFilter, event: Pick<EventRecord, "type" | "organization_id">): boolean {
  const typeMatches = sub.events.includes(ALL_EVENTS) || sub.events.includes(event.type);
  const organizationMatches = sub.organization_ids === null || (event.organization_id !== null && sub.organization_ids.includes(event.organization_id));
  return typeMatches && organizationMatches;
}
