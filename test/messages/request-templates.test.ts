import { describe, expect, it } from "vitest";
import { renderMessage } from "../../src/services/messages/templates";
import { gsm7Length, SMS_MAX_GSM7 } from "../../src/services/messages/templates/sms";
import type { Branding, Locale } from "../../src/services/messages/templates/types";
import { PAY_URL } from "./template-samples";

/**
 * Issue 13: the messages of a payment request (no invoice): its description stands where the
 * invoice number would, its currency (EUR, USD, GBP) is the one printed, and an SMS still holds in
 * one 160-character GSM-7 text with the link, whatever the description's length.
 */

const LONG_NAME = "Communauté d'agglomération du Grand Saint-Étienne — Régie des eaux et de l'assainissement";
const LONG_DESCRIPTION = "Caution location salle des fêtes du quartier Saint-Jean, samedi 14 juin, avec ménage et vaisselle ".repeat(5).trim();
const NBSP = "\u00a0";
const brand = (displayName = "Mairie de Lyon"): Branding => ({ displayName, primaryColor: "#1A4B8C", logoUrl: null, supportEmail: null });
const LOCALES: Locale[] = ["fr", "en"];

const linkData = (over: Record<string, unknown> = {}) => ({ payerName: "Camille Martin", amount: 4500, currency: "EUR", description: "Stage de voile, juillet", invoiceNumber: null, payUrl: PAY_URL, expiresAt: "2026-03-09T10:00:00.000Z", ...over });
const reminderData = (over: Record<string, unknown> = {}) => ({ payerName: "Camille Martin", invoiceNumber: null, description: "Stage de voile, juillet", amountDue: 4500, currency: "EUR", dueDate: null, payUrl: PAY_URL, ...over });

describe("payment_link for a request", () => {
  it.each([
    ["EUR", `45,00${NBSP}€`],
    ["USD", `45,00${NBSP}$`],
    ["GBP", `45,00${NBSP}£`],
  ])("prints the amount in %s and names the description, never an invoice", (currency, amount) => {
    const fr = renderMessage("email", "payment_link", linkData({ currency }), "fr", brand());
    expect(fr.subject).toBe(`Mairie de Lyon : demande de paiement de ${amount}`);
    expect(fr.text).toContain(`à régler ${amount} pour Stage de voile, juillet`);
    expect(fr.text).not.toMatch(/facture/i);
    const en = renderMessage("email", "payment_link", linkData({ currency }), "en", brand());
    expect(en.text).toContain(`pay ${amount} for Stage de voile, juillet`);
    if (currency !== "EUR") expect(fr.text + en.text).not.toContain("€");
  });

  for (const locale of LOCALES) {
    it(`SMS in ${locale}: one GSM-7 text with the description (shortened if long) and the link, even with a long name`, () => {
      for (const [displayName, description] of [["Mairie de Lyon", "Stage de voile, juillet"], [LONG_NAME, LONG_DESCRIPTION]] as const) {
        const { text } = renderMessage("sms", "payment_link", linkData({ description, currency: "GBP", amount: 123456 }), locale, brand(displayName));
        expect(gsm7Length(text)!, text).toBeLessThanOrEqual(SMS_MAX_GSM7);
        expect(text.endsWith(PAY_URL), text).toBe(true);
        expect(text).toContain("1 234,56 £");
        // 30 characters at most, made GSM-7 (ê → e) like the rest of the text.
        expect(text).toContain(description.length <= 30 ? `(${description})` : "(Caution location salle des fe...)");
      }
    });
  }
});

describe("payment_link for a card hold", () => {
  for (const locale of LOCALES) {
    it(`says in ${locale} that the card is authorized, not charged, by email and in one SMS with the link`, () => {
      const email = renderMessage("email", "payment_link", linkData({ hold: true, amount: 15000, description: "Caution salle des fêtes" }), locale, brand());
      const fr = locale === "fr";
      expect(email.subject).toBe(fr ? `Mairie de Lyon : caution de 150,00${NBSP}€` : `Mairie de Lyon: card hold of 150,00${NBSP}€`);
      expect(email.text).toContain(fr ? "autorisée pour ce montant, pas débitée" : "authorized for this amount, not charged");
      expect(email.text).toContain(fr ? "6 jours et 12 heures" : "6 days and 12 hours");
      expect(email.text).not.toMatch(fr ? /régler|Payer en ligne/ : /asks you to pay|Pay online/);
      expect(email.html).toContain(fr ? "Autoriser la caution" : "Authorize the hold");
      for (const [displayName, description] of [["Mairie de Lyon", "Caution salle des fêtes"], [LONG_NAME, LONG_DESCRIPTION]] as const) {
        const { text } = renderMessage("sms", "payment_link", linkData({ hold: true, description, amount: 123456 }), locale, brand(displayName));
        expect(gsm7Length(text)!, text).toBeLessThanOrEqual(SMS_MAX_GSM7);
        expect(text.endsWith(PAY_URL), text).toBe(true);
        expect(text).toContain(fr ? "caution de 1 234,56" : "card hold of 1 234,56");
        expect(text).toContain(fr ? "non débitée" : "not charged");
      }
    });
  }
});

describe("reminders for a request", () => {
  for (const template of ["reminder_before_due", "reminder_due", "reminder_overdue", "final_notice"] as const) {
    it(`${template}: names the request's description and amount, not an invoice (fr/en, email and SMS)`, () => {
      const fr = renderMessage("email", template, reminderData({ currency: "USD" }), "fr", brand());
      expect(fr.subject).toBe(`Rappel : demande de paiement de 45,00${NBSP}$ (Mairie de Lyon)`);
      expect(fr.text).toContain("« Stage de voile, juillet »");
      expect(fr.text).not.toMatch(/facture|sans numéro/i);
      expect(fr.html).toContain(PAY_URL);
      const en = renderMessage("email", template, reminderData(), "en", brand());
      expect(en.text).toContain(`pay 45,00${NBSP}€ for "Stage de voile, juillet"`);
      expect(en.text).not.toMatch(/invoice|unnumbered/i);
      for (const locale of LOCALES) {
        const { text } = renderMessage("sms", template, reminderData({ description: LONG_DESCRIPTION }), locale, brand(LONG_NAME));
        expect(gsm7Length(text)!, text).toBeLessThanOrEqual(SMS_MAX_GSM7);
        expect(text.endsWith(PAY_URL), text).toBe(true);
      }
    });
  }
});

describe("link_cancelled and receipt for a request", () => {
  it("link_cancelled names the description and the request's currency", () => {
    const out = renderMessage("email", "link_cancelled", { payerName: "Camille Martin", amount: 4500, currency: "USD", description: "Stage de voile, juillet", invoiceNumber: null }, "fr", brand());
    expect(out.text).toContain(`demande de paiement de 45,00${NBSP}$ (Stage de voile, juillet)`);
    expect(out.text).not.toContain("€");
  });

  it("receipt names the description (Objet) in place of the invoice, in the payment's currency", () => {
    const data = { payerName: "Camille Martin", amount: 10000, currency: "GBP", paidAt: "2026-03-02T13:05:00.000Z", paymentId: "pay-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b", invoiceNumber: null, description: "Stage de voile, juillet" };
    const fr = renderMessage("email", "receipt", data, "fr", brand());
    expect(fr.subject).toBe(`Reçu de paiement : 100,00${NBSP}£ à Mairie de Lyon`);
    expect(fr.text).toMatch(/Objet\s*:?\s*Stage de voile, juillet/);
    expect(fr.text).not.toMatch(/Facture/);
  });
});
