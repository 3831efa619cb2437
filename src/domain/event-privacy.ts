/**
 * Personal data in event payloads, and how long payloads are kept.
 *
 * An event's data is written once and read for its webhooks and the events API. The parts that
 * are personal data (an invoice's or a quote's payer: name, email, address, SIREN; a payment request's payer) are stored apart and sealed
 * (services/events/payload.ts); the rest stays plain JSON, so a payload built partly in SQL (a
 * number assigned in the same batch) still works. Readers put the two back together: a webhook
 * body and an API answer carry exactly what they carried before.
 */

/** Dotted paths, in any event's data, of the values that are personal data. */
export const PERSONAL_DATA_PATHS = ["invoice.payer", "quote.payer", "payment_link.payer"] as const;

/** Event payloads (personal data included) are purged this long after the event; the event row stays. */
export const EVENT_PAYLOAD_RETENTION_DAYS = 90;

export function payloadExpiresAt(createdAt: string): string {
  return new Date(Date.parse(createdAt) + EVENT_PAYLOAD_RETENTION_DAYS * 86_400_000).toISOString();
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * `data` without its personal values (each replaced by null in place, so the keys keep their
 * order), and those values by path; null when there are none.
 */
export function splitPersonalData(data: Json): { plain: Json; personal: Record<string, unknown> | null } {
  let plain = data;
  let personal: Record<string, unknown> | null = null;
  for (const path of PERSONAL_DATA_PATHS) {
    const keys = path.split(".");
    const leaf = keys.pop()!;
    let parent: unknown = plain;
    for (const key of keys) parent = isObject(parent) ? parent[key] : undefined;
    if (!isObject(parent) || parent[leaf] === undefined || parent[leaf] === null) continue;
    if (plain === data) plain = structuredClone(data);
    let target = plain;
    for (const key of keys) target = target[key] as Json;
    (personal ??= {})[path] = target[leaf];
    target[leaf] = null;
  }
  return { plain, personal };
}

/** The payload as written: the personal values put back where they were. */
export function mergePersonalData(plain: Json, personal: Record<string, unknown> | null): Json {
  if (!personal) return plain;
  const data = structuredClone(plain);
  for (const [path, value] of Object.entries(personal)) {
    const keys = path.split(".");
    const leaf = keys.pop()!;
    let target: unknown = data;
    for (const key of keys) target = isObject(target) ? target[key] : undefined;
    if (isObject(target)) target[leaf] = value;
  }
  return data;
}
