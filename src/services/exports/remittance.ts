import { z } from "@hono/zod-openapi";
import { and, asc, eq, gte, isNull, lt, sql } from "drizzle-orm";
import { bankAccounts, departments, invoices, organizations, paymentLinks, payments, refunds } from "../../db/schema";
import { statusIn } from "../../db/status-sql";
import { parisStartOfDay, parisToday } from "../../domain/dates";
import { COLLECTED_PAYMENT_STATUSES, LEDGER_PAYMENT_METHODS, type LedgerPaymentMethod } from "../../domain/payment";
import { parisMonth } from "../../domain/report-periods";
import type { RemittanceDocument } from "../../documents/model";
import { documentEngine } from "../documents/engine";
import { NotFound, ValidationError } from "../../lib/errors";
import { isId } from "../../lib/ids";
import type { ServiceContext } from "../context";
import { unsealPayer } from "../invoices/payer";
import { requestReceiptNumber } from "../payments/receipt";
import { unsealRequestPayer } from "../payment-links/request-payer";
import { ReportCurrency } from "../reports/shared";
import { ANY_ORGANIZATION, scoped, type OrganizationScope } from "../tenancy";
import { csvFormat, CSV_BOM, csvLines, CsvSeparatorQuery, type CsvSeparator } from "./csv";

export const RemittanceQuery = z.object({ currency: ReportCurrency });
export const RemittanceCsvQuery = RemittanceQuery.extend({ separator: CsvSeparatorQuery });

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
/** The platform's dates: no ledger entry exists before 2000, and a statement far in the future is a typo. */
const FIRST_YEAR = 2000;
const LAST_YEAR = 2100;

/** `YYYY-MM` → its Paris calendar days and the instants bounding them; 400 naming `month` otherwise. */
export function remittancePeriod(month: string) {
  const m = MONTH.exec(month);
  const year = m ? Number(m[1]) : NaN;
  if (!m || year < FIRST_YEAR || year > LAST_YEAR) {
    throw new ValidationError(`month must be a calendar month YYYY-MM between ${FIRST_YEAR}-01 and ${LAST_YEAR}-12, got "${month.slice(0, 40)}".`, "month");
  }
  const { from, to } = parisMonth(`${month}-01`);
  const next = month.endsWith("-12") ? `${year + 1}-01-01` : `${year}-${String(Number(m[2]) + 1).padStart(2, "0")}-01`;
  return { month, from, to, start: parisStartOfDay(from).toISOString(), endExclusive: parisStartOfDay(next).toISOString() };
}

type Method = LedgerPaymentMethod;

const parisDate = (instant: string) => parisToday(new Date(instant));

/**
 * A payer's initials, never the name (the statement leaves the régie's hands): the first letter
 * of each word ("Jean-Pierre Dupont" → "J.-P. D."), at most four words, letters only.
 */
export function payerInitials(name: string): string {
  const words = name.normalize("NFC").split(/\s+/).filter((w) => /\p{L}/u.test(w)).slice(0, 4);
  const initials = words.map((w) =>
    w
      .split("-")
      .map((part) => part.match(/\p{L}/u)?.[0]?.toLocaleUpperCase("fr-FR"))
      .filter(Boolean)
      .map((l) => `${l}.`)
      .join("-"),
  );
  return initials.filter(Boolean).join(" ");
}

/**
 * The remittance statement ("bordereau de versement") of a department for a Paris calendar month,
 * in one currency: per day and method what was collected (payments with a collected status, by
 * `paid_at`) and refunded (refunds succeeded, by `completed_at`, of the department's payments);
 * every payment with its receipt number (as GET /v1/payments/{id}/receipt numbers it) and its
 * payer's initials; the refunds; the voided payments apart (never counted); the totals; and the
 * department's identity. The department is addressed by its id alone (any of the partner's
 * organizations): 404 for another partner's. One D1 batch; a month of one department is read
 * whole (a régie's month is thousands of rows at most, unlike the year-long CSV exports).
 */
export async function getRemittance({ ctx, departmentId, organizationId = ANY_ORGANIZATION, month, currency }: { ctx: ServiceContext; departmentId: string; organizationId?: OrganizationScope; month: string; currency: string }) {
  const period = remittancePeriod(month);
  if (!isId("department", departmentId)) throw new NotFound("department", departmentId, "id");
  const ownDepartment = and(eq(departments.id, departmentId), scoped(ctx, departments, organizationId));
  // Every read below stays in the department's organization, not merely the partner's.
  const departmentOrganization = sql`(SELECT ${departments.organization_id} FROM ${departments} WHERE ${ownDepartment})`;
  const ofDepartment = sql`COALESCE(${payments.department_id}, ${invoices.department_id}) = ${departmentId}`;
  const e = (column: string) => sql.raw(`"earlier"."${column}"`);
  // The receipt's rank: the payment's order of entry into the ledger among its invoice's payments (services/payments/receipt.ts).
  // tenancy-exempt: correlated to the payment row, which the query scopes; the earlier entries share its partner, mode and organization.
  const rank = sql<number>`(SELECT count(*) FROM ${payments} AS "earlier" WHERE ${e("invoice_id")} = ${payments.invoice_id} AND ${e("partner_id")} = ${payments.partner_id} AND ${e("livemode")} = ${payments.livemode} AND ${e("organization_id")} = ${payments.organization_id} AND (${e("created_at")}, ${e("id")}) <= (${payments.created_at}, ${payments.id}))`.mapWith(Number);
  const paymentColumns = {
    id: payments.id,
    amount: payments.amount,
    method: payments.method,
    status: payments.status,
    reference: payments.reference,
    paid_at: payments.paid_at,
    voided_at: payments.voided_at,
    invoice_id: payments.invoice_id,
    invoice_number: invoices.invoice_number,
    invoice_payer: sql<string | null>`${invoices.payer_encrypted}`.as("invoice_payer"),
    link_id: sql<string | null>`${paymentLinks.id}`.as("link_id"),
    link_payer: sql<string | null>`${paymentLinks.payer_encrypted}`.as("link_payer"),
    rank: rank.as("receipt_rank"),
  };

  const [rows, banks, paid, refunded] = await ctx.db.batch([
    ctx.db
      // Distinct column names: D1 returns a batch's rows keyed by column name, so a name read twice (id, name, payer_encrypted) would collide.
      .select({
        id: departments.id,
        livemode: departments.livemode,
        name: departments.name,
        code: departments.code,
        organization_id: sql<string>`${organizations.id}`.as("organization_id"),
        organization_name: sql<string>`${organizations.name}`.as("organization_name"),
        siret: organizations.siret,
        address: sql<string | null>`${organizations.address}`.as("organization_address"),
        primary_color: sql<string | null>`json_extract(${organizations.branding}, '$.primary_color')`.as("primary_color"),
      })
      .from(departments)
      .innerJoin(organizations, and(eq(organizations.id, departments.organization_id), scoped(ctx, organizations)))
      .where(ownDepartment),
    ctx.db
      .select({ iban_masked: bankAccounts.iban_masked, bank_name: bankAccounts.bank_name })
      .from(bankAccounts)
      .where(
        and(
          eq(bankAccounts.department_id, departmentId),
          scoped(ctx, bankAccounts, ANY_ORGANIZATION),
          eq(bankAccounts.organization_id, departmentOrganization),
          eq(bankAccounts.is_default, true),
          eq(bankAccounts.status, "active"),
          isNull(bankAccounts.deleted_at),
        ),
      ),
    ctx.db
      .select(paymentColumns)
      .from(payments)
      .leftJoin(invoices, and(eq(invoices.id, payments.invoice_id), scoped(ctx, invoices, ANY_ORGANIZATION), eq(invoices.organization_id, payments.organization_id)))
      .leftJoin(paymentLinks, and(eq(paymentLinks.id, payments.payment_link_id), scoped(ctx, paymentLinks, ANY_ORGANIZATION), eq(paymentLinks.organization_id, payments.organization_id)))
      .where(
        and(
          scoped(ctx, payments, ANY_ORGANIZATION),
          eq(payments.organization_id, departmentOrganization),
          ofDepartment,
          eq(payments.currency, currency),
          gte(payments.paid_at, period.start),
          lt(payments.paid_at, period.endExclusive),
          sql`(${statusIn(payments.status, COLLECTED_PAYMENT_STATUSES)} OR ${payments.status} = 'voided')`,
        ),
      )
      .orderBy(asc(payments.paid_at), asc(payments.id)),
    ctx.db
      .select({ id: sql<string>`${refunds.id}`.as("refund_id"), amount: sql<number>`${refunds.amount}`.as("refund_amount"), completed_at: refunds.completed_at, payment: paymentColumns })
      .from(refunds)
      .innerJoin(payments, and(eq(payments.payment_intent_id, refunds.payment_intent_id), scoped(ctx, payments, ANY_ORGANIZATION), eq(payments.organization_id, refunds.organization_id)))
      .leftJoin(invoices, and(eq(invoices.id, payments.invoice_id), scoped(ctx, invoices, ANY_ORGANIZATION), eq(invoices.organization_id, payments.organization_id)))
      .leftJoin(paymentLinks, and(eq(paymentLinks.id, payments.payment_link_id), scoped(ctx, paymentLinks, ANY_ORGANIZATION), eq(paymentLinks.organization_id, payments.organization_id)))
      .where(
        and(
          scoped(ctx, refunds, ANY_ORGANIZATION),
          eq(refunds.organization_id, departmentOrganization),
          ofDepartment,
          eq(refunds.currency, currency),
          eq(refunds.status, "succeeded"),
          gte(refunds.completed_at, period.start),
          lt(refunds.completed_at, period.endExclusive),
        ),
      )
      .orderBy(asc(refunds.completed_at), asc(refunds.id)),
  ]);
  const found = rows[0];
  if (!found) throw new NotFound("department", departmentId, "id");
  const department = { id: found.id, name: found.name, code: found.code };

  // Payers are sealed per invoice / per request link: each opened once.
  const initials = new Map<string, Promise<string>>();
  const key = ctx.env.ENCRYPTION_KEY;
  const initialsOf = (p: (typeof paid)[number]): Promise<string> => {
    const id = p.invoice_id ?? p.link_id;
    if (!id) return Promise.resolve("");
    let got = initials.get(id);
    if (!got) {
      got = (async () => {
        if (p.invoice_id && p.invoice_payer) return payerInitials((await unsealPayer(key, p.invoice_id, p.invoice_payer)).name);
        if (p.link_id && p.link_payer) return payerInitials((await unsealRequestPayer(key, p.link_id, p.link_payer)).name);
        return "";
      })();
      initials.set(id, got);
    }
    return got;
  };
  const receiptNumber = (p: (typeof paid)[number]) => (p.invoice_id && p.invoice_number ? `${p.invoice_number}-R${p.rank}` : requestReceiptNumber(p.id));
  const line = async (p: (typeof paid)[number]) => ({
    id: p.id,
    receipt_number: receiptNumber(p),
    invoice_id: p.invoice_id,
    invoice_number: p.invoice_number ?? null,
    payer_initials: await initialsOf(p),
    amount: p.amount,
    method: p.method,
    reference: p.reference,
    paid_at: p.paid_at,
    date: parisDate(p.paid_at),
  });

  const counted = paid.filter((p) => p.status !== "voided");
  const voided = paid.filter((p) => p.status === "voided");
  const paymentLines = await Promise.all(counted.map(line));
  const voidedLines = await Promise.all(voided.map(async (p) => ({ ...(await line(p)), voided_at: p.voided_at })));
  const refundLines = refunded.map((r) => ({
    id: r.id,
    payment_id: r.payment.id,
    receipt_number: receiptNumber(r.payment),
    amount: r.amount,
    method: r.payment.method,
    completed_at: r.completed_at!,
    date: parisDate(r.completed_at!),
  }));

  const zero = () => ({ collected_count: 0, collected: 0, refunded_count: 0, refunded: 0 });
  const byDay = new Map<string, ReturnType<typeof zero> & { date: string; method: Method }>();
  const dayLine = (date: string, method: Method) => {
    const k = `${date} ${method}`;
    let d = byDay.get(k);
    if (!d) byDay.set(k, (d = { date, method, ...zero() }));
    return d;
  };
  const byMethod = new Map<Method, ReturnType<typeof zero>>(LEDGER_PAYMENT_METHODS.map((m) => [m, zero()]));
  for (const p of paymentLines) {
    const d = dayLine(p.date, p.method);
    d.collected_count++;
    d.collected += p.amount;
    const m = byMethod.get(p.method)!;
    m.collected_count++;
    m.collected += p.amount;
  }
  for (const r of refundLines) {
    const d = dayLine(r.date, r.method);
    d.refunded_count++;
    d.refunded += r.amount;
    const m = byMethod.get(r.method)!;
    m.refunded_count++;
    m.refunded += r.amount;
  }
  const methodOrder = (m: Method) => LEDGER_PAYMENT_METHODS.indexOf(m);
  const days = [...byDay.values()].sort((a, b) => a.date.localeCompare(b.date) || methodOrder(a.method) - methodOrder(b.method));
  const collected = paymentLines.reduce((s, p) => s + p.amount, 0);
  const refundedTotal = refundLines.reduce((s, r) => s + r.amount, 0);

  return {
    object: "remittance_statement" as const,
    livemode: found.livemode,
    organization: { id: found.organization_id, name: found.organization_name, siret: found.siret },
    department,
    bank_account: banks[0] ? { iban_masked: banks[0].iban_masked, bank_name: banks[0].bank_name } : null,
    period: { month: period.month, from: period.from, to: period.to },
    currency,
    days,
    payments: paymentLines,
    refunds: refundLines,
    voided_payments: voidedLines,
    totals: {
      collected,
      refunded: refundedTotal,
      net: collected - refundedTotal,
      collected_count: paymentLines.length,
      refunded_count: refundLines.length,
      by_method: Object.fromEntries([...byMethod].map(([m, t]) => [m, { ...t, net: t.collected - t.refunded }])) as Record<Method, ReturnType<typeof zero> & { net: number }>,
    },
    // Not part of the JSON: what the PDF prints of the organization.
    _print: { address: found.address ? (JSON.parse(found.address) as RemittanceDocument["organization"]["address"]) : null, primary_color: found.primary_color ?? null },
  };
}

export type RemittanceStatement = Awaited<ReturnType<typeof getRemittance>>;

/** The statement as JSON: the print-only fields dropped. */
export function presentRemittance({ _print, ...statement }: RemittanceStatement) {
  void _print;
  return statement;
}

/**
 * The statement as CSV (csv.ts's format: BOM, CRLF, `;` and decimal commas by default): a title
 * line, then the daily lines, the payments, the refunds and the voided payments, each a table
 * with its own header line, separated by an empty line.
 */
export function remittanceCsv(s: RemittanceStatement, separator: CsvSeparator): string {
  const f = csvFormat(separator);
  const section = (title: string, header: string[], rows: unknown[][]) => csvLines([[title], header, ...rows], separator) + "\r\n";
  const paymentRow = (p: RemittanceStatement["payments"][number]) => [p.date, p.receipt_number, p.invoice_number ?? "", f.text(p.payer_initials), p.method, f.amount(p.amount), f.text(p.reference), p.id];
  const paymentHeader = ["date", "receipt_number", "invoice_number", "payer_initials", "method", "amount", "reference", "payment_id"];
  return (
    CSV_BOM +
    section(
      "remittance_statement",
      ["organization", "siret", "department", "department_code", "iban", "month", "from", "to", "currency", "collected", "refunded", "net"],
      [[f.text(s.organization.name), s.organization.siret, f.text(s.department.name), f.text(s.department.code), s.bank_account?.iban_masked ?? "", s.period.month, s.period.from, s.period.to, s.currency, f.amount(s.totals.collected), f.amount(s.totals.refunded), f.amount(s.totals.net)]],
    ) +
    section(
      "days",
      ["date", "method", "collected_count", "collected", "refunded_count", "refunded"],
      s.days.map((d) => [d.date, d.method, d.collected_count, f.amount(d.collected), d.refunded_count, f.amount(d.refunded)]),
    ) +
    section("payments", paymentHeader, s.payments.map(paymentRow)) +
    section(
      "refunds",
      ["date", "receipt_number", "method", "amount", "refund_id"],
      s.refunds.map((r) => [r.date, r.receipt_number, r.method, f.amount(r.amount), r.id]),
    ) +
    section("voided_payments", paymentHeader, s.voided_payments.map(paymentRow))
  ).replace(/\r\n$/, "");
}

/**
 * The statement as a PDF a régisseur signs. Deterministic: dated by the latest movement it lists
 * (the period's first instant when there is none) and identified by department, month and
 * currency, so the same data always gives the same bytes.
 */
export async function remittancePdf(s: RemittanceStatement) {
  const doc: RemittanceDocument = {
    organization: { name: s.organization.name, siret: s.organization.siret, address: s._print.address, primary_color: s._print.primary_color },
    department: { name: s.department.name, code: s.department.code },
    bank_account: s.bank_account,
    period: s.period,
    currency: s.currency as RemittanceDocument["currency"],
    days: s.days,
    payments: s.payments,
    refunds: s.refunds,
    voided_payments: s.voided_payments,
    totals: {
      collected: s.totals.collected,
      refunded: s.totals.refunded,
      net: s.totals.net,
      by_method: LEDGER_PAYMENT_METHODS.map((method) => ({ method, ...s.totals.by_method[method] })).filter((m) => m.collected_count + m.refunded_count > 0),
    },
  };
  const instants = [...s.payments.map((p) => p.paid_at), ...s.refunds.map((r) => r.completed_at), ...s.voided_payments.map((p) => p.voided_at ?? p.paid_at)];
  const createdAt = instants.reduce((max, t) => (t > max ? t : max), parisStartOfDay(s.period.from).toISOString());
  const bytes = await (await documentEngine()).renderRemittancePdf(doc, { created_at: createdAt, document_id: `remittance-${s.department.id}-${s.period.month}-${s.currency}` });
  return { bytes, contentType: "application/pdf" as const, filename: `bordereau-${s.department.code}-${s.period.month}.pdf`, sha256: null };
}
