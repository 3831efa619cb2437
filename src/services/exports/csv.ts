import { z } from "@hono/zod-openapi";
import { and, eq, lt, or, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import Papa from "papaparse";
import { parisToday } from "../../domain/dates";
import type { ServiceContext } from "../context";
import { organizationParent } from "../pagination";

/**
 * CSV exports (RFC 4180: CRLF line ends, fields quoted when they hold the separator, a quote or a
 * line break, quotes doubled; papaparse does the quoting). UTF-8 with a BOM and `;` by default:
 * what French Excel opens without an import wizard, with `,` as the decimal mark. `separator=,`
 * gives the international form, with `.` as the decimal mark.
 */
export const CSV_SEPARATORS = [";", ","] as const;
export type CsvSeparator = (typeof CSV_SEPARATORS)[number];

export const CsvSeparatorQuery = z
  .enum(CSV_SEPARATORS)
  .default(";")
  .openapi({ description: "Field separator: `;` (default; amounts with a decimal comma, as French Excel reads them) or `,` (amounts with a decimal point).", example: ";" });

/** How a column's value is written. */
export interface CsvFormat {
  separator: CsvSeparator;
  /** Cents as units of the currency with two decimals: `1234,56` with `;`, `1234.56` with `,`. */
  amount(cents: number | null | undefined): string;
  /** An instant's Paris calendar date, `YYYY-MM-DD`. */
  parisDate(instant: string | null | undefined): string;
  /** Free text from a partner or payer, defused for spreadsheets (see `text`). */
  text(value: string | null | undefined): string;
}

export interface CsvColumn<T> {
  header: string;
  description: string;
  value: (row: T, format: CsvFormat) => string | number | boolean | null | undefined;
}


export function csvFormat(separator: CsvSeparator): CsvFormat {
  const decimal = separator === ";" ? "," : ".";
  return {
    separator,
    amount: (cents) => {
      if (cents === null || cents === undefined) return "";
      const sign = cents < 0 ? "-" : "";
      const abs = Math.abs(cents);
      return `${sign}${Math.trunc(abs / 100)}${decimal}${String(abs % 100).padStart(2, "0")}`;
    },
    parisDate: (instant) => (instant ? parisToday(new Date(instant)) : ""),
    // A cell starting with = + - @ (or a tab / CR) is run as a formula by spreadsheets (CSV
    // injection, OWASP): a payer's name or a reference must stay text, so it gets a leading quote.
    // Only free text goes through here; our own amounts (which may start with "-") do not.
    text: (value) => (value ? (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value) : ""),
  };
}

/** What starts every file: Excel reads UTF-8 only after a BOM. */
export const CSV_BOM = "\uFEFF";

/**
 * Records as RFC 4180 lines, each ending CRLF (papaparse quotes a field holding the separator, a
 * quote or a line break, and doubles quotes). For files written in parts, such as a statement
 * with several tables; `csvStream` writes one table.
 */
export function csvLines(rows: readonly (readonly unknown[])[], separator: CsvSeparator): string {
  if (rows.length === 0) return "";
  return Papa.unparse(rows as unknown[][], { delimiter: separator, newline: "\r\n", quotes: false, header: false, escapeFormulae: false }) + "\r\n";
}

/** Rows as records of `columns`' values, written with `format`. */
export function csvRecords<T>(columns: readonly CsvColumn<T>[], rows: readonly T[], format: CsvFormat): unknown[][] {
  return rows.map((row) => columns.map((c) => c.value(row, format) ?? ""));
}

/**
 * A CSV document streamed page by page: the BOM and the header first, then each page's rows as
 * `pages` yields them, so a year of rows never sits in the Worker's memory at once.
 */
export function csvStream<T>(columns: readonly CsvColumn<T>[], separator: CsvSeparator, pages: AsyncIterable<readonly T[]>): ReadableStream<Uint8Array> {
  const format = csvFormat(separator);
  const encoder = new TextEncoder();
  const iterator = pages[Symbol.asyncIterator]();
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(CSV_BOM + csvLines([columns.map((c) => c.header)], separator)));
        return;
      }
      const next = await iterator.next();
      if (next.done) {
        controller.close();
        return;
      }
      if (next.value.length > 0) controller.enqueue(encoder.encode(csvLines(csvRecords(columns, next.value, format), separator)));
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}

/** The headers of a CSV download. */
export function csvHeaders(filename: string): Record<string, string> {
  return {
    "Content-Type": "text/csv; charset=utf-8; header=present",
    "Content-Disposition": `attachment; filename="${filename}"`,
    "Cache-Control": "private, no-store",
  };
}

/** The OpenAPI description of a CSV's columns, for the route that serves it. */
export function describeColumns<T>(columns: readonly CsvColumn<T>[]): string {
  return columns.map((c) => `\`${c.header}\`: ${c.description}`).join("; ");
}

/**
 * Pages of rows read with a keyset (`after` is the last row of the previous page): each page is
 * one D1 read, and nothing beyond the current page is held.
 */
export async function* keysetPages<T>(pageSize: number, read: (after: T | undefined, limit: number) => Promise<T[]>): AsyncGenerator<T[]> {
  let after: T | undefined;
  for (;;) {
    const rows = await read(after, pageSize);
    if (rows.length > 0) yield rows;
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1];
  }
}

type BatchItem = Parameters<ServiceContext["db"]["batch"]>[0][number];

/** Newest first on (time, id): the rows strictly after `after`, the last row of the page before. */
export function olderThan(time: SQLiteColumn, id: SQLiteColumn, after: { at: string; id: string } | undefined): SQL | undefined {
  return after ? or(lt(time, after.at), and(eq(time, after.at), lt(id, after.id))) : undefined;
}

/**
 * An organization's export, page by page: the first page is read in one batch with the
 * organization's check (404 naming X-Entity-Id when it is not the caller's), the others by keyset
 * as the stream is consumed — a response that starts after one round trip, whatever its size.
 */
export async function organizationPages<T>(
  ctx: ServiceContext,
  organizationId: string,
  pageSize: number,
  read: (after: T | undefined, limit: number) => BatchItem & PromiseLike<T[]>,
): Promise<AsyncGenerator<T[]>> {
  const parent = organizationParent(ctx, organizationId);
  const [org, first] = (await ctx.db.batch([parent.query, read(undefined, pageSize)])) as unknown as [unknown[], T[]];
  if (org.length === 0) throw parent.missing();
  return keysetPages<T>(pageSize, async (after, limit) => (after ? await read(after, limit) : first));
}
