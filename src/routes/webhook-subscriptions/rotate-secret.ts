import { createRoute } from "@hono/zod-openapi";
import { errorResponses, IdempotencyHeader, jsonResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { serviceContext } from "../context";
import { rotateWebhookSecret, RotateWebhookSecretInput } from "../../services/webhooks/rotate-secret";
import { WebhookSubscriptionIdParam, WebhookSubscriptionWithSecret } from "./schema";

const route = createRoute({
  method: "post",
  path: "/webhook_subscriptions/{id}/rotate_secret",
  operationId: "rotateWebhookSecret",
  tags: ["Webhooks"],
  summary: "Rotate the signing secret (the old one keeps signing for 24 h)",
  description:
    "From now on X-Webhook-Signature is signed with the new secret (seed 001's verifiers need no change, only the new secret). " +
    "Until `previous_secret_expires_at` (24 h by default) each delivery also carries `X-Webhook-Signature-Previous: sha256=<hex>` signed with the old secret, " +
    "so a receiver that has not switched yet can verify that header instead; `webhook-signature` (Standard Webhooks) lists both secrets' `v1,…`, space-separated, so the `standardwebhooks` library accepts either secret unchanged. Rotating again inside the window retires the older secret. The body is optional.",
  middleware: [requireScope("webhooks:write")] as const,
  request: {
    params: WebhookSubscriptionIdParam,
    headers: IdempotencyHeader,
    body: { required: false, content: { "application/json": { schema: RotateWebhookSecretInput } } },
  },
  responses: { 200: jsonResponse(WebhookSubscriptionWithSecret, "The subscription, with its new secret (shown only here)."), ...errorResponses(404, 409, 413, 415) },
});

export function registerRotateWebhookSecret(app: Router) {
  app.openapi(route, async (c) =>
    c.json(await rotateWebhookSecret({ ctx: serviceContext(c), id: c.req.valid("param").id, input: c.req.valid("json") }), 200),
  );
}
