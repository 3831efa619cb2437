import { describe, expect, it } from "vitest";
import { renderMessage } from "../../src/services/messages/templates";
import { gsm7Length, SMS_MAX_GSM7 } from "../../src/services/messages/templates/sms";
import { TEMPLATE_NAMES, type Branding, type Locale, type TemplateName } from "../../src/services/messages/templates/types";
import { PAY_URL, TEMPLATE_SAMPLES } from "./template-samples";

const LONG_NAME = "Communauté d'agglomération du Grand Saint-Étienne — Régie des eaux et de l'assainissement";

const DATA = TEMPLATE_SAMPLES;
const WITH_LINK: TemplateName[] = ["invoice", "reminder_before_due", "reminder_due", "reminder_overdue", "final_notice", "payment_link"];
const LOCALES: Locale[] = ["fr", "en"];

const brand = (over: Partial<Branding> = {}): Branding => ({ displayName: "Mairie de Lyon", primaryColor: "#1A4B8C", logoUrl: "https://cdn.example/lyon.png", supportEmail: "regie@lyon.example", ...over });

describe("email templates", () => {
  for (const template of TEMPLATE_NAMES) {
    for (const locale of LOCALES) {
      it(`${template} in ${locale}: language set, one h1, the amount in French format, the link, escaped, under 100 KB`, () => {
        const out = renderMessage("email", template, DATA[template] as never, locale, brand());
        expect(out.html.startsWith("<!DOCTYPE html>")).toBe(true);
        expect(out.html).toContain(`<html lang="${locale}">`);
        expect(out.html.match(/<h1[ >]/g)).toHaveLength(1);
        expect(out.html).toContain('alt="Mairie de Lyon"');
        // 1 234,56 € with the narrow no-break space and the no-break space, as the invoice prints it.
        expect(out.text).toContain("1\u202f234,56\u00a0€");
        expect(out.html).toContain("1\u202f234,56\u00a0€");
        expect(out.subject.length).toBeGreaterThan(10);
        if (WITH_LINK.includes(template)) {
          expect(out.html).toContain(`href="${PAY_URL}"`);
          expect(out.text).toContain(PAY_URL);
        } else {
          expect(out.html).not.toContain("href=");
        }
        expect(out.text).toContain("regie@lyon.example");
        // The limit is 100 KB without attachments; the templates are far under it (about 4 KB in all).
        const size = new TextEncoder().encode(out.html).byteLength + new TextEncoder().encode(out.text).byteLength;
        expect(size).toBeLessThan(100 * 1024);
      });
    }
  }

  it("speaks the payer's language: French by default wording, English on request", () => {
    const fr = renderMessage("email", "reminder_overdue", DATA.reminder_overdue, "fr", brand());
    const en = renderMessage("email", "reminder_overdue", DATA.reminder_overdue, "en", brand());
    expect(fr.subject).toBe("Facture FAC-2026-00042 impayée : 1\u202f234,56\u00a0€");
    expect(fr.text).toContain("02/03/2026");
    expect(en.subject).toBe("Invoice FAC-2026-00042 overdue: 1\u202f234,56\u00a0€");
    expect(en.text).toContain("2 March 2026");
  });

  it("escapes every interpolated value (organization name, payer name, description)", () => {
    const out = renderMessage("email", "payment_link", { ...DATA.payment_link, payerName: "<b>Jean</b>", description: `"><script>alert(1)</script>` }, "fr", brand({ displayName: "Ville & <Co>" }));
    expect(out.html).not.toContain("<script>");
    expect(out.html).not.toContain("<b>Jean</b>");
    expect(out.html).toContain("&lt;script&gt;");
    expect(out.html).toContain("Ville &amp; &lt;Co&gt;");
  });

  it("uses the brand colour only where white on it keeps 4.5:1, else the default dark blue", () => {
    const dark = renderMessage("email", "invoice", DATA.invoice, "fr", brand({ primaryColor: "#1A4B8C" }));
    const pale = renderMessage("email", "invoice", DATA.invoice, "fr", brand({ primaryColor: "#FFE066" }));
    expect(dark.html).toContain("background:#1a4b8c");
    expect(pale.html).not.toMatch(/#ffe066/i);
    expect(pale.html).toContain("background:#1f3a5f");
  });

  it("without a logo has no image, and without a support email says to reply", () => {
    const out = renderMessage("email", "receipt", DATA.receipt, "fr", brand({ logoUrl: null, supportEmail: null }));
    expect(out.html).not.toContain("<img");
    expect(out.text).toContain("Répondez à ce message");
  });
});

describe("SMS templates", () => {
  for (const template of TEMPLATE_NAMES) {
    for (const locale of LOCALES) {
      it(`${template} in ${locale}: one SMS (≤ 160 GSM-7) with the link, even for a long organization name`, () => {
        for (const displayName of ["Mairie de Lyon", LONG_NAME]) {
          const { text } = renderMessage("sms", template, DATA[template] as never, locale, brand({ displayName }));
          const size = gsm7Length(text);
          expect(size, text).not.toBeNull();
          expect(size!, text).toBeLessThanOrEqual(SMS_MAX_GSM7);
          // The amount, spaces made plain for GSM-7 (€ is in its extension table).
          expect(text).toContain("1 234,56 €");
          if (WITH_LINK.includes(template)) expect(text.endsWith(PAY_URL), text).toBe(true);
          if (displayName === "Mairie de Lyon") expect(text.startsWith("Mairie de Lyon")).toBe(true);
        }
      });
    }
  }

  it("keeps a short name whole and shortens a long one rather than the message", () => {
    const { text } = renderMessage("sms", "invoice", DATA.invoice, "fr", brand({ displayName: LONG_NAME }));
    expect(text).toContain("FAC-2026-00042");
    expect(text).toContain("02/03/2026");
    // Shortened with a dot; é is GSM-7 and kept, the dash is made plain.
    expect(text).toMatch(/^Communauté d'agglo[^:]*\.: facture/);
  });
});
