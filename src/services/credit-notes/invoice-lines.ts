import { sql } from "drizzle-orm";
import { invoices } from "../../db/schema";

/**
 * The credited invoice's lines (a cancellation credits them), selected beside the credit note
 * under their own name: in a D1 batch drizzle reads rows by column name, and the note's own
 * `line_items` would hide the invoice's.
 */
export const invoiceLines = sql<string>`${invoices.line_items}`.as("invoice_line_items");
