import { mergePersonalData, splitPersonalData } from "../../domain/event-privacy";
import { seal, unseal } from "../../lib/crypto";

type Json = Record<string, unknown>;

/** The sealed part is bound to its event: copied into another row, it does not decrypt. */
const sealContext = (eventId: string) => `event:${eventId}:data`;

/** What an event row stores of its data: the plain part, and the personal part sealed (or null). */
export async function sealEventData(key: string, eventId: string, data: Json): Promise<{ data: Json; data_encrypted: string | null }> {
  const { plain, personal } = splitPersonalData(data);
  return { data: plain, data_encrypted: personal ? await seal(key, JSON.stringify(personal), sealContext(eventId)) : null };
}

export interface StoredEventData {
  id: string;
  data: Json;
  data_encrypted: string | null;
  data_expired_at: string | null;
}

/** The event's data as it was written, or null once the retention job has purged it. */
export async function openEventData(key: string, row: StoredEventData): Promise<Json | null> {
  if (row.data_expired_at !== null) return null;
  if (row.data_encrypted === null) return row.data;
  return mergePersonalData(row.data, JSON.parse(await unseal(key, row.data_encrypted, sealContext(row.id))) as Json);
}
