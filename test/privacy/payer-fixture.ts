import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { unseal } from "../../src/lib/crypto";
import { openEventData } from "../../src/services/events/payload";
import { contentContext, recipientContext } from "../../src/services/messages/enqueue";
import { call, createPartner, expectOk, seedInvoiceBody, seedWorld, type Tenant } from "../helpers/harness";
import { quiesce } from "../helpers/world";

/** The payer of seed 001 "Étape 1" (seedInvoiceBody), in every test of this folder. */
export const PAYER = { name: "Jean Dupont", email: "jean.dupont@example.com" } as const;

/**
 * One payer across a partner's organization: a draft invoice (seedWorld), an issued invoice sent by
 * email and paid through its link, a draft quote, and a payment request (no invoice) revoked.
 */
export async function payerWorld(t?: Tenant) {
  const tenant = t ?? (await createPartner({ name: "Privacy partner", plan: "enterprise" }));
  const w = await seedWorld(tenant);
  const headers = { "x-entity-id": w.org.id };
  const token = tenant.token;
  const draft = w.invoice;
  const toIssue = await expectOk(await call("/v1/invoices", { token, headers, body: { ...seedInvoiceBody(w.dept.id), due_date: "2099-01-01" } }), 201);
  const issued = await expectOk(await call(`/v1/invoices/${toIssue.id}/issue`, { method: "POST", token, headers }));
  const link = await expectOk(await call("/v1/payment_links", { token, headers, body: { invoice_id: issued.id, payment_methods: ["sepa_credit", "card"] } }), 201);
  await expectOk(await call(`/v1/invoices/${issued.id}/send`, { token, headers, body: { channel: "email" } }));
  await expectOk(await call(`/v1/sandbox/payment_intents/${link.payment_intent_id}/simulate`, { token, body: { outcome: "succeeded" } }));
  const quote = await expectOk(await call("/v1/quotes", { token, headers, body: { ...seedInvoiceBody(w.dept.id), due_date: undefined, valid_until: "2099-12-31" } }), 201);
  const request = await expectOk(
    await call("/v1/payment_links", { token, headers, body: { amount: 4500, description: `Inscription stage de voile – ${PAYER.name}`, payer: { name: PAYER.name, email: PAYER.email }, payment_methods: ["card"] } }),
    201,
  );
  await expectOk(await call(`/v1/payment_links/${request.id}`, { method: "DELETE", token, headers }));
  await quiesce(tenant.partnerId);
  const payments = await expectOk(await call(`/v1/invoices/${issued.id}/payments`, { token, headers }));
  return { tenant, token, org: w.org, dept: w.dept, draft, issued, link, quote, request, payment: payments.data[0] as { id: string } };
}

export type PayerWorld = Awaited<ReturnType<typeof payerWorld>>;

type Row = Record<string, unknown>;

async function rows(table: string, partnerId: string): Promise<Row[]> {
  const { results } = await env.DB.prepare(`SELECT * FROM ${table} WHERE partner_id = ?`).bind(partnerId).all<Row>();
  return results;
}

const opened = (label: string, p: Promise<string>) => p.then((text) => `${label}:${text}`).catch(() => `${label}:<not sealed by us>`);

/**
 * Every row of the tables an erasure covers, as text, with each sealed column unsealed (with the
 * contexts the services bind them to): what the payer's email or name would be found in.
 * `skip` names rows the law keeps (an issued invoice).
 */
export async function coveredRowsText(partnerId: string, skip: readonly string[] = []): Promise<string[]> {
  const key = env.ENCRYPTION_KEY;
  const texts: string[] = [];
  for (const r of await rows("invoices", partnerId)) {
    if (skip.includes(r.id as string)) continue;
    texts.push(JSON.stringify(r), await opened("payer", unseal(key, r.payer_encrypted as string, `invoice:${r.id}:payer`)));
  }
  for (const r of await rows("quotes", partnerId)) texts.push(JSON.stringify(r), await opened("payer", unseal(key, r.payer_encrypted as string, `quote:${r.id}:payer`)));
  for (const r of await rows("payment_links", partnerId)) {
    texts.push(JSON.stringify(r));
    if (r.payer_encrypted) texts.push(await opened("payer", unseal(key, r.payer_encrypted as string, `payment_link:${r.id}:payer`)));
  }
  for (const r of await rows("messages", partnerId)) {
    texts.push(
      JSON.stringify(r),
      await opened("to", unseal(key, r.to_encrypted as string, recipientContext(r.id as string))),
      await opened("content", unseal(key, r.content_encrypted as string, contentContext(r.id as string))),
    );
  }
  for (const r of await rows("events", partnerId)) {
    const data = await openEventData(key, { id: r.id as string, data: JSON.parse(r.data as string), data_encrypted: r.data_encrypted as string | null, data_expired_at: r.data_expired_at as string | null });
    texts.push(JSON.stringify(r), JSON.stringify(data));
  }
  return texts;
}

/** The texts that name the payer (email or name, any case). */
export function naming(texts: string[]): string[] {
  return texts.filter((t) => t.toLowerCase().includes(PAYER.email) || t.toLowerCase().includes(PAYER.name.toLowerCase()));
}

export async function auditRows(partnerId: string, resourceType: string): Promise<Row[]> {
  const { results } = await env.DB.prepare("SELECT * FROM audit_logs WHERE partner_id = ? AND resource_type = ? ORDER BY created_at").bind(partnerId, resourceType).all<Row>();
  return results;
}

export function expectNoPayer(texts: string[]) {
  expect(naming(texts).map((t) => t.slice(0, 200))).toEqual([]);
}
