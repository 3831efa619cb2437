import { addDays, PARIS } from "./dates";
import type { InvoiceStatus } from "./invoice-status";

/**
 * Dunning (issue 13): an organization's reminder rules, relative to each invoice's due date. What
 * a rule may say and when reminders may go out live here; the job that applies them is
 * services/dunning/run-dunning.ts.
 */

/** The message templates a rule may send (a subset of the message templates). */
export const DUNNING_TEMPLATES = ["reminder_before_due", "reminder_due", "reminder_overdue", "final_notice"] as const;
export type DunningTemplate = (typeof DUNNING_TEMPLATES)[number];

export const DUNNING_CHANNELS = ["email", "sms"] as const;

/** A month before the due date at the earliest, a quarter after at the latest. */
export const OFFSET_DAYS = { min: -30, max: 90 } as const;

/** Only invoices in these statuses are reminded: never drafts, paid or cancelled ones. */
export const DUNNABLE_STATUSES = ["issued", "partially_paid", "overdue"] as const satisfies readonly InvoiceStatus[];

/**
 * Reminders go out between 08:00 and 20:00 in Paris (the hours a payer expects a message from a
 * supplier); the hourly cron does nothing outside them, and catches up at 08:00.
 */
export const SENDING_WINDOW = { fromHour: 8, toHour: 20 } as const;

const PARIS_HOUR = new Intl.DateTimeFormat("en-GB", { timeZone: PARIS, hour: "2-digit", hourCycle: "h23" });

export function insideSendingWindow(at: Date): boolean {
  const hour = Number(PARIS_HOUR.format(at));
  return hour >= SENDING_WINDOW.fromHour && hour < SENDING_WINDOW.toHour;
}

export interface RuleSpec {
  id: string;
  offset_days: number;
}

/**
 * What is due for one invoice on `asOf` (Paris date), given the organization's enabled rules and
 * the rules already recorded for it. Only the latest due step is sent: an invoice met for the
 * first time at +8 (a rule added late, a sandbox clock jumping ahead) gets the +7 reminder, not
 * a "due in 3 days" as well. Rules of the same offset (an email and an SMS) all go out.
 * `finished`: every rule of the largest offset has run (counting those sent now).
 */
export function dueReminders<R extends RuleSpec>(rules: readonly R[], dueDate: string, asOf: string, done: ReadonlySet<string>) {
  const due = rules.filter((r) => addDays(dueDate, r.offset_days) <= asOf);
  if (due.length === 0) return { send: [] as R[], finished: false };
  const latest = Math.max(...due.map((r) => r.offset_days));
  const send = due.filter((r) => r.offset_days === latest && !done.has(r.id));
  const last = Math.max(...rules.map((r) => r.offset_days));
  const finished = rules.filter((r) => r.offset_days === last).every((r) => done.has(r.id) || send.includes(r));
  return { send, finished };
}
