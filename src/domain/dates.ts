/** Calendar dates are read in Europe/Paris (DESIGN.md §3); instants are UTC. */

export const PARIS = "Europe/Paris";
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isCalendarDate(value: string): boolean {
  if (!DATE.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

// Built once per isolate: constructing an Intl.DateTimeFormat (time zone data, locale) costs far
// more than formatting with it, and a refund or an issue reads today's Paris date several times.
const PARIS_CLOCK = new Intl.DateTimeFormat("en-GB", {
  timeZone: PARIS,
  hourCycle: "h23",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
});
const PARIS_DAY = new Intl.DateTimeFormat("en-CA", { timeZone: PARIS, year: "numeric", month: "2-digit", day: "2-digit" });

/** Offset of Paris from UTC, in minutes, at a given instant (60 in winter, 120 in summer). */
export function parisOffsetMinutes(at: Date): number {
  const parts = PARIS_CLOCK.formatToParts(at);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"));
  return Math.round((asUtc - at.getTime()) / 60_000);
}

/** The UTC instant at which a Paris calendar day starts. */
export function parisStartOfDay(date: string): Date {
  const guess = new Date(`${date}T00:00:00Z`);
  // Midnight never falls in a DST gap in Paris (changes happen at 02:00/03:00), so one correction suffices.
  return new Date(guess.getTime() - parisOffsetMinutes(guess) * 60_000);
}

/** Today's date in Paris. */
export function parisToday(now = new Date()): string {
  return PARIS_DAY.format(now);
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/**
 * A filter bound: an ISO instant as given, or a calendar date read in Paris. `end` bounds are
 * inclusive of the whole day (`to_date=2026-02-01` covers all of 1 February, Paris time).
 */
export function boundToInstant(value: string, edge: "start" | "end"): string | null {
  if (isCalendarDate(value)) {
    return parisStartOfDay(edge === "start" ? value : addDays(value, 1)).toISOString();
  }
  const t = Date.parse(value);
  if (Number.isNaN(t) || !/^\d{4}-\d{2}-\d{2}T/.test(value)) return null;
  return new Date(t).toISOString();
}

/**
 * A filter range as given by a client (each bound an ISO instant or a Paris calendar date, both
 * inclusive) as instants for `column >= from AND column < toExclusive`. A date as upper bound
 * covers its whole day; an instant as upper bound includes that instant (+1 ms).
 */
export function instantRange(from: string | undefined, to: string | undefined): { from?: string; toExclusive?: string } {
  const out: { from?: string; toExclusive?: string } = {};
  if (from) out.from = boundToInstant(from, "start")!;
  if (to) {
    const end = boundToInstant(to, "end")!;
    out.toExclusive = isCalendarDate(to) ? end : new Date(Date.parse(end) + 1).toISOString();
  }
  return out;
}

/** The instant `years` calendar years before `now`, in UTC: a retention rule's cutoff (1 year of call logs, 10 of audit entries). */
export function yearsBefore(now: Date, years: number): string {
  const cutoff = new Date(now.getTime());
  cutoff.setUTCFullYear(cutoff.getUTCFullYear() - years);
  return cutoff.toISOString();
}
