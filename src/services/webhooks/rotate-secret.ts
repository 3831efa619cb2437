import { z } from "@hono/zod-openapi";
import { and, eq, sql } from "drizzle-orm";
import { changes } from "../../db/guarded";
import { webhookSubscriptions } from "../../db/schema";
import { Conflict } from "../../lib/errors";
import { auditEntry, type ServiceContext } from "../context";
import { presentSubscription, type SubscriptionRow } from "./present";
import { findSubscription, subscriptionWhere } from "./query";
import { newWebhookSecret, sealSecret } from "./secrets";

/** How long the previous secret keeps signing (X-Webhook-Signature-Previous) by default. */
export const ROTATION_WINDOW_SECONDS = 24 * 60 * 60;

export const RotateWebhookSecretInput = z
  .strictObject({
    previous_secret_expires_in: z
      .number()
      .int()
      .min(0)
      .max(86_400)
      .optional()
      .openapi({ description: "Seconds the old secret keeps signing X-Webhook-Signature-Previous (default 86400, i.e. 24 h; 0 after a leak).", example: 86400 }),
  })
  .openapi("RotateWebhookSecret", { example: { previous_secret_expires_in: 86400 } });

/**
 * A new secret signs X-Webhook-Signature from now on; the one it replaces signs
 * X-Webhook-Signature-Previous until the window closes (24 h by default, 0 to revoke it at once
 * after a leak). Rotating again inside a window drops the older secret: only the last two sign.
 */
export async function rotateWebhookSecret({ ctx, id, input }: { ctx: ServiceContext; id: string; input: z.infer<typeof RotateWebhookSecretInput> }) {
  const before = await findSubscription(ctx, id);
  const window = input.previous_secret_expires_in ?? ROTATION_WINDOW_SECONDS;
  const secret = newWebhookSecret();
  const expiresAt = window > 0 ? new Date(Date.parse(ctx.now) + window * 1000).toISOString() : null;
  const after: SubscriptionRow = {
    ...before,
    secret_encrypted: await sealSecret(ctx.env.ENCRYPTION_KEY, id, secret),
    previous_secret_encrypted: expiresAt ? before.secret_encrypted : null,
    previous_secret_expires_at: expiresAt,
    updated_at: ctx.now,
  };
  const unchanged = and(subscriptionWhere(ctx, id), eq(webhookSubscriptions.secret_encrypted, before.secret_encrypted));
  const [, rotated] = await ctx.db.batch([
    auditEntry(
      ctx,
      {
        organizationId: null,
        resourceType: "webhook_subscription",
        resourceId: id,
        action: "secret_rotated",
        before: { previous_secret_expires_at: presentSubscription(before, ctx.now).previous_secret_expires_at },
        after: { previous_secret_expires_at: expiresAt },
      },
      sql`EXISTS (SELECT 1 FROM ${webhookSubscriptions} WHERE ${unchanged})`,
    ),
    ctx.db
      .update(webhookSubscriptions)
      .set({
        secret_encrypted: after.secret_encrypted,
        previous_secret_encrypted: after.previous_secret_encrypted,
        previous_secret_expires_at: after.previous_secret_expires_at,
        updated_at: ctx.now,
      })
      .where(unchanged),
  ]);
  if (changes(rotated) === 0) throw new Conflict("The secret was rotated by another request at the same time; read the subscription and retry.", "concurrent_update");
  return { ...presentSubscription(after, ctx.now), secret };
}
