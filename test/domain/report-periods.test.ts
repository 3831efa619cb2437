import { describe, expect, it } from "vitest";
import { isoWeekMonday, parisLocalIso, parisMonth, percentOneDecimal, reportWindow } from "../../src/domain/report-periods";

describe("report periods (Europe/Paris calendar)", () => {
  it("a month runs from its first Paris midnight to the next month's, in day buckets", () => {
    const w = reportWindow("month", "2026-03-15");
    expect(w).toMatchObject({ from: "2026-03-01", to: "2026-03-31", start: "2026-02-28T23:00:00.000Z", endExclusive: "2026-03-31T22:00:00.000Z" });
    expect(w.buckets).toHaveLength(31);
    // The 29th has 23 hours: clocks go forward at 02:00.
    expect(w.buckets[28]).toEqual({ start: "2026-03-28T23:00:00.000Z", endExclusive: "2026-03-29T22:00:00.000Z", label: "2026-03-29T00:00:00+01:00" });
    expect(reportWindow("month", "2024-02-10")).toMatchObject({ from: "2024-02-01", to: "2024-02-29" });
    expect(reportWindow("month", "2026-12-31")).toMatchObject({ from: "2026-12-01", to: "2026-12-31", endExclusive: "2026-12-31T23:00:00.000Z" });
  });

  it("weeks start on Monday (ISO), also across a year's end", () => {
    expect(isoWeekMonday("2026-03-08")).toBe("2026-03-02"); // a Sunday
    expect(isoWeekMonday("2026-03-09")).toBe("2026-03-09"); // a Monday
    expect(reportWindow("week", "2027-01-01")).toMatchObject({ from: "2026-12-28", to: "2027-01-03" });
    expect(reportWindow("week", "2026-03-11").buckets.map((b) => b.label.slice(0, 10))).toEqual(["2026-03-09", "2026-03-10", "2026-03-11", "2026-03-12", "2026-03-13", "2026-03-14", "2026-03-15"]);
  });

  it("a day has an hour bucket per Paris hour: 24, 23 in March, 25 in October (the repeated 02:00 told apart by its offset)", () => {
    expect(reportWindow("day", "2026-06-01").buckets).toHaveLength(24);
    expect(reportWindow("day", "2026-03-29").buckets).toHaveLength(23);
    const october = reportWindow("day", "2026-10-25").buckets;
    expect(october).toHaveLength(25);
    expect(october.slice(2, 4).map((b) => b.label)).toEqual(["2026-10-25T02:00:00+02:00", "2026-10-25T02:00:00+01:00"]);
  });

  it("a year has twelve Paris months", () => {
    const y = reportWindow("year", "2026-07-14");
    expect(y).toMatchObject({ from: "2026-01-01", to: "2026-12-31", start: "2025-12-31T23:00:00.000Z", endExclusive: "2026-12-31T23:00:00.000Z" });
    expect(y.buckets.map((b) => b.label)).toContain("2026-04-01T00:00:00+02:00");
    expect(parisMonth("2026-11-30")).toEqual({ from: "2026-11-01", to: "2026-11-30" });
  });

  it("reads instants on a Paris clock; shares in percent with one decimal", () => {
    expect(parisLocalIso(new Date("2026-03-31T23:30:00.000Z"))).toBe("2026-04-01T01:30:00+02:00");
    expect(percentOneDecimal(5, 6)).toBe(83.3);
    expect(percentOneDecimal(2, 3)).toBe(66.7);
    expect(percentOneDecimal(0, 0)).toBeNull();
  });
});
