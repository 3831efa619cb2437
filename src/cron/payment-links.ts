import { createDb } from "../db/client";
import type { Env } from "../env";
import { reconcilePaymentIntents } from "../services/payment-intents/reconcile";
import { expirePaymentLinks } from "../services/payment-links/expire-links";

export async function expireLinks(env: Env, now: Date) {
  return expirePaymentLinks({ db: createDb(env.DB), env, requestId: `cron_${now.toISOString()}` }, { cutoff: now });
}

export async function reconcileIntents(env: Env, now: Date) {
  return reconcilePaymentIntents({ db: createDb(env.DB), env }, now);
}
