import { z } from "@hono/zod-openapi";
import { and, asc, eq, getTableColumns, gt, gte, inArray, isNotNull, lt, or } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { creditNotes, invoices, organizations, payments, refunds } from "../../db/schema";
import { statusIn } from "../../db/status-sql";
import { parisStartOfDay, parisToday } from "../../domain/dates";
import { COLLECTED_PAYMENT_STATUSES, type LedgerPaymentMethod } from "../../domain/payment";
import { NotFound } from "../../lib/errors";
import type { ServiceContext } from "../context";
import { resolveAccounts } from "../organizations/accounting";
import { scoped } from "../tenancy";
import { keysetPages } from "./csv";

/**
 * The FEC, "fichier des écritures comptables" (LPF art. L47 A-I; format: art. A47 A-1, BOI-CF-IOR-60-40-20):
 * the organization's sales journal (VE) and bank journal (BQ) for one calendar year, in the 18
 * columns every French accounting package imports.
 *
 * - VE: an issued invoice debits the customer account with its total (TTC) and credits revenue
 *   (HT) and VAT collected, one line each per VAT rate; a credit note is the reverse.
 * - BQ: a payment received debits the bank and credits the customer; a refund is the reverse.
 * - Dates are Paris calendar dates (YYYYMMDD); amounts are euros with a decimal comma, no
 *   thousands separator, both Debit and Credit filled ("0,00" on the other side).
 * - Only EUR rows: the FEC is kept in euros and we hold no exchange rate for a payment request in
 *   another currency (those are left out; see the route's description).
 * - Encoded ISO 8859-15, one of the encodings A47 A-1 lists; a character outside it becomes "?".
 */

export const FEC_COLUMNS = [
  "JournalCode",
  "JournalLib",
  "EcritureNum",
  "EcritureDate",
  "CompteNum",
  "CompteLib",
  "CompAuxNum",
  "CompAuxLib",
  "PieceRef",
  "PieceDate",
  "EcritureLib",
  "Debit",
  "Credit",
  "EcritureLet",
  "DateLet",
  "ValidDate",
  "Montantdevise",
  "Idevise",
] as const;

export const FEC_SEPARATORS = { pipe: "|", tab: "\t" } as const;

const FIRST_YEAR = 2000;

export const ExportFecInput = z.object({
  year: z
    .string()
    .regex(/^\d{4}$/, "must be a year YYYY")
    .refine((y) => Number(y) >= FIRST_YEAR && Number(y) <= Number(parisToday().slice(0, 4)) + 1, `must be a year from ${FIRST_YEAR} to next year`)
    .openapi({ description: "The fiscal year (calendar year, Europe/Paris): 2000 to next year.", example: "2026" }),
  separator: z
    .enum(["pipe", "tab"])
    .default("pipe")
    .openapi({ description: "Field separator: `pipe` (`|`, default) or `tab`, the two A47 A-1 allows.", example: "pipe" }),
});

const JOURNALS = { VE: "Ventes", BQ: "Banque" } as const;
type Journal = keyof typeof JOURNALS;

interface FecLine {
  account: string;
  accountLabel: string;
  debit: number;
  credit: number;
}

/** One entry (écriture): balanced lines sharing a journal, a number, a date and a document. */
export interface FecEntry {
  journal: Journal;
  /** The source row's id: orders entries of the same instant. */
  id: string;
  /** The instant that orders entries within their journal. */
  at: string;
  pieceRef: string;
  label: string;
  lines: FecLine[];
}


/** An instant's Paris calendar date as the FEC writes it: YYYYMMDD. */
export function fecDate(instant: string): string {
  return parisToday(new Date(instant)).replaceAll("-", "");
}

/** Cents as the FEC writes amounts: euros, a decimal comma, no thousands separator ("1234,56"). */
export function fecAmount(cents: number): string {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  return `${sign}${Math.trunc(abs / 100)},${String(abs % 100).padStart(2, "0")}`;
}

/** A VAT rate as French labels write it: "5,5 %". */
function rateLabel(rate: number): string {
  return `${String(rate).replace(".", ",")} %`;
}

type Accounts = ReturnType<typeof resolveAccounts>;
type TaxBreakdown = { vat_rate: number; taxable_amount: number; tax_amount: number }[];

/**
 * A deposit invoice ("facture d'acompte") is no sale yet: its amount excluding VAT goes to 4191
 * (customers' advances, PCG), its VAT is collected at once; the final invoice that deducts it then
 * moves it back out of 4191 and 44571 against the customer, so revenue and VAT are counted once.
 */
export const DEPOSIT_ACCOUNT = { number: "419100", label: "Clients - avances et acomptes reçus" } as const;

/** Revenue (or advance) and VAT lines of a document, one each per rate (a zero amount writes no line). */
function salesLines(accounts: Accounts, breakdown: TaxBreakdown, side: "credit" | "debit", deposit: boolean): FecLine[] {
  const line = (account: string, accountLabel: string, amount: number): FecLine[] =>
    amount === 0 ? [] : [{ account, accountLabel, debit: side === "debit" ? amount : 0, credit: side === "credit" ? amount : 0 }];
  return breakdown.flatMap((b) => [
    ...(deposit
      ? line(DEPOSIT_ACCOUNT.number, `${DEPOSIT_ACCOUNT.label} TVA ${rateLabel(b.vat_rate)}`, b.taxable_amount)
      : line(accounts.revenue(b.vat_rate), `Prestations de services TVA ${rateLabel(b.vat_rate)}`, b.taxable_amount)),
    ...line(accounts.vat(b.vat_rate), `TVA collectée ${rateLabel(b.vat_rate)}`, b.tax_amount),
  ]);
}

// Only what the entries need: an invoice's lines, mentions and payer stay in D1.
const invoiceColumns = {
  id: invoices.id,
  type: invoices.type,
  invoice_number: invoices.invoice_number,
  issued_at: invoices.issued_at,
  total_amount: invoices.total_amount,
  tax_breakdown: invoices.tax_breakdown,
  deducted_deposits: invoices.deducted_deposits,
};
const creditNoteColumns = {
  id: creditNotes.id,
  credit_note_number: creditNotes.credit_note_number,
  invoice_number: creditNotes.invoice_number,
  issued_at: creditNotes.issued_at,
  total_amount: creditNotes.total_amount,
  tax_breakdown: creditNotes.tax_breakdown,
  invoice_type: invoices.type,
};
type InvoiceRow = Pick<typeof invoices.$inferSelect, keyof typeof invoiceColumns>;
type CreditNoteRow = Pick<typeof creditNotes.$inferSelect, Exclude<keyof typeof creditNoteColumns, "invoice_type">> & { invoice_type: string | null };
/** A final invoice with what each deposit it deducts brought, per rate, net of the deposit's own credit notes. */
type InvoiceWithDeposits = InvoiceRow & { deposits: { invoice_number: string; amount: number; breakdown: TaxBreakdown }[] };

export function invoiceEntry(accounts: Accounts, invoice: InvoiceWithDeposits): FecEntry {
  const deposit = invoice.type === "deposit";
  const imputations = invoice.deposits.flatMap((d) => [
    ...salesLines(accounts, d.breakdown, "debit", true),
    { account: accounts.customer, accountLabel: `Clients - acompte ${d.invoice_number} déduit`, debit: 0, credit: d.amount },
  ]);
  return {
    journal: "VE",
    id: invoice.id,
    at: invoice.issued_at!,
    pieceRef: invoice.invoice_number!,
    label: `${deposit ? "Facture d'acompte" : "Facture"} ${invoice.invoice_number}`,
    lines: [
      { account: accounts.customer, accountLabel: "Clients", debit: invoice.total_amount, credit: 0 },
      ...salesLines(accounts, invoice.tax_breakdown, "credit", deposit),
      ...imputations,
    ],
  };
}

export function creditNoteEntry(accounts: Accounts, note: CreditNoteRow): FecEntry {
  return {
    journal: "VE",
    id: note.id,
    at: note.issued_at,
    pieceRef: note.credit_note_number,
    label: `Avoir ${note.credit_note_number} sur ${note.invoice_number}`,
    lines: [
      ...salesLines(accounts, note.tax_breakdown, "debit", note.invoice_type === "deposit"),
      { account: accounts.customer, accountLabel: "Clients", debit: 0, credit: note.total_amount },
    ],
  };
}

/** `breakdown` less each of `minus`, rate by rate. */
function netBreakdown(breakdown: TaxBreakdown, minus: TaxBreakdown[]): TaxBreakdown {
  return breakdown.map((b) => {
    const same = minus.flatMap((m) => m.filter((x) => x.vat_rate === b.vat_rate));
    return {
      vat_rate: b.vat_rate,
      taxable_amount: b.taxable_amount - same.reduce((s, x) => s + x.taxable_amount, 0),
      tax_amount: b.tax_amount - same.reduce((s, x) => s + x.tax_amount, 0),
    };
  });
}

const METHOD_LABELS: Record<LedgerPaymentMethod, string> = {
  sepa_credit: "virement SEPA",
  card: "carte",
  cash: "espèces",
  cheque: "chèque",
  bank_transfer: "virement",
  other: "autre",
};

type PaymentRow = typeof payments.$inferSelect & { invoice_number: string | null };
type RefundRow = typeof refunds.$inferSelect & { invoice_number: string | null; method: string | null };

export function paymentEntry(accounts: Accounts, payment: PaymentRow): FecEntry {
  // The payment id is the piece (its receipt); a cheque number or transfer label goes in the label.
  const method = [METHOD_LABELS[payment.method], payment.reference].filter(Boolean).join(" ");
  return {
    journal: "BQ",
    id: payment.id,
    at: payment.paid_at,
    pieceRef: payment.id,
    label: `Règlement ${payment.invoice_number ?? "demande de paiement"} (${method})`,
    lines: [
      { account: accounts.bank, accountLabel: "Banque", debit: payment.amount, credit: 0 },
      { account: accounts.customer, accountLabel: "Clients", debit: 0, credit: payment.amount },
    ],
  };
}

export function refundEntry(accounts: Accounts, refund: RefundRow): FecEntry {
  const method = refund.method ? ` (${METHOD_LABELS[refund.method as LedgerPaymentMethod] ?? refund.method})` : "";
  return {
    journal: "BQ",
    id: refund.id,
    at: refund.completed_at!,
    pieceRef: refund.id,
    label: `Remboursement ${refund.invoice_number ?? "demande de paiement"}${method}`,
    lines: [
      { account: accounts.customer, accountLabel: "Clients", debit: refund.amount, credit: 0 },
      { account: accounts.bank, accountLabel: "Banque", debit: 0, credit: refund.amount },
    ],
  };
}

/** A field as the FEC carries it: no quoting exists, so a separator or line break inside becomes a space. */
function field(value: string): string {
  return value.replace(/[|\t\r\n]+/g, " ");
}

/** The file's lines for one entry, numbered `number` in its journal. */
export function entryRows(entry: FecEntry, number: number): string[][] {
  const date = fecDate(entry.at);
  const num = `${entry.journal}${String(number).padStart(6, "0")}`;
  return entry.lines.map((l) => [
    entry.journal,
    JOURNALS[entry.journal],
    num,
    date,
    l.account,
    field(l.accountLabel),
    "",
    "",
    field(entry.pieceRef),
    date,
    field(entry.label),
    fecAmount(l.debit),
    fecAmount(l.credit),
    "",
    "",
    date,
    "",
    "",
  ]);
}

// ISO 8859-15 is Latin-1 with eight code points replaced (€, Š, š, Ž, ž, Œ, œ, Ÿ).
const LATIN9_SPECIAL: Record<number, number> = { 0x20ac: 0xa4, 0x160: 0xa6, 0x161: 0xa8, 0x17d: 0xb4, 0x17e: 0xb8, 0x152: 0xbc, 0x153: 0xbd, 0x178: 0xbe };
const LATIN1_REPLACED = new Set(Object.values(LATIN9_SPECIAL));

/** Text as ISO 8859-15 bytes; a character it cannot write becomes "?". */
export function encodeLatin9(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  let n = 0;
  for (const ch of text.normalize("NFC")) {
    const code = ch.codePointAt(0)!;
    out[n++] = code < 0x80 || (code >= 0xa0 && code <= 0xff && !LATIN1_REPLACED.has(code)) ? code : (LATIN9_SPECIAL[code] ?? 0x3f);
  }
  return out.subarray(0, n);
}

/** Two streams each sorted by `at` (then id), merged into one sorted stream. */
async function* mergeByTime<T extends { at: string; id: string }>(a: AsyncIterator<T>, b: AsyncIterator<T>): AsyncGenerator<T> {
  let x = await a.next();
  let y = await b.next();
  while (!x.done || !y.done) {
    if (y.done || (!x.done && (x.value.at < y.value.at || (x.value.at === y.value.at && x.value.id <= y.value.id)))) {
      yield x.value!;
      x = await a.next();
    } else {
      yield y.value;
      y = await b.next();
    }
  }
}

type Keyed = { at: string; id: string };

/** The entries of a keyset-paged read (ordered by instant, then id), one at a time. */
async function* entriesOf<T extends { id: string }>(at: (row: T) => string, read: (after: Keyed | undefined, limit: number) => Promise<T[]>, toEntry: (row: T) => FecEntry) {
  for await (const page of keysetPages<T>(PAGE_SIZE, (after, limit) => read(after ? { at: at(after), id: after.id } : undefined, limit))) {
    for (const row of page) yield toEntry(row);
  }
}

/** After (at, id) in ascending order: the keyset condition of the next page. */
function afterKey(atColumn: SQLiteColumn, idColumn: SQLiteColumn, after: Keyed | undefined) {
  return after ? or(gt(atColumn, after.at), and(eq(atColumn, after.at), gt(idColumn, after.id))) : undefined;
}

const PAGE_SIZE = 200;
/** Lines per chunk of the stream: enough to keep the number of chunks small. */
const LINES_PER_CHUNK = 500;

/**
 * The FEC of one organization for `year`: its name (`{SIREN}FEC{YYYYMMDD}.txt`, the closing date
 * being 31 December) and the file as a stream. The organization is read first (404 before any
 * byte); then each journal is read page by page, by keyset, as the stream is consumed.
 */
export async function exportFec({ ctx, organizationId, input }: { ctx: ServiceContext; organizationId: string; input: z.infer<typeof ExportFecInput> }) {
  const [org] = await ctx.db
    .select({ siren: organizations.siren, accounting: organizations.accounting })
    .from(organizations)
    .where(and(eq(organizations.id, organizationId), scoped(ctx, organizations)));
  if (!org) throw new NotFound("organization", organizationId, "X-Entity-Id");
  const year = Number(input.year);
  const from = parisStartOfDay(`${year}-01-01`).toISOString();
  const to = parisStartOfDay(`${year + 1}-01-01`).toISOString();
  const accounts = resolveAccounts(org.accounting);

  /** A page of final invoices with the deposits they deduct: one more read, only when the page deducts any. */
  async function withDeposits(rows: InvoiceRow[]): Promise<InvoiceWithDeposits[]> {
    const ids = [...new Set(rows.flatMap((r) => (r.deducted_deposits ?? []).map((d) => d.invoice_id)))];
    if (ids.length === 0) return rows.map((r) => ({ ...r, deposits: [] }));
    const [deposits, reductions] = await ctx.db.batch([
      ctx.db
        .select({ id: invoices.id, tax_breakdown: invoices.tax_breakdown })
        .from(invoices)
        .where(and(scoped(ctx, invoices, organizationId), inArray(invoices.id, ids))),
      ctx.db
        .select({ invoice_id: creditNotes.invoice_id, tax_breakdown: creditNotes.tax_breakdown })
        .from(creditNotes)
        .where(and(scoped(ctx, creditNotes, organizationId), inArray(creditNotes.invoice_id, ids), eq(creditNotes.type, "price_reduction"))),
    ]);
    const net = new Map(deposits.map((d) => [d.id, netBreakdown(d.tax_breakdown, reductions.filter((r) => r.invoice_id === d.id).map((r) => r.tax_breakdown))]));
    return rows.map((r) => ({
      ...r,
      deposits: (r.deducted_deposits ?? []).map((d) => ({ invoice_number: d.invoice_number, amount: d.amount, breakdown: net.get(d.invoice_id) ?? [] })),
    }));
  }

  const issuedInvoices = entriesOf<InvoiceWithDeposits>(
    (r) => r.issued_at!,
    async (after, limit) =>
      withDeposits(
        await ctx.db
          .select(invoiceColumns)
          .from(invoices)
          .where(
            and(
              scoped(ctx, invoices, organizationId),
              isNotNull(invoices.invoice_number),
              eq(invoices.currency, "EUR"),
              gte(invoices.issued_at, from),
              lt(invoices.issued_at, to),
              afterKey(invoices.issued_at, invoices.id, after),
            ),
          )
          .orderBy(asc(invoices.issued_at), asc(invoices.id))
          .limit(limit),
      ),
    (row) => invoiceEntry(accounts, row),
  );
  const notes = entriesOf<CreditNoteRow>(
    (r) => r.issued_at,
    (after, limit) =>
      ctx.db
        .select(creditNoteColumns)
        .from(creditNotes)
        .leftJoin(invoices, and(eq(invoices.id, creditNotes.invoice_id), scoped(ctx, invoices, organizationId)))
        .where(
          and(
            scoped(ctx, creditNotes, organizationId),
            eq(creditNotes.currency, "EUR"),
            gte(creditNotes.issued_at, from),
            lt(creditNotes.issued_at, to),
            afterKey(creditNotes.issued_at, creditNotes.id, after),
          ),
        )
        .orderBy(asc(creditNotes.issued_at), asc(creditNotes.id))
        .limit(limit),
    (row) => creditNoteEntry(accounts, row),
  );
  const received = entriesOf<PaymentRow>(
    (r) => r.paid_at,
    (after, limit) =>
      ctx.db
        .select({ ...getTableColumns(payments), invoice_number: invoices.invoice_number })
        .from(payments)
        .leftJoin(invoices, and(eq(invoices.id, payments.invoice_id), scoped(ctx, invoices, organizationId)))
        .where(
          and(
            scoped(ctx, payments, organizationId),
            statusIn(payments.status, COLLECTED_PAYMENT_STATUSES),
            eq(payments.currency, "EUR"),
            gte(payments.paid_at, from),
            lt(payments.paid_at, to),
            afterKey(payments.paid_at, payments.id, after),
          ),
        )
        .orderBy(asc(payments.paid_at), asc(payments.id))
        .limit(limit),
    (row) => paymentEntry(accounts, row),
  );
  const refunded = entriesOf<RefundRow>(
    (r) => r.completed_at!,
    (after, limit) =>
      ctx.db
        .select({ ...getTableColumns(refunds), invoice_number: invoices.invoice_number, method: payments.method })
        .from(refunds)
        .leftJoin(invoices, and(eq(invoices.id, refunds.invoice_id), scoped(ctx, invoices, organizationId)))
        .leftJoin(payments, and(eq(payments.payment_intent_id, refunds.payment_intent_id), scoped(ctx, payments, organizationId)))
        .where(
          and(
            scoped(ctx, refunds, organizationId),
            eq(refunds.status, "succeeded"),
            eq(refunds.currency, "EUR"),
            gte(refunds.completed_at, from),
            lt(refunds.completed_at, to),
            afterKey(refunds.completed_at, refunds.id, after),
          ),
        )
        .orderBy(asc(refunds.completed_at), asc(refunds.id))
        .limit(limit),
    (row) => refundEntry(accounts, row),
  );

  // The sales journal, then the bank journal, each in chronological order of its documents.
  async function* entries(): AsyncGenerator<FecEntry> {
    yield* mergeByTime(issuedInvoices, notes);
    yield* mergeByTime(received, refunded);
  }

  const separator = FEC_SEPARATORS[input.separator];
  const source = entries();
  const numbers: Record<Journal, number> = { VE: 0, BQ: 0 };
  let headerSent = false;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const rows: string[][] = [];
      if (!headerSent) {
        headerSent = true;
        rows.push([...FEC_COLUMNS]);
      }
      while (rows.length < LINES_PER_CHUNK) {
        const next = await source.next();
        if (next.done) break;
        rows.push(...entryRows(next.value, ++numbers[next.value.journal]));
      }
      if (rows.length > 0) controller.enqueue(encodeLatin9(rows.map((r) => r.join(separator)).join("\r\n") + "\r\n"));
      if (rows.length < LINES_PER_CHUNK) controller.close();
    },
    async cancel() {
      await source.return(undefined);
    },
  });
  return { filename: `${org.siren}FEC${year}1231.txt`, stream };
}
