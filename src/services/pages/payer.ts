import type { Actor, CommandMeta, IntentResult } from "../../domain/payment-intent-rpc";
import type { Env } from "../../env";
import type { StorageTimer } from "../../lib/timing";
import type { ProviderStep } from "../../domain/payment-intent";
import { unwrapIntentResult } from "../payment-intents/intent-result";
import type { PaymentPageData } from "./load-payment-page";

/**
 * What a payer's action needs. There is no principal: the link token, already checked when the
 * page was loaded, is the payer's only credential, and the intent's object checks the tenant.
 * Refusals are domain errors (a form no page rendered: ValidationError; the intent moved on:
 * Conflict), which the page turns into what the payer should see.
 */
export interface PayerContext {
  env: Env;
  requestId: string;
  /** The intent's object is timed in Server-Timing beside the page's D1 read. */
  timer: StorageTimer;
}

/** A form post of the page: the page as loaded, and the intent version the form was rendered for. */
export interface PayerForm {
  page: PaymentPageData;
  version: number;
}

/** Who the intent's audit trail names for the payer's actions. */
const PAYER: Actor = { id: "payer", type: "payer" };

type IntentStub = ReturnType<Env["PAYMENT_INTENT"]["getByName"]>;

/** One command to the intent's object, timed as `intent` in Server-Timing; its refusal is thrown as a domain error. */
export async function commandIntent(ctx: PayerContext, page: PaymentPageData, what: string, call: (stub: IntentStub, meta: CommandMeta) => Promise<IntentResult>): Promise<void> {
  const meta: CommandMeta = { actor: PAYER, requestId: ctx.requestId, tenant: page.tenant };
  const result = await ctx.timer.measure("intent", what, () => call(ctx.env.PAYMENT_INTENT.getByName(page.intent.id), meta));
  unwrapIntentResult(result, { notFound: { resource: "payment_intent", id: page.intent.id } });
}

/** The provider's answer to the payer's authorization, applied by the intent's object (at the form's version only). */
export function applyProviderSteps(ctx: PayerContext, form: PayerForm, input: { provider: string; reference: string; steps: ProviderStep[] }): Promise<void> {
  const { page, version } = form;
  return commandIntent(ctx, page, "applyProviderSteps", (s, meta) => s.applyProviderSteps(page.intent.id, { version, ...input, ...meta }));
}
