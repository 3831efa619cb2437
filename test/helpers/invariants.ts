import { expect } from "vitest";
import { checkInvariants, type Check, type Snapshot } from "../../scripts/lib/invariants.mjs";
import { call, expectOk } from "./harness";

/**
 * DESIGN.md §2's invariants, checked the way `npm run soak` checks them: the same definition
 * (scripts/lib/invariants.mjs) over what the public API shows, here read through the worker.
 */

async function listAll(token: string, path: string, headers: Record<string, string> = {}): Promise<any[]> {
  const items: any[] = [];
  const sep = path.includes("?") ? "&" : "?";
  for (let page = 1; ; page++) {
    const res = await expectOk(await call(`${path}${sep}page=${page}&page_size=100`, { token, headers }));
    items.push(...res.data);
    if (!res.pagination || page >= res.pagination.total_pages) return items;
  }
}

/** Everything the invariants look at, for one organization of the caller's partner and mode. */
export async function snapshotOf(token: string, organizationId: string): Promise<Snapshot> {
  const headers = { "x-entity-id": organizationId };
  const [invoices, payments, intents, links, events, invoiceAudit, intentAudit, refundAudit, linkAudit, creditNotes] = await Promise.all([
    listAll(token, "/v1/invoices", headers),
    listAll(token, "/v1/payments", headers),
    listAll(token, "/v1/payment_intents", headers),
    listAll(token, "/v1/payment_links", headers),
    listAll(token, "/v1/events"),
    listAll(token, "/v1/audit_logs?resource_type=invoice", headers),
    listAll(token, "/v1/audit_logs?resource_type=payment_intent", headers),
    listAll(token, "/v1/audit_logs?resource_type=refund", headers),
    listAll(token, "/v1/audit_logs?resource_type=payment_link", headers),
    listAll(token, "/v1/credit_notes", headers),
  ]);
  const refunds = (
    await Promise.all(
      intents.filter((i) => i.amount_received > 0).map(async (i) => (await expectOk(await call(`/v1/payment_intents/${i.id}/refunds`, { token, headers }))).data as any[]),
    )
  ).flat();
  return {
    invoices,
    payments,
    intents,
    links,
    refunds,
    credit_notes: creditNotes,
    events: events.filter((e) => e.organization_id === organizationId),
    audit: { invoice: invoiceAudit, payment_intent: intentAudit, refund: refundAudit, payment_link: linkAudit },
  };
}

/** Fails with every violated invariant and its examples; returns the checks (how much each looked at). */
export async function expectInvariantsHold(token: string, organizationId: string): Promise<Check[]> {
  const checks = checkInvariants(await snapshotOf(token, organizationId));
  expect(checks.filter((c) => c.violations.length > 0)).toEqual([]);
  return checks;
}
