import type { PaymentMethod } from "../domain/payment-intent";
import { isClosed, pageState, sandboxScreenApplies } from "../domain/payment-page";
import { isPlausibleToken, loadPaymentPage, type PaymentPageData } from "../services/pages/load-payment-page";
import { DomainError } from "../lib/errors";
import type { PayerContext, PayerForm } from "../services/pages/payer";
import type { PageContext } from "./env";
import { isLang } from "./i18n";
import { backToPage, closed, notFound, refusal, replayed, tampered } from "./responses";
import { ensureCsrfCookie, formMac, readForm, verifyForm, type FormFields } from "./security";

/**
 * What the page's screens do before their own work: load the link (one D1 round trip), and for a
 * form post, check that the form is one we rendered for this browser, link and intent version.
 * Each returns what the screen works on, or the Response the payer gets instead.
 */

export function loadPage(c: PageContext, token: string): Promise<PaymentPageData | null> {
  return loadPaymentPage({ db: c.get("db"), encryptionKey: c.env.ENCRYPTION_KEY, token });
}

/** Runs a payer's action (a service) on the loaded page; its refusal becomes the page the payer sees, never a 500. */
export async function payerAction<T>(c: PageContext, page: PaymentPageData, action: (ctx: PayerContext) => Promise<T>): Promise<T | Response> {
  try {
    return await action({ env: c.env, requestId: c.get("requestId"), timer: c.get("timer") });
  } catch (err) {
    if (err instanceof DomainError) return refusal(c, page, err);
    throw err;
  }
}

/** The csrf field of a form rendered now for `p` (and the browser's cookie, set if it has none). */
export function csrfFor(c: PageContext, p: PaymentPageData): Promise<string> {
  return formMac(c.env.JWT_SECRET, ensureCsrfCookie(c), p.link.token, p.intent.version);
}

export type AcceptedForm = PayerForm & { form: FormFields };

/**
 * The common start of every form post: a form whose csrf does not verify is refused before
 * anything is read; a closed link shows its closed page; a form rendered for an earlier
 * version of the intent is a replay (409), whatever it asks for.
 */
export async function acceptForm(c: PageContext, token: string): Promise<AcceptedForm | Response> {
  if (!isPlausibleToken(token)) return notFound(c);
  const form = await readForm(c);
  if (isLang(form.lang)) c.set("lang", form.lang);
  const version = await verifyForm(c, c.env.JWT_SECRET, token, form);
  if (version === null) return tampered(c, token);
  const page = await loadPage(c, token);
  if (!page) return notFound(c);
  const state = pageState(page);
  if (isClosed(state)) return closed(c, page, state);
  if (version !== page.intent.version) return replayed(c, page);
  return { form, version, page };
}

/**
 * A sandbox screen's form post: the common start, then the screens exist only for test-mode
 * links (404 otherwise) and only while the payer's attempt with `method` is pending (a replay
 * otherwise). The bank's cancel button leaves before that: going back is always allowed.
 */
export async function acceptSandboxForm(c: PageContext, token: string, method: PaymentMethod, options: { cancellable?: boolean } = {}): Promise<AcceptedForm | Response> {
  const accepted = await acceptForm(c, token);
  if (accepted instanceof Response) return accepted;
  if (accepted.page.link.livemode) return notFound(c);
  if (options.cancellable && accepted.form.action === "cancel") return backToPage(c, token);
  if (!sandboxScreenApplies(accepted.page, method)) return replayed(c, accepted.page);
  return accepted;
}

/** A sandbox screen's GET: 404 in live mode; back to the page when no attempt with `method` is pending. */
export async function openSandboxScreen(c: PageContext, token: string, method: PaymentMethod): Promise<PaymentPageData | Response> {
  const page = await loadPage(c, token);
  if (!page || page.link.livemode) return notFound(c);
  if (!sandboxScreenApplies(page, method)) return backToPage(c, token);
  return page;
}
