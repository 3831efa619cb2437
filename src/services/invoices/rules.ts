import type { Warning } from "../../domain/identity";
import { DEFAULT_UNIT } from "../../domain/units";
import { computeInvoiceAmounts, MAX_TOTAL_CENTS, type LineInput } from "../../domain/vat";
import { ValidationError } from "../../lib/errors";

/** Lines as stored: every line carries its unit (C62, "one", unless told). */
function withUnits<T extends { unit?: string }>(lines: readonly T[]): (T & { unit: string })[] {
  return lines.map((l) => ({ ...l, unit: l.unit ?? DEFAULT_UNIT }));
}

/** Lines (each with its unit) and amounts of a draft invoice or quote, refusing totals too large to carry exactly. */
export function draftAmounts(lines: readonly LineInput[]) {
  const amounts = computeInvoiceAmounts(withUnits(lines));
  if (amounts.total_amount > MAX_TOTAL_CENTS) {
    throw new ValidationError(`The invoice total may not exceed ${MAX_TOTAL_CENTS} cents.`, "line_items", "amount_too_large");
  }
  return amounts;
}

/**
 * A due date before today (Paris) is refused in live mode. Test mode accepts it with a warning,
 * so seed 001's examples (due 2024-03-31) run verbatim; such an invoice turns overdue at the
 * next sweep once issued.
 */
export function assessDueDate(dueDate: string | null | undefined, today: string, livemode: boolean): Warning[] {
  if (!dueDate || dueDate >= today) return [];
  const message = `due_date ${dueDate} is before today (${today}, Europe/Paris).`;
  if (livemode) throw new ValidationError(message, "due_date", "due_date_in_past");
  return [{ code: "due_date_in_past", param: "due_date", message: `${message} Accepted in test mode only.` }];
}

/** A 0 % line needs the legal reason it carries no VAT, printed on the invoice. */
export function requireExemptionReason(lines: readonly { vat_rate: number }[], reason: string | null | undefined): void {
  if (lines.some((l) => l.vat_rate === 0) && !reason?.trim()) {
    throw new ValidationError(
      "A line at 0 % VAT needs vat_exemption_reason, the mention printed on the invoice (e.g. \"TVA non applicable, art. 293 B du CGI\").",
      "vat_exemption_reason",
      "vat_exemption_reason_required",
    );
  }
}

export function withoutWarning(warnings: Warning[], code: string): Warning[] {
  return warnings.filter((w) => w.code !== code);
}
