import { formatDate, formatMoney, formatParisDateTime } from "../../../documents/pdf/format";
import type { Locale, TemplateDataMap, TemplateName } from "./types";

/**
 * What each message says, once per language, as parts the email (HTML and text) and the SMS are
 * both built from, so the channels never disagree. Amounts are in the French format in both
 * languages (1 234,50 €): the payer pays a French organization, and it is how the invoice itself
 * prints them; a payment request in dollars or pounds prints "1 234,50 $" / "£" the same way.
 */
export interface Copy {
  subject: string;
  heading: string;
  greeting: string;
  paragraphs: string[];
  /** Label/value rows of the summary table (what is due, for what, when). */
  facts: [string, string][];
  action: { label: string; url: string } | null;
  /** The SMS: short form, the organization's name in place of {org}, the link (if any) appended. */
  sms: string;
}

const MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/** "2026-03-02" → "2 March 2026". */
function longDateEn(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  if (!m) throw new RangeError(`not a YYYY-MM-DD date: ${iso}`);
  return `${Number(m[3])} ${MONTHS_EN[Number(m[2]) - 1]} ${m[1]}`;
}

function parisDateTimeEn(instant: string): string {
  const fr = formatParisDateTime(instant); // "2 mars 2026 à 14:05": reuse its time zone work.
  const m = /^(1er|\d+) (\S+) (\d{4}) à (\d{2}:\d{2})$/.exec(fr);
  if (!m) return fr;
  const month = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"].indexOf(m[2] ?? "");
  return `${m[1] === "1er" ? 1 : m[1]} ${MONTHS_EN[month]} ${m[3]}, ${m[4]} (Paris time)`;
}

const greet = (locale: Locale, name: string | null | undefined) => (locale === "fr" ? (name ? `Bonjour ${name},` : "Bonjour,") : name ? `Hello ${name},` : "Hello,");

type Builder<D> = (d: D, org: string, locale: Locale) => Copy;

const money = (cents: number, currency: string | null | undefined) => formatMoney(cents, currency ?? "EUR");

/** A request's description as an SMS can carry it next to the link (the email has it whole). */
function smsDescription(description: string): string {
  const flat = description.replace(/\s+/g, " ").trim();
  return flat.length <= 30 ? flat : `${flat.slice(0, 29).trimEnd()}...`;
}

/**
 * A reminder of a payment request (no invoice: its description stands for the number). A request
 * has no due date, so one wording serves whichever reminder the caller picked.
 */
function requestReminderCopy(d: TemplateDataMap["invoice"] & { description: string }, org: string, locale: Locale): Copy {
  const amount = money(d.amountDue, d.currency);
  const fr = locale === "fr";
  const action = { label: fr ? "Payer en ligne" : "Pay online", url: d.payUrl };
  return fr
    ? {
        subject: `Rappel : demande de paiement de ${amount} (${org})`,
        heading: "Rappel de paiement",
        greeting: greet(locale, d.payerName),
        paragraphs: [`Nous vous rappelons que ${org} vous a adressé une demande de paiement de ${amount} pour « ${d.description} », toujours en attente de règlement.`, "Si vous l'avez déjà réglée, merci de ne pas tenir compte de ce message."],
        facts: [["Objet", d.description], ["Montant à régler", amount]],
        action,
        sms: `{org}: rappel, paiement de ${amount} (${smsDescription(d.description)}) `,
      }
    : {
        subject: `Reminder: payment request for ${amount} (${org})`,
        heading: "Payment reminder",
        greeting: greet(locale, d.payerName),
        paragraphs: [`This is a reminder that ${org} has asked you to pay ${amount} for "${d.description}", which is still awaiting payment.`, "If you have already paid it, please disregard this message."],
        facts: [["For", d.description], ["Amount due", amount]],
        action,
        sms: `{org}: reminder, payment of ${amount} (${smsDescription(d.description)}) `,
      };
}

function invoiceCopy(kind: "invoice" | "reminder_before_due" | "reminder_due" | "reminder_overdue" | "final_notice"): Builder<TemplateDataMap["invoice"]> {
  return (d, org, locale) => {
    if (d.invoiceNumber === null && d.description) return requestReminderCopy({ ...d, description: d.description }, org, locale);
    const amount = money(d.amountDue, d.currency);
    const fr = locale === "fr";
    const number = d.invoiceNumber ?? (fr ? "(sans numéro)" : "(unnumbered)");
    const due = d.dueDate ? (fr ? formatDate(d.dueDate) : longDateEn(d.dueDate)) : null;
    const dueShort = d.dueDate ? formatDate(d.dueDate) : null;
    const facts: [string, string][] = fr
      ? [["Facture", number], ["Montant à régler", amount], ...(due ? ([["Échéance", due]] as [string, string][]) : [])]
      : [["Invoice", number], ["Amount due", amount], ...(due ? ([["Due date", due]] as [string, string][]) : [])];
    const action = { label: fr ? "Payer en ligne" : "Pay online", url: d.payUrl };
    const byDue = due ? (fr ? ` avant le ${due}` : ` by ${due}`) : "";
    const byDueShort = dueShort ? (fr ? ` avant le ${dueShort}` : ` by ${dueShort}`) : "";
    switch (kind) {
      case "invoice":
        return fr
          ? {
              subject: `Facture ${number} de ${org} : ${amount}`,
              heading: `Votre facture ${number}`,
              greeting: greet(locale, d.payerName),
              paragraphs: [`${org} vous adresse la facture ${number} d'un montant de ${amount}, à régler${byDue}.`, "La facture est jointe à ce message (PDF Factur-X). Vous pouvez la régler en ligne, par virement ou par carte."],
              facts,
              action,
              sms: `{org}: facture ${number}, ${amount} à régler${byDueShort} `,
            }
          : {
              subject: `Invoice ${number} from ${org}: ${amount}`,
              heading: `Your invoice ${number}`,
              greeting: greet(locale, d.payerName),
              paragraphs: [`${org} has sent you invoice ${number} for ${amount}, payable${byDue}.`, "The invoice is attached to this message (Factur-X PDF). You can pay it online, by bank transfer or by card."],
              facts,
              action,
              sms: `{org}: invoice ${number}, ${amount} due${byDueShort} `,
            };
      case "reminder_before_due":
        return fr
          ? {
              subject: `Rappel : facture ${number} à régler${byDue}`,
              heading: "Votre échéance approche",
              greeting: greet(locale, d.payerName),
              paragraphs: [`Nous vous rappelons que la facture ${number} de ${org}, d'un montant de ${amount}, est à régler${byDue}.`, "Si vous l'avez déjà réglée, merci de ne pas tenir compte de ce message."],
              facts,
              action,
              sms: `{org}: rappel, facture ${number} (${amount})${dueShort ? ` avant le ${dueShort}` : ""} `,
            }
          : {
              subject: `Reminder: invoice ${number} due${byDue}`,
              heading: "Your payment is due soon",
              greeting: greet(locale, d.payerName),
              paragraphs: [`This is a reminder that invoice ${number} from ${org}, for ${amount}, is payable${byDue}.`, "If you have already paid it, please disregard this message."],
              facts,
              action,
              sms: `{org}: reminder, invoice ${number} (${amount}) due${byDueShort} `,
            };
      case "reminder_due":
        return fr
          ? {
              subject: `Facture ${number} : échéance aujourd'hui`,
              heading: "Votre facture arrive à échéance",
              greeting: greet(locale, d.payerName),
              paragraphs: [`La facture ${number} de ${org}, d'un montant de ${amount}, arrive à échéance${due ? ` le ${due}` : ""}.`, "Si vous l'avez déjà réglée, merci de ne pas tenir compte de ce message."],
              facts,
              action,
              sms: `{org}: facture ${number} (${amount}) à échéance${dueShort ? ` le ${dueShort}` : ""} `,
            }
          : {
              subject: `Invoice ${number}: payment due today`,
              heading: "Your invoice is due",
              greeting: greet(locale, d.payerName),
              paragraphs: [`Invoice ${number} from ${org}, for ${amount}, is due${due ? ` on ${due}` : ""}.`, "If you have already paid it, please disregard this message."],
              facts,
              action,
              sms: `{org}: invoice ${number} (${amount}) is due${dueShort ? ` on ${dueShort}` : ""} `,
            };
      case "reminder_overdue":
        return fr
          ? {
              subject: `Facture ${number} impayée : ${amount}`,
              heading: "Facture en retard de paiement",
              greeting: greet(locale, d.payerName),
              paragraphs: [`Sauf erreur de notre part, la facture ${number} de ${org}, d'un montant de ${amount}, échue${due ? ` le ${due}` : ""}, n'a pas encore été réglée.`, "Merci de procéder à son règlement dès que possible. Si vous l'avez réglée entre-temps, merci de ne pas tenir compte de ce message."],
              facts,
              action,
              sms: `{org}: facture ${number} (${amount}) impayée${dueShort ? `, échue le ${dueShort}` : ""} `,
            }
          : {
              subject: `Invoice ${number} overdue: ${amount}`,
              heading: "Your invoice is overdue",
              greeting: greet(locale, d.payerName),
              paragraphs: [`Our records show that invoice ${number} from ${org}, for ${amount}, due${due ? ` on ${due}` : ""}, has not been paid yet.`, "Please pay it as soon as possible. If you have paid it in the meantime, please disregard this message."],
              facts,
              action,
              sms: `{org}: invoice ${number} (${amount}) overdue${dueShort ? `, due ${dueShort}` : ""} `,
            };
      case "final_notice":
        return fr
          ? {
              subject: `Dernier rappel : facture ${number} impayée`,
              heading: "Dernier rappel avant recouvrement",
              greeting: greet(locale, d.payerName),
              paragraphs: [`Malgré nos précédents rappels, la facture ${number} de ${org}, d'un montant de ${amount}, reste impayée.`, "Sans règlement de votre part, ce dossier pourra être transmis au recouvrement. Pour toute difficulté de paiement, répondez à ce message."],
              facts,
              action,
              sms: `{org}: dernier rappel, facture ${number} (${amount}) impayée `,
            }
          : {
              subject: `Final notice: invoice ${number} unpaid`,
              heading: "Final notice before collection",
              greeting: greet(locale, d.payerName),
              paragraphs: [`Despite our previous reminders, invoice ${number} from ${org}, for ${amount}, remains unpaid.`, "Without payment, this matter may be passed on for collection. If you have difficulty paying, reply to this message."],
              facts,
              action,
              sms: `{org}: final notice, invoice ${number} (${amount}) unpaid `,
            };
    }
  };
}

const paymentLink: Builder<TemplateDataMap["payment_link"]> = (d, org, locale) => {
  const amount = money(d.amount, d.currency);
  const smsWhat = d.invoiceNumber ? null : d.description ? ` (${smsDescription(d.description)})` : "";
  const fr = locale === "fr";
  const what = d.invoiceNumber ? (fr ? `la facture ${d.invoiceNumber}` : `invoice ${d.invoiceNumber}`) : (d.description ?? null);
  const facts: [string, string][] = [
    ...(what ? ([[fr ? "Objet" : "For", d.invoiceNumber ?? d.description ?? ""]] as [string, string][]) : []),
    [fr ? "Montant" : "Amount", amount],
    ...(d.expiresAt ? ([[fr ? "Lien valable jusqu'au" : "Link valid until", fr ? formatParisDateTime(d.expiresAt) : parisDateTimeEn(d.expiresAt)]] as [string, string][]) : []),
  ];
  if (d.hold) {
    // A card hold: the payer authorizes, nothing is charged unless the organization captures it.
    return fr
      ? {
          subject: `${org} : caution de ${amount}`,
          heading: "Caution par carte",
          greeting: greet(locale, d.payerName),
          paragraphs: [
            `${org} vous demande une caution de ${amount}${what ? ` pour ${what}` : ""}. Votre carte sera autorisée pour ce montant, pas débitée ; elle peut être encaissée en tout ou partie sous 6 jours et 12 heures, sinon l'autorisation est libérée.`,
          ],
          facts,
          action: { label: "Autoriser la caution", url: d.payUrl },
          sms: `{org}: caution de ${amount}${smsWhat ?? ""}, non débitée `,
        }
      : {
          subject: `${org}: card hold of ${amount}`,
          heading: "Card hold",
          greeting: greet(locale, d.payerName),
          paragraphs: [
            `${org} asks for a card hold of ${amount}${what ? ` for ${what}` : ""}. Your card will be authorized for this amount, not charged; it may be captured in whole or in part within 6 days and 12 hours, otherwise the authorization is released.`,
          ],
          facts,
          action: { label: "Authorize the hold", url: d.payUrl },
          sms: `{org}: card hold of ${amount}${smsWhat ?? ""}, not charged `,
        };
  }
  return fr
    ? {
        subject: `${org} : demande de paiement de ${amount}`,
        heading: "Demande de paiement",
        greeting: greet(locale, d.payerName),
        paragraphs: [`${org} vous invite à régler ${amount}${what ? ` pour ${what}` : ""}. Le paiement se fait en ligne, de façon sécurisée.`],
        facts,
        action: { label: "Payer en ligne", url: d.payUrl },
        sms: `{org}: demande de paiement de ${amount}${smsWhat ?? `, facture ${d.invoiceNumber}`} `,
      }
    : {
        subject: `${org}: payment request for ${amount}`,
        heading: "Payment request",
        greeting: greet(locale, d.payerName),
        paragraphs: [`${org} asks you to pay ${amount}${what ? ` for ${what}` : ""}. Payment is online and secure.`],
        facts,
        action: { label: "Pay online", url: d.payUrl },
        sms: `{org}: payment request for ${amount}${smsWhat ?? `, invoice ${d.invoiceNumber}`} `,
      };
};

const linkCancelled: Builder<TemplateDataMap["link_cancelled"]> = (d, org, locale) => {
  const amount = money(d.amount, d.currency);
  const fr = locale === "fr";
  const what = d.invoiceNumber ? (fr ? ` pour la facture ${d.invoiceNumber}` : ` for invoice ${d.invoiceNumber}`) : d.description ? (fr ? ` (${d.description})` : ` (${d.description})`) : "";
  return fr
    ? {
        subject: `${org} : demande de paiement annulée`,
        heading: "Demande de paiement annulée",
        greeting: greet(locale, d.payerName),
        paragraphs: [`${org} a annulé sa demande de paiement de ${amount}${what}. Le lien de paiement reçu précédemment ne fonctionne plus et vous n'avez rien à régler à ce titre.`],
        facts: [[fr ? "Montant" : "Amount", amount]],
        action: null,
        sms: `{org}: demande de paiement de ${amount} annulée, vous n'avez rien à régler.`,
      }
    : {
        subject: `${org}: payment request cancelled`,
        heading: "Payment request cancelled",
        greeting: greet(locale, d.payerName),
        paragraphs: [`${org} has cancelled its payment request for ${amount}${what}. The payment link you received no longer works and you have nothing to pay for it.`],
        facts: [["Amount", amount]],
        action: null,
        sms: `{org}: payment request for ${amount} cancelled, you have nothing to pay.`,
      };
};

const receipt: Builder<TemplateDataMap["receipt"]> = (d, org, locale) => {
  const amount = money(d.amount, d.currency);
  const fr = locale === "fr";
  const when = fr ? formatParisDateTime(d.paidAt) : parisDateTimeEn(d.paidAt);
  const facts: [string, string][] = [
    [fr ? "Montant payé" : "Amount paid", amount],
    [fr ? "Date" : "Date", when],
    ...(d.invoiceNumber ? ([[fr ? "Facture" : "Invoice", d.invoiceNumber]] as [string, string][]) : d.description ? ([[fr ? "Objet" : "For", d.description]] as [string, string][]) : []),
    [fr ? "Référence" : "Reference", d.paymentId],
  ];
  return fr
    ? {
        subject: `Reçu de paiement : ${amount} à ${org}`,
        heading: "Paiement reçu, merci",
        greeting: greet(locale, d.payerName),
        paragraphs: [`${org} a bien reçu votre paiement de ${amount} le ${when}.`, "Votre ticket de paiement est joint à ce message (PDF). Conservez-le : il vaut justificatif."],
        facts,
        action: null,
        sms: `{org}: paiement de ${amount} reçu le ${formatDate(d.paidAt.slice(0, 10))}, merci. Réf. ${d.paymentId.slice(-8)}`,
      }
    : {
        subject: `Payment receipt: ${amount} to ${org}`,
        heading: "Payment received, thank you",
        greeting: greet(locale, d.payerName),
        paragraphs: [`${org} has received your payment of ${amount} on ${when}.`, "Your payment receipt is attached to this message (PDF). Keep it as proof of payment."],
        facts,
        action: null,
        sms: `{org}: payment of ${amount} received on ${formatDate(d.paidAt.slice(0, 10))}, thank you. Ref. ${d.paymentId.slice(-8)}`,
      };
};

const BUILDERS: { [T in TemplateName]: Builder<TemplateDataMap[T]> } = {
  invoice: invoiceCopy("invoice"),
  payment_link: paymentLink,
  reminder_before_due: invoiceCopy("reminder_before_due"),
  reminder_due: invoiceCopy("reminder_due"),
  reminder_overdue: invoiceCopy("reminder_overdue"),
  final_notice: invoiceCopy("final_notice"),
  link_cancelled: linkCancelled,
  receipt,
};

export function copyFor<T extends TemplateName>(template: T, data: TemplateDataMap[T], org: string, locale: Locale): Copy {
  return (BUILDERS[template] as Builder<TemplateDataMap[T]>)(data, org, locale);
}
