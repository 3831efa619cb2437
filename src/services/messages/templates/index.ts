import type { organizations } from "../../../db/schema";
import { copyFor } from "./copy";
import { renderEmail } from "./email";
import { fitSms } from "./sms";
import type { Branding, Locale, TemplateDataMap, TemplateName } from "./types";

export * from "./types";

type OrganizationRow = typeof organizations.$inferSelect;

/** The sender as payers see it: the display name (else the legal name) and the brand. */
export function brandingOf(org: Pick<OrganizationRow, "name" | "branding">): Branding {
  return {
    displayName: org.branding?.display_name ?? org.name,
    primaryColor: org.branding?.primary_color ?? null,
    logoUrl: org.branding?.logo_url ?? null,
    supportEmail: org.branding?.support_email ?? null,
  };
}

/** The alphanumeric sender id: the organization's, else the first 11 letters and digits of its name. */
export function smsSenderId(org: Pick<OrganizationRow, "name" | "branding" | "sms_sender_id">): string {
  if (org.sms_sender_id) return org.sms_sender_id;
  const letters = brandingOf(org)
    .displayName.normalize("NFD")
    .replace(/[^A-Za-z0-9]/g, "")
    .slice(0, 11);
  return letters.length > 0 ? letters : "Paiement";
}

/**
 * A message rendered: pure, (channel, template, data, locale, branding) → what is sent. Email has
 * subject, text and HTML; an SMS only text, ≤ 160 GSM-7 characters including the link.
 */
export function renderMessage<T extends TemplateName>(channel: "email" | "sms", template: T, data: TemplateDataMap[T], locale: Locale, branding: Branding): { subject: string; text: string; html: string } {
  const copy = copyFor(template, data, branding.displayName, locale);
  if (channel === "email") return renderEmail(copy, branding, locale);
  return { subject: copy.subject, text: fitSms(copy.sms, branding.displayName, copy.action?.url ?? null), html: "" };
}
