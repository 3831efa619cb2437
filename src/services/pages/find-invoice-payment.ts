import { and, desc, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { invoices, paymentLinks } from "../../db/schema";
import { safeEqual } from "../../lib/crypto";
import { isId } from "../../lib/ids";
import type { Env } from "../../env";
import { invoicePayMac } from "../documents/invoice-documents";

export type InvoicePayment = { kind: "link"; token: string } | { kind: "settled" } | { kind: "no_link" };

/**
 * The permanent payment address printed on an invoice (`/p/f/{invoice id}.{mac}`): where the payer
 * who scans the paper invoice should go now. The MAC is the authorisation (as a link token is),
 * so the lookup is by id alone; a wrong MAC is indistinguishable from an unknown invoice.
 */
export async function findInvoicePayment({ db, env, ref }: { db: Db; env: Env; ref: string }): Promise<InvoicePayment | null> {
  const dot = ref.indexOf(".");
  const id = ref.slice(0, dot);
  const mac = ref.slice(dot + 1);
  if (dot < 0 || !isId("invoice", id) || !/^[0-9a-f]{32}$/.test(mac)) return null;
  if (!(await safeEqual(mac, await invoicePayMac(env, id)))) return null;
  const [rows, links] = await db.batch([
    // tenancy-exempt: the MAC over the invoice id authorises this lookup (the payer has no credentials).
    db.select({ status: invoices.status, amount_due: invoices.amount_due }).from(invoices).where(eq(invoices.id, id)),
    // tenancy-exempt: as above; the link belongs to the invoice authorised by the MAC.
    db
      .select({ token: paymentLinks.token })
      .from(paymentLinks)
      .where(and(eq(paymentLinks.invoice_id, id), eq(paymentLinks.status, "active")))
      .orderBy(desc(paymentLinks.created_at))
      .limit(1),
  ]);
  const invoice = rows[0];
  if (!invoice || invoice.status === "draft") return null;
  if (invoice.status === "paid" || invoice.status === "cancelled" || invoice.amount_due <= 0) return { kind: "settled" };
  const link = links[0];
  return link ? { kind: "link", token: link.token } : { kind: "no_link" };
}
