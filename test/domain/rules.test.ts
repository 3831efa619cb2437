import { describe, expect, it } from "vitest";
import { addDays, boundToInstant, isCalendarDate, parisStartOfDay, parisToday } from "../../src/domain/dates";
import { assessIban, assessOrganizationIdentity } from "../../src/domain/identity";
import { KYC_TRANSITIONS, sandboxKycDecision } from "../../src/domain/kyc";
import { grants, narrowScopes, parseScopeString } from "../../src/domain/scopes";
import { DomainError, ValidationError } from "../../src/lib/errors";
import { httpStatusOf } from "../../src/lib/http-errors";

function catchError(run: () => unknown): DomainError {
  try {
    run();
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error("expected a domain error");
}

describe("scopes", () => {
  it.each([
    [["partner"], "invoices:write", true],
    [["invoices:write"], "invoices:read", true],
    [["invoices:read"], "invoices:write", false],
    [["payments:read"], "invoices:read", false],
    [[], "audit:read", false],
  ] as const)("%j grants %s: %s", (held, required, expected) => {
    expect(grants(held, required)).toBe(expected);
  });

  it("parses and narrows OAuth scope strings", () => {
    expect(parseScopeString("  invoices:read  bogus invoices:read ")).toEqual({ scopes: ["invoices:read"], unknown: ["bogus"] });
    expect(narrowScopes(["invoices:write"], ["invoices:read", "partner"])).toEqual({ granted: ["invoices:read"], refused: ["partner"] });
  });
});

describe("identity rules per mode", () => {
  const seed = { siret: "21690123400019", vat_number: "FR21216901234" };

  it("test mode accepts the seed's failing checksums with warnings", () => {
    const r = assessOrganizationIdentity(seed, false);
    expect(r.siren).toBe("216901234");
    expect(r.warnings.map((w) => [w.param, w.code])).toEqual([
      ["siret", "siret_checksum_failed"],
      ["vat_number", "vat_number_checksum_failed"],
    ]);
  });

  it("live mode refuses them naming the field", () => {
    // The rule knows no HTTP: its error's kind is what the API answers 400 for.
    const refused = catchError(() => assessOrganizationIdentity(seed, true));
    expect(refused).toMatchObject({ kind: "invalid_request", param: "siret" });
    expect(httpStatusOf(refused)).toBe(400);
    expect(() => assessOrganizationIdentity({ siret: "55208131766522", vat_number: "FR21216901234" }, true)).toThrow(
      expect.objectContaining({ param: "vat_number" }),
    );
  });

  it("a VAT number must carry the organization's SIREN", () => {
    const call = () => assessOrganizationIdentity({ siret: "55208131766522", vat_number: "FR44732829320" }, true);
    expect(call).toThrow(expect.objectContaining({ code: "vat_number_siren_mismatch" }));
    expect(assessOrganizationIdentity({ siret: "55208131766522", vat_number: "FR44732829320" }, false).warnings[0]?.code).toBe(
      "vat_number_siren_mismatch",
    );
  });

  it("format errors are refused in both modes", () => {
    for (const livemode of [false, true]) {
      expect(() => assessOrganizationIdentity({ siret: "2169012340001" }, livemode)).toThrow(ValidationError);
    }
  });

  it("the sandbox IBANs are magic in test mode only", () => {
    expect(assessIban("FR76 1234 5678 9012 3456 7890 125", false)).toBe("FR7612345678901234567890125");
    expect(() => assessIban("FR7612345678901234567890125", true)).toThrow(expect.objectContaining({ code: "invalid_iban" }));
    expect(() => assessIban("FR7612345678901234567890126", false)).toThrow(expect.objectContaining({ code: "invalid_iban" }));
  });
});

describe("KYC", () => {
  it("is decided once", () => {
    const may = (from: keyof typeof KYC_TRANSITIONS, to: string) => (KYC_TRANSITIONS[from] as readonly string[]).includes(to);
    expect(may("pending", "verified")).toBe(true);
    expect(may("pending", "rejected")).toBe(true);
    expect(may("verified", "rejected")).toBe(false);
    expect(may("rejected", "pending")).toBe(false);
  });

  it.each([
    [{ account_holder_name: "Régie", iban: "FR7612345678901234567890123" }, "verified"],
    [{ account_holder_name: "Régie", iban: "FR7612345678901234567890124" }, "verified"],
    [{ account_holder_name: "Régie", iban: "FR7612345678901234567890125" }, "rejected"],
    [{ account_holder_name: "Rejected Payee", iban: "FR7630006000011234567890189" }, "rejected"],
    [{ account_holder_name: "Not rejected", iban: "FR7630006000011234567890189" }, "verified"],
  ])("sandbox decides %j → %s", (subject, status) => {
    expect(sandboxKycDecision(subject).status).toBe(status);
  });
});

describe("dates in Europe/Paris", () => {
  it.each([
    ["2026-01-15", "2026-01-14T23:00:00.000Z"],
    ["2026-07-15", "2026-07-14T22:00:00.000Z"],
    ["2026-03-29", "2026-03-28T23:00:00.000Z"],
    ["2026-03-30", "2026-03-29T22:00:00.000Z"],
    ["2026-10-25", "2026-10-24T22:00:00.000Z"],
    ["2026-10-26", "2026-10-25T23:00:00.000Z"],
  ])("%s starts at %s", (date, instant) => {
    expect(parisStartOfDay(date).toISOString()).toBe(instant);
  });

  it("reads today, dates and bounds", () => {
    expect(parisToday(new Date("2026-12-31T23:30:00Z"))).toBe("2027-01-01");
    expect(isCalendarDate("2026-02-30")).toBe(false);
    expect(isCalendarDate("2026-02-28")).toBe(true);
    expect(addDays("2026-02-28", 1)).toBe("2026-03-01");
    expect(boundToInstant("2026-02-01", "start")).toBe("2026-01-31T23:00:00.000Z");
    expect(boundToInstant("2026-02-01", "end")).toBe("2026-02-01T23:00:00.000Z");
    expect(boundToInstant("2026-02-01T10:00:00+02:00", "start")).toBe("2026-02-01T08:00:00.000Z");
    expect(boundToInstant("yesterday", "start")).toBeNull();
  });
});
