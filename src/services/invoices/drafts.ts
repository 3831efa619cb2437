import { and, eq, sql, type SQL } from "drizzle-orm";
import { departments } from "../../db/schema";
import { NotFound } from "../../lib/errors";
import { isId } from "../../lib/ids";
import type { ServiceContext } from "../context";
import { owner, scoped } from "../tenancy";
import { payerEmailHash, sealPayer, unsealPayer, type Payer } from "./payer";
import type { InvoiceRow } from "./present";

// What a draft invoice and a draft quote share: a quote is written the way an invoice is (same
// department rule, same payer sealing), and accepting one makes a draft invoice.

/** A department id that cannot be one is a 404 on `department_id`, before anything is read. */
export function requireDepartmentId(departmentId: string | undefined): void {
  if (departmentId !== undefined && !isId("department", departmentId)) throw new NotFound("department", departmentId, "department_id");
}

/** Guard of a draft's write: its department is the organization's (checked inside the batch). */
export function departmentIsTheOrganizations(ctx: ServiceContext, organizationId: string, departmentId: string): SQL {
  return sql`EXISTS (SELECT 1 FROM ${departments} WHERE ${and(eq(departments.id, departmentId), scoped(ctx, departments, organizationId))})`;
}

/**
 * After an edit's guarded update changed nothing: a 404 on `department_id` if the edit moved the
 * draft to a department that is not the organization's (else the caller's 409 stands).
 */
export async function explainDepartment(ctx: ServiceContext, organizationId: string, asked: string | undefined, before: string): Promise<void> {
  if (asked === undefined || asked === before) return;
  const [dept] = await ctx.db.select({ id: departments.id }).from(departments).where(and(eq(departments.id, asked), scoped(ctx, departments, organizationId)));
  if (!dept) throw new NotFound("department", asked, "department_id");
}

/** How a row's payer is sealed at rest: an invoice's and a quote's are bound to their own row. */
export interface PayerSealing {
  seal(key: string, id: string, payer: Payer): Promise<string>;
  unseal(key: string, id: string, sealed: string): Promise<Payer>;
}

export const INVOICE_PAYER: PayerSealing = { seal: sealPayer, unseal: unsealPayer };

/** The payer columns of a row: sealed, and the keyed hash of the email (the `payer_email` filter). */
export async function payerColumns(key: string, id: string, payer: Payer, sealing: PayerSealing) {
  const [payer_encrypted, payer_email_hash] = await Promise.all([sealing.seal(key, id, payer), payerEmailHash(key, payer.email)]);
  return { payer_encrypted, payer_email_hash };
}

/**
 * A draft's payer before and after an edit, and the columns to write (none if it did not change).
 * The same payer sent again is no change: sealing is randomized, so the clear values are compared.
 */
export async function editPayer(key: string, id: string, sealedBefore: string, given: Payer | undefined, sealing: PayerSealing) {
  const before = await sealing.unseal(key, id, sealedBefore);
  const changed = given !== undefined && JSON.stringify(given) !== JSON.stringify(before);
  return {
    before,
    after: given ?? before,
    changed,
    columns: changed && given ? await payerColumns(key, id, given, sealing) : {},
  };
}

type DraftInvoiceFields = Pick<
  InvoiceRow,
  | "id"
  | "department_id"
  | "currency"
  | "payer_encrypted"
  | "payer_email_hash"
  | "line_items"
  | "subtotal_amount"
  | "tax_amount"
  | "total_amount"
  | "tax_breakdown"
  | "payment_terms"
  | "vat_exemption_reason"
> &
  Partial<
    Pick<
      InvoiceRow,
      "type" | "deducted_deposits" | "deposits_amount" | "quote_id" | "service_date" | "service_period" | "operation_category" | "due_date" | "metadata" | "warnings"
    >
  >;

/**
 * A new draft invoice row (by POST /v1/invoices or by accepting a quote): what the caller gives,
 * and what every draft starts with — no number, no money, no documents, no frozen mentions.
 */
export function draftInvoiceRow(ctx: ServiceContext, organizationId: string, fields: DraftInvoiceFields): InvoiceRow {
  const depositsAmount = fields.deposits_amount ?? 0;
  return {
    ...owner(ctx),
    organization_id: organizationId,
    dunning_paused: false,
    ...fields,
    status: "draft",
    invoice_number: null,
    amount_paid: 0,
    amount_due: fields.total_amount - depositsAmount,
    type: fields.type ?? "standard",
    deducted_deposits: fields.deducted_deposits ?? null,
    deposits_amount: depositsAmount,
    credited_amount: 0,
    deducted_by: null,
    quote_id: fields.quote_id ?? null,
    service_date: fields.service_date ?? null,
    service_period: fields.service_period ?? null,
    operation_category: fields.operation_category ?? "services",
    payee_encrypted: null,
    document_sha256: null,
    xml_sha256: null,
    document_generated_at: null,
    due_date: fields.due_date ?? null,
    mentions: null,
    metadata: fields.metadata ?? {},
    warnings: fields.warnings ?? [],
    credit_note_id: null,
    issued_at: null,
    paid_at: null,
    cancelled_at: null,
    version: 1,
    created_at: ctx.now,
    updated_at: ctx.now,
  };
}
