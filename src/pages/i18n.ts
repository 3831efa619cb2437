import { createMiddleware } from "hono/factory";
import { languageDetector } from "hono/language";
import { PARIS } from "../domain/dates";
import type { PaymentMethod } from "../domain/payment-intent";
import type { PageEnv } from "./env";

/** The payment pages speak French by default, English on request (`?lang=en` or Accept-Language). */
export const LANGS = ["fr", "en"] as const;
export type Lang = (typeof LANGS)[number];

export function isLang(value: unknown): value is Lang {
  return value === "fr" || value === "en";
}

const detectLanguage = languageDetector({
  supportedLanguages: [...LANGS],
  fallbackLanguage: "fr",
  order: ["querystring", "header"],
  lookupQueryString: "lang",
  caches: false,
});

/**
 * The language of a page request (hono/language): `?lang=` wins, then the best of fr/en in
 * Accept-Language by q-value, then French; a form's `lang` field overrides it for a post
 * (pages/request.ts). No cookie: the language travels in the page's links and forms, and the
 * pages set no cookie but the CSRF one.
 */
export const pageLanguage = createMiddleware<PageEnv>((c, next) =>
  detectLanguage(c, async () => {
    const language = c.get("language");
    c.set("lang", isLang(language) ? language : "fr");
    await next();
  }),
);

const LOCALE: Record<Lang, string> = { fr: "fr-FR", en: "en-GB" };

/** Formatters by key, built once per isolate: building one costs far more than formatting with it. */
const formatters = new Map<string, { format(value: number | Date): string }>();

function formatter(key: string, build: () => { format(value: number | Date): string }) {
  let f = formatters.get(key);
  if (!f) {
    f = build();
    formatters.set(key, f);
  }
  return f;
}

/** Integer minor units to a localized amount: 42200 → "422,00 €" (fr) / "€422.00" (en). */
export function formatMoney(cents: number, currency: string, lang: Lang): string {
  return formatter(`money\u0000${lang}\u0000${currency}`, () => new Intl.NumberFormat(LOCALE[lang], { style: "currency", currency })).format(cents / 100);
}

/** An instant, in Paris → "7 avril 2026 à 14:05" / "7 April 2026 at 14:05" (Paris time, said on the page). */
export function formatDateTime(instant: string, lang: Lang): string {
  return formatter(`datetime\u0000${lang}`, () => new Intl.DateTimeFormat(LOCALE[lang], { timeZone: PARIS, day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit" })).format(new Date(instant));
}

/** A calendar date (YYYY-MM-DD, read in Paris) → "31 mars 2024" / "31 March 2024". */
export function formatDate(date: string, lang: Lang): string {
  // Noon UTC is the same calendar day in Paris whatever the season.
  return formatter(`date\u0000${lang}`, () => new Intl.DateTimeFormat(LOCALE[lang], { timeZone: PARIS, day: "numeric", month: "long", year: "numeric" })).format(new Date(`${date}T12:00:00Z`));
}

const fr = {
  lang_switch: "English",
  lang_switch_code: "en",
  test_mode: "Mode test : aucun argent réel ne circule.",
  secure: "Paiement sécurisé",
  help: "Une question ?",
  amount_to_pay: "Montant à payer",
  amount_paid: "Montant payé",
  amount: "Montant",
  invoice: "Facture",
  payer: "Payeur",
  due_date: "Échéance",
  invoice_total: "Total de la facture",
  remaining_after: "Reste dû après ce paiement",
  overdue_since: "Facture en retard de paiement depuis le",
  payee: "Bénéficiaire",
  method: "Moyen de paiement",
  reference: "Référence",
  method_sepa_credit: "Virement SEPA",
  method_sepa_credit_hint: "Depuis votre banque en ligne, sans saisir d'IBAN",
  method_card: "Carte bancaire",
  method_card_hint: "CB, Visa, Mastercard",
  choose_legend: "Choisissez votre moyen de paiement",
  retry_legend: "Réessayez avec le même moyen ou un autre",
  continue: "Continuer",
  description: "Objet",

  h_pay_request: "Demande de paiement",
  h_hold: "Caution par carte",
  hold_notice: "Caution : votre carte est autorisée, pas débitée.",
  hold_window: "L'organisme peut encaisser tout ou partie de ce montant sous 6 jours et 12 heures ; sans encaissement, l'autorisation est levée et rien n'est débité.",
  amount_to_authorize: "Montant de la caution",
  authorize_amount: "Autoriser",
  h_authorized: "Caution enregistrée",
  authorized_text: "Votre carte est autorisée pour ce montant. Rien n'a été débité à ce stade.",
  capture_before: "Encaissable jusqu'au",
  paris_time: "(heure de Paris)",
  h_released: "Caution libérée",
  released_text: "La caution a été libérée : rien n'a été débité sur votre carte.",
  amount_authorized: "Montant autorisé",
  amount_captured: "Montant encaissé",
  captured_text: "L'organisme a encaissé la caution. Le reste éventuel de l'autorisation est libéré.",

  h_pay: "Payer votre facture",
  h_processing: "Paiement en cours",
  h_success: "Paiement reçu",
  h_failed: "Le paiement n'a pas abouti",
  h_expired: "Ce lien de paiement a expiré",
  h_revoked: "Ce lien de paiement a été annulé",
  h_not_found: "Lien de paiement introuvable",
  h_invoice_paid: "Cette facture est réglée",
  invoice_paid_text: "Aucun paiement n'est attendu pour cette facture. Merci.",
  h_invoice_no_link: "Pas de paiement en ligne ouvert",
  invoice_no_link_text: "Aucun paiement en ligne n'est ouvert pour cette facture en ce moment. Réglez-la par virement avec les coordonnées bancaires imprimées sur la facture, ou contactez l'organisme qui l'a émise.",
  h_tampered: "Formulaire non valide",
  h_replayed: "Ce formulaire a déjà été utilisé",
  h_unavailable: "Moyen de paiement indisponible",
  h_error: "Une erreur est survenue",
  h_bank: "Banque de test : autoriser le virement",
  h_card: "Paiement par carte",
  h_3ds: "Vérification 3-D Secure",

  processing_text: "Votre banque traite le paiement. Cela prend en général quelques secondes.",
  processing_auto: "Cette page s'actualise automatiquement toutes les 2 secondes.",
  processing_stop: "Arrêter l'actualisation automatique",
  processing_stopped: "L'actualisation automatique est arrêtée.",
  processing_refresh: "Actualiser le statut",
  processing_resume: "Reprendre l'actualisation automatique",
  processing_long: "Le paiement est toujours en cours. Vous pouvez fermer cette page : vous serez informé du résultat.",
  refresh_notice: "Après validation, la page de suivi s'actualise automatiquement ; vous pourrez arrêter l'actualisation.",
  success_text: "Merci ! Votre paiement a bien été reçu.",
  success_close: "Vous pouvez fermer cette page.",
  failed_text: "Aucun montant n'a été débité.",
  expired_text: "Ce lien n'est plus valable. Aucun paiement n'a été effectué. Demandez un nouveau lien à l'organisme qui vous l'a envoyé.",
  revoked_text: "L'organisme a annulé ce lien. Aucun paiement n'a été effectué.",
  not_found_text: "Ce lien n'existe pas ou n'est plus disponible. Vérifiez l'adresse reçue ou contactez l'organisme qui vous l'a envoyé.",
  tampered_text: "Ce formulaire n'a pas pu être vérifié : il a peut-être expiré ou été modifié. Aucun paiement n'a été effectué.",
  replayed_text: "Ce formulaire avait déjà été envoyé. Rien n'a été débité une seconde fois.",
  unavailable_text: "Ce moyen de paiement n'est pas encore disponible pour ce lien. Aucun paiement n'a été effectué.",
  error_text: "Le service est momentanément indisponible. Réessayez dans un instant.",
  back_to_payment: "Revenir à la page de paiement",
  see_status: "Voir l'état du paiement",
  return_to_site: "Retourner sur le site",
  change_method: "Changer de moyen de paiement",

  failure_insufficient_funds: "Le compte n'est pas suffisamment approvisionné (fonds insuffisants).",
  failure_account_blocked: "Le compte à débiter est bloqué.",
  failure_card_declined: "La carte a été refusée par la banque émettrice.",
  failure_authentication_failed: "L'authentification 3-D Secure a échoué.",
  failure_default: "La banque a refusé le paiement.",

  bank_intro: "Simulation d'une banque en ligne. Choisissez le compte à débiter puis confirmez avec le code d'authentification forte.",
  bank_accounts_legend: "Compte à débiter",
  bank_outcome_ok: "le virement aboutit",
  bank_outcome_insufficient_funds: "refusé : fonds insuffisants",
  bank_outcome_account_blocked: "refusé : compte bloqué",
  sca_label: "Code d'authentification forte",
  sca_hint: "Code de test : 123456",
  sca_wrong: "Code incorrect. Saisissez le code reçu (code de test : 123456).",
  authorize: "Autoriser le virement",
  cancel: "Annuler",

  card_number: "Numéro de carte",
  card_expiry: "Expiration (MM/AA)",
  card_cvc: "Cryptogramme",
  card_test_hint: "Cartes de test : 4242 4242 4242 4242 (acceptée), 4000 0000 0000 0002 (refusée), 4000 0000 0000 3220 (3-D Secure). Date future, CVC au choix.",
  card_number_invalid: "Numéro de carte non valide.",
  card_expiry_invalid: "Date d'expiration non valide ou dépassée (format MM/AA).",
  card_cvc_invalid: "Cryptogramme non valide (3 ou 4 chiffres).",
  pay_amount: "Payer",
  card_ending: "Carte se terminant par",
  tds_intro: "Votre banque vous demande de confirmer ce paiement.",
  tds_label: "Code reçu par SMS",
  tds_hint: "Code de test : 123456",
  confirm: "Valider",
  required: "obligatoire",
};

export type Dict = typeof fr;

const en: Dict = {
  lang_switch: "Français",
  lang_switch_code: "fr",
  test_mode: "Test mode: no real money moves.",
  secure: "Secure payment",
  help: "Questions?",
  amount_to_pay: "Amount to pay",
  amount_paid: "Amount paid",
  amount: "Amount",
  invoice: "Invoice",
  payer: "Payer",
  due_date: "Due date",
  invoice_total: "Invoice total",
  remaining_after: "Left to pay after this payment",
  overdue_since: "Invoice overdue since",
  payee: "Payee",
  method: "Payment method",
  reference: "Reference",
  method_sepa_credit: "SEPA bank transfer",
  method_sepa_credit_hint: "From your online bank, no IBAN to type",
  method_card: "Card",
  method_card_hint: "CB, Visa, Mastercard",
  choose_legend: "Choose how to pay",
  retry_legend: "Try again with the same method or another",
  continue: "Continue",
  description: "For",

  h_pay_request: "Payment request",
  h_hold: "Card hold",
  hold_notice: "Hold: your card is authorized, not charged.",
  hold_window: "The organisation may collect all or part of this amount within 6 days and 12 hours; otherwise the authorization lapses and nothing is charged.",
  amount_to_authorize: "Hold amount",
  authorize_amount: "Authorize",
  h_authorized: "Hold registered",
  authorized_text: "Your card is authorized for this amount. Nothing has been charged yet.",
  capture_before: "Can be collected until",
  paris_time: "(Paris time)",
  h_released: "Hold released",
  released_text: "The hold was released: nothing was charged to your card.",
  amount_authorized: "Amount authorized",
  amount_captured: "Amount collected",
  captured_text: "The organisation has collected the hold. Any rest of the authorization is released.",

  h_pay: "Pay your invoice",
  h_processing: "Payment in progress",
  h_success: "Payment received",
  h_failed: "The payment did not go through",
  h_expired: "This payment link has expired",
  h_revoked: "This payment link was cancelled",
  h_not_found: "Payment link not found",
  h_invoice_paid: "This invoice is settled",
  invoice_paid_text: "No payment is expected for this invoice. Thank you.",
  h_invoice_no_link: "No online payment open",
  invoice_no_link_text: "No online payment is open for this invoice right now. Pay it by bank transfer with the details printed on the invoice, or contact the organisation that issued it.",
  h_tampered: "Invalid form",
  h_replayed: "This form was already used",
  h_unavailable: "Payment method unavailable",
  h_error: "Something went wrong",
  h_bank: "Test bank: authorize the transfer",
  h_card: "Card payment",
  h_3ds: "3-D Secure check",

  processing_text: "Your bank is processing the payment. This usually takes a few seconds.",
  processing_auto: "This page refreshes automatically every 2 seconds.",
  processing_stop: "Stop automatic refresh",
  processing_stopped: "Automatic refresh is stopped.",
  processing_refresh: "Refresh the status",
  processing_resume: "Resume automatic refresh",
  processing_long: "The payment is still in progress. You may close this page: you will be told the outcome.",
  refresh_notice: "Once confirmed, the status page refreshes automatically; you can stop it.",
  success_text: "Thank you! Your payment was received.",
  success_close: "You may close this page.",
  failed_text: "Nothing was debited.",
  expired_text: "This link is no longer valid. No payment was made. Ask the sender for a new link.",
  revoked_text: "The sender cancelled this link. No payment was made.",
  not_found_text: "This link does not exist or is no longer available. Check the address you received or contact the sender.",
  tampered_text: "This form could not be verified: it may have expired or been altered. No payment was made.",
  replayed_text: "This form had already been sent. Nothing was debited twice.",
  unavailable_text: "This payment method is not available for this link yet. No payment was made.",
  error_text: "The service is temporarily unavailable. Please try again in a moment.",
  back_to_payment: "Back to the payment page",
  see_status: "See the payment status",
  return_to_site: "Return to the website",
  change_method: "Change payment method",

  failure_insufficient_funds: "The account does not have enough funds.",
  failure_account_blocked: "The account to debit is blocked.",
  failure_card_declined: "The card was declined by the issuing bank.",
  failure_authentication_failed: "3-D Secure authentication failed.",
  failure_default: "The bank refused the payment.",

  bank_intro: "A simulated online bank. Choose the account to debit, then confirm with the strong authentication code.",
  bank_accounts_legend: "Account to debit",
  bank_outcome_ok: "the transfer succeeds",
  bank_outcome_insufficient_funds: "refused: insufficient funds",
  bank_outcome_account_blocked: "refused: account blocked",
  sca_label: "Strong authentication code",
  sca_hint: "Test code: 123456",
  sca_wrong: "Wrong code. Enter the code you received (test code: 123456).",
  authorize: "Authorize the transfer",
  cancel: "Cancel",

  card_number: "Card number",
  card_expiry: "Expiry (MM/YY)",
  card_cvc: "Security code",
  card_test_hint: "Test cards: 4242 4242 4242 4242 (accepted), 4000 0000 0000 0002 (declined), 4000 0000 0000 3220 (3-D Secure). Any future date and CVC.",
  card_number_invalid: "Invalid card number.",
  card_expiry_invalid: "Invalid or past expiry date (MM/YY).",
  card_cvc_invalid: "Invalid security code (3 or 4 digits).",
  pay_amount: "Pay",
  card_ending: "Card ending in",
  tds_intro: "Your bank asks you to confirm this payment.",
  tds_label: "Code received by text message",
  tds_hint: "Test code: 123456",
  confirm: "Confirm",
  required: "required",
};

export const DICTIONARIES: Record<Lang, Dict> = { fr, en };

export function methodLabel(t: Dict, method: PaymentMethod): string {
  return method === "sepa_credit" ? t.method_sepa_credit : t.method_card;
}

/** A failure code of the intent, as a sentence the payer understands. */
export function failureReason(t: Dict, code: string | null): string {
  switch (code) {
    case "insufficient_funds":
      return t.failure_insufficient_funds;
    case "account_blocked":
      return t.failure_account_blocked;
    case "card_declined":
      return t.failure_card_declined;
    case "authentication_failed":
      return t.failure_authentication_failed;
    default:
      return t.failure_default;
  }
}
