-- Issue 10 §1. An Idempotency-Key is scoped to partner, mode AND organization (the X-Entity-Id the
-- operation acts for, '' for partner-level operations); each claim carries a claim_id that its
-- completion and release must match; the stored response is sealed and the request fingerprint is
-- an HMAC. SQLite cannot change a primary key, so the table is recreated. Its rows are 24-hour
-- retry records whose format changes here (clear body, plain SHA-256): they are dropped, so a
-- retry of a request sent just before this migration runs again instead of being replayed.
DROP TABLE `idempotency_keys`;--> statement-breakpoint
CREATE TABLE `idempotency_keys` (
	`partner_id` text NOT NULL,
	`livemode` integer NOT NULL,
	`organization_id` text DEFAULT '' NOT NULL,
	`key` text NOT NULL,
	`claim_id` text NOT NULL,
	`request_hash` text NOT NULL,
	`status` text NOT NULL,
	`response_status` integer,
	`response_body` text,
	`created_at` text NOT NULL,
	`expires_at` text NOT NULL,
	PRIMARY KEY(`partner_id`, `livemode`, `organization_id`, `key`)
);
--> statement-breakpoint
CREATE INDEX `idempotency_expiry` ON `idempotency_keys` (`expires_at`);
