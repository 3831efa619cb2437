import type { Router } from "../../lib/openapi";
import { registerCreateWebhookSubscription } from "./create";
import { registerDeleteWebhookSubscription } from "./delete";
import { registerGetWebhookSubscription } from "./get";
import { registerListWebhookSubscriptions } from "./list";
import { registerRecoverWebhookSubscription } from "./recover";
import { registerRotateWebhookSecret } from "./rotate-secret";
import { registerTestWebhookSubscription } from "./test";
import { registerUpdateWebhookSubscription } from "./update";

export function registerWebhookSubscriptionRoutes(app: Router) {
  registerListWebhookSubscriptions(app);
  registerCreateWebhookSubscription(app);
  registerGetWebhookSubscription(app);
  registerUpdateWebhookSubscription(app);
  registerDeleteWebhookSubscription(app);
  registerRotateWebhookSecret(app);
  registerTestWebhookSubscription(app);
  registerRecoverWebhookSubscription(app);
}
