import type { AuthVariables } from "./middleware/auth";
import type { RequestContextVariables } from "./middleware/request-context";

/**
 * The worker's bindings, as `npm run cf-typegen` (wrangler types) generates them into
 * worker-configuration.d.ts from wrangler.toml and the secrets listed in .dev.vars.example
 * (production sets those with `wrangler secret put`), narrowed where the config cannot say more.
 * test/lint/wrangler-types.test.mjs fails when the generated file is out of date.
 */
export interface Env extends Omit<CloudflareBindings, "WEBHOOKS" | "MESSAGES" | "ENVIRONMENT"> {
  WEBHOOKS: Queue<WebhookMessage>;
  MESSAGES: Queue<MessageQueueBody>;
  /** Set by local runs only (.dev.vars, the tests): a deployed worker has none. */
  ENVIRONMENT?: string;
}

/** Env declares no binding of its own: a name that is not in the generated types is a type error here. */
export type EnvDeclaresNoBindingOfItsOwn = NoExtraKeys<Exclude<keyof Env, keyof CloudflareBindings>>;
type NoExtraKeys<Extra extends never> = Extra;

/**
 * A message of the `webhooks` queue (and its dead-letter queue):
 * - `{ event_id }`: fan this event out, one delivery per matching subscription;
 * - `{ delivery_id, run, attempt }`: make attempt `attempt` of that delivery (`run` counts
 *   redeliveries; a message left over from an earlier run, or for an attempt already made, is
 *   recognised and dropped). Each attempt has its own message (services/webhooks/attempt-delivery).
 *   `attempt` is absent from messages queued before it existed: they stand for the attempt due.
 */
/** A message of the `messages` queue (and `messages-dlq`): send this message to its payer (issue 13). */
export type MessageQueueBody = { message_id: string };

export type WebhookMessage = { event_id: string } | { delivery_id: string; run: number; attempt?: number };

/**
 * Each middleware declares the variables it sets, and a handler sees those of the middleware that
 * ran before it: every request has the request context's; the partner API also has the caller
 * (authenticate, then every partner route's requireScope, whose type carries it to the handler);
 * a route that declares requireEntity has its `entityId` (middleware/tenancy.ts).
 */
export type AppEnv = {
  Bindings: Env;
  Variables: RequestContextVariables;
};

/** The partner API, behind authenticate: the caller is known. */
export type PartnerEnv = {
  Bindings: Env;
  Variables: RequestContextVariables & AuthVariables;
};
