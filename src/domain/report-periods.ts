import { addDays, parisOffsetMinutes, parisStartOfDay, parisToday } from "./dates";

/**
 * The calendar windows of the reports (issue 14): a day, an ISO week (Monday to Sunday), a month
 * or a year of the Europe/Paris calendar, cut into buckets (hours of a day, days of a week or a
 * month, months of a year). Pure: the services turn them into SQL bounds.
 */

export const REPORT_PERIODS = ["day", "week", "month", "year"] as const;
export type ReportPeriod = (typeof REPORT_PERIODS)[number];

/** One bucket of a series: `[start, endExclusive)` as UTC instants, and its start as Paris wall-clock time with its offset. */
export interface ReportBucket {
  start: string;
  endExclusive: string;
  label: string;
}

export interface ReportWindow {
  period: ReportPeriod;
  /** First and last Paris calendar days of the window, both inclusive (what `from_date`/`to_date` of the lists take). */
  from: string;
  to: string;
  /** The window as UTC instants, `[start, endExclusive)`. */
  start: string;
  endExclusive: string;
  buckets: ReportBucket[];
}

/** `2026-03-29T03:00:00+02:00`: an instant as read on a Paris clock, unambiguous across DST changes. */
export function parisLocalIso(at: Date): string {
  const offset = parisOffsetMinutes(at);
  const local = new Date(at.getTime() + offset * 60_000).toISOString().slice(0, 19);
  const sign = offset >= 0 ? "+" : "-";
  const abs = Math.abs(offset);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}

function firstOfNextMonth(date: string): string {
  const [y, m] = date.split("-").map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, "0")}-01`;
}

/** Paris days from `from` to `to`, both inclusive. */
function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

function dayBuckets(days: string[]): ReportBucket[] {
  return days.map((d) => {
    const start = parisStartOfDay(d);
    return { start: start.toISOString(), endExclusive: parisStartOfDay(addDays(d, 1)).toISOString(), label: parisLocalIso(start) };
  });
}

/**
 * Hours of one Paris day: 24, or 23 and 25 on the days clocks change (the repeated 02:00 of
 * October is two buckets, told apart by their offset).
 */
function hourBuckets(date: string): ReportBucket[] {
  const end = parisStartOfDay(addDays(date, 1)).getTime();
  const out: ReportBucket[] = [];
  for (let t = parisStartOfDay(date).getTime(); t < end; t += 3_600_000) {
    out.push({ start: new Date(t).toISOString(), endExclusive: new Date(Math.min(t + 3_600_000, end)).toISOString(), label: parisLocalIso(new Date(t)) });
  }
  return out;
}

/** The Monday of the ISO week holding `date`. */
export function isoWeekMonday(date: string): string {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay(); // 0 = Sunday
  return addDays(date, -((weekday + 6) % 7));
}

/** The Paris month holding `date`: its first and last days. */
export function parisMonth(date: string): { from: string; to: string } {
  const from = `${date.slice(0, 7)}-01`;
  return { from, to: addDays(firstOfNextMonth(from), -1) };
}

/** The window of `period` holding the Paris day `date` (today in Paris when not given). */
export function reportWindow(period: ReportPeriod, date: string = parisToday()): ReportWindow {
  let from: string;
  let to: string;
  let buckets: ReportBucket[];
  switch (period) {
    case "day":
      from = to = date;
      buckets = hourBuckets(date);
      break;
    case "week":
      from = isoWeekMonday(date);
      to = addDays(from, 6);
      buckets = dayBuckets(daysBetween(from, to));
      break;
    case "month":
      ({ from, to } = parisMonth(date));
      buckets = dayBuckets(daysBetween(from, to));
      break;
    case "year": {
      const year = date.slice(0, 4);
      from = `${year}-01-01`;
      to = `${year}-12-31`;
      buckets = Array.from({ length: 12 }, (_, i) => {
        const first = `${year}-${String(i + 1).padStart(2, "0")}-01`;
        const start = parisStartOfDay(first);
        return { start: start.toISOString(), endExclusive: parisStartOfDay(firstOfNextMonth(first)).toISOString(), label: parisLocalIso(start) };
      });
      break;
    }
  }
  return { period, from, to, start: buckets[0]!.start, endExclusive: buckets[buckets.length - 1]!.endExclusive, buckets };
}

/** A share in percent with one decimal (`12.5`), or null when there is nothing to divide by. */
export function percentOneDecimal(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part * 1000) / whole) / 10;
}
