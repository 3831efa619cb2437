import { ValidationError } from "../lib/errors";
import { checkBic, checkFrVatNumber, checkIban, checkSiret, sirenFromSiret, type CheckResult } from "./identifiers";
import { isSandboxIban } from "./sandbox";

/**
 * How identifier checks apply per mode (DESIGN.md "Sandbox"): live mode refuses a failed
 * checksum with 400 naming the field; test mode accepts it with a warning, so the seed's
 * quickstart (whose SIRET and VAT number fail their checksums) works verbatim. Format errors
 * (wrong length, letters in a SIRET) are refused in both modes.
 */

export interface Warning {
  code: string;
  param: string;
  message: string;
}

function apply(result: CheckResult, param: string, label: string, livemode: boolean, warnings: Warning[]): string {
  if (result.ok) return result.normalized;
  if (result.reason === "checksum" && !livemode) {
    warnings.push({
      code: `${param.split(".").pop()}_checksum_failed`,
      param,
      message: `${sentence(result.message)} Accepted in test mode only: live mode refuses this ${label}.`,
    });
    return result.normalized;
  }
  throw new ValidationError(`Invalid ${label}: ${result.message}`, param, `invalid_${param.split(".").pop()}`);
}

function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

export interface OrganizationIdentity {
  siret: string;
  siren: string;
  vat_number: string | null;
  warnings: Warning[];
}

export function assessOrganizationIdentity(
  input: { siret: string; vat_number?: string | null | undefined },
  livemode: boolean,
): OrganizationIdentity {
  const warnings: Warning[] = [];
  const siret = apply(checkSiret(input.siret), "siret", "SIRET", livemode, warnings);
  const siren = sirenFromSiret(siret);
  let vat: string | null = null;
  if (input.vat_number) {
    vat = apply(checkFrVatNumber(input.vat_number), "vat_number", "VAT number", livemode, warnings);
    // A French VAT number embeds the SIREN: it must be this organization's.
    if (vat.slice(4) !== siren) {
      const message = `The VAT number's SIREN (${vat.slice(4)}) is not the organization's (${siren}).`;
      if (livemode) throw new ValidationError(message, "vat_number", "vat_number_siren_mismatch");
      warnings.push({ code: "vat_number_siren_mismatch", param: "vat_number", message: `${message} Accepted in test mode only.` });
    }
  }
  return { siret, siren, vat_number: vat, warnings };
}

/** IBAN rules: mod-97 and per-country length in both modes, except the sandbox's magic IBANs in test mode. */
export function assessIban(raw: string, livemode: boolean, param = "iban"): string {
  const result = checkIban(raw);
  if (result.ok) return result.normalized;
  if (!livemode && isSandboxIban(result.normalized)) return result.normalized;
  throw new ValidationError(`Invalid IBAN: ${result.message}`, param, "invalid_iban");
}

export function assessBic(raw: string, param = "bic"): string {
  const result = checkBic(raw);
  if (!result.ok) throw new ValidationError(`Invalid BIC: ${result.message}`, param, "invalid_bic");
  return result.normalized;
}
