export { Paiements, type ApiKeyAuth, type ClientCredentialsAuth, type ListItem, type ListPath, type PaiementsOptions, type ResponseData } from "./client.js";
export { PaiementsConnectionError, PaiementsError, type ErrorEnvelope } from "./errors.js";
export type { RetryOptions } from "./transport.js";
export { verifySeedSignature, verifyStandardWebhook, WebhookVerificationError, type WebhookPayload } from "./webhooks.js";
export type { components, operations, paths } from "./schema.js";
