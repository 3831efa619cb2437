/** Scopes a credential or token may carry. `partner` grants everything; `x:write` implies `x:read`. */
export const SCOPES = [
  "partner",
  "organizations:read",
  "organizations:write",
  "invoices:read",
  "invoices:write",
  "payments:read",
  "payments:write",
  "refunds:read",
  "refunds:write",
  "reports:read",
  "webhooks:read",
  "webhooks:write",
  "audit:read",
  // GDPR: export (read) and erase (write) one payer's data across the partner's organizations.
  "privacy:read",
  "privacy:write",
] as const;

export type Scope = (typeof SCOPES)[number];

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

export function grants(held: readonly Scope[], required: Scope): boolean {
  if (held.includes("partner") || held.includes(required)) return true;
  if (required.endsWith(":read")) {
    const write = required.replace(/:read$/, ":write");
    return held.includes(write as Scope);
  }
  return false;
}

/** Parses an OAuth2 `scope` string (space-separated). Unknown scopes are returned apart. */
export function parseScopeString(raw: string): { scopes: Scope[]; unknown: string[] } {
  const parts = raw.split(/\s+/).filter(Boolean);
  const scopes: Scope[] = [];
  const unknown: string[] = [];
  for (const p of parts) (isScope(p) ? scopes : unknown).push(p as Scope);
  return { scopes: [...new Set(scopes)], unknown };
}

/** The subset of `requested` that `held` allows; `partner` requested by a restricted credential is refused. */
export function narrowScopes(held: readonly Scope[], requested: readonly Scope[]): { granted: Scope[]; refused: Scope[] } {
  const granted: Scope[] = [];
  const refused: Scope[] = [];
  for (const s of requested) (grants(held, s) ? granted : refused).push(s);
  return { granted, refused };
}
