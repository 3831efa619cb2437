-- Issue 10 §3 and §4 (one file for both items of this change).
-- §3 (webhook retries): the HTTP retry schedule already lives on webhook_deliveries (attempts,
-- next_attempt_at) and webhook_delivery_attempts; nothing to change in the schema for it.
-- §4 (refund settlement belongs to the provider): a refund that no provider can send back (live
-- mode with none registered) stays pending and says why. Null for every existing refund.
ALTER TABLE `refunds` ADD `pending_reason` text;
