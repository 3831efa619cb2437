CREATE TABLE `audit_chains` (
	`partner_id` text NOT NULL,
	`livemode` integer NOT NULL,
	`sealed_through` integer DEFAULT 0 NOT NULL,
	`head_hash` text,
	`pruned_through` integer DEFAULT 0 NOT NULL,
	`pruned_hash` text,
	`anchored_through` integer DEFAULT 0 NOT NULL,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`partner_id`, `livemode`)
);
--> statement-breakpoint
-- Hand-written (drizzle-kit emits ADD COLUMN … NOT NULL, which SQLite refuses): the table is
-- rebuilt with `sequence`, and the entries already written get their positions, per partner and
-- mode, in the order they were written (created_at, then rowid). They are sealed by the first
-- run of the sealer, like any new entry.
CREATE TABLE `__new_audit_logs` (
	`id` text PRIMARY KEY NOT NULL,
	`partner_id` text NOT NULL,
	`livemode` integer NOT NULL,
	`organization_id` text,
	`resource_type` text NOT NULL,
	`resource_id` text NOT NULL,
	`action` text NOT NULL,
	`user_id` text NOT NULL,
	`user_type` text NOT NULL,
	`ip_address` text,
	`request_id` text,
	`changes` text NOT NULL,
	`created_at` text NOT NULL,
	`sequence` integer NOT NULL,
	`ip_hash` text,
	`previous_hash` text,
	`hash` text
);
--> statement-breakpoint
INSERT INTO `__new_audit_logs`("id", "partner_id", "livemode", "organization_id", "resource_type", "resource_id", "action", "user_id", "user_type", "ip_address", "request_id", "changes", "created_at", "sequence")
SELECT "id", "partner_id", "livemode", "organization_id", "resource_type", "resource_id", "action", "user_id", "user_type", "ip_address", "request_id", "changes", "created_at",
  ROW_NUMBER() OVER (PARTITION BY "partner_id", "livemode" ORDER BY "created_at", rowid)
FROM `audit_logs`;--> statement-breakpoint
DROP TABLE `audit_logs`;--> statement-breakpoint
ALTER TABLE `__new_audit_logs` RENAME TO `audit_logs`;--> statement-breakpoint
CREATE INDEX `audit_org_time` ON `audit_logs` (`organization_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `audit_resource` ON `audit_logs` (`partner_id`,`livemode`,`resource_type`,`resource_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `audit_chain_sequence` ON `audit_logs` (`partner_id`,`livemode`,`sequence`);--> statement-breakpoint
CREATE INDEX `audit_unsealed` ON `audit_logs` (`partner_id`,`livemode`,`sequence`) WHERE "audit_logs"."hash" IS NULL;--> statement-breakpoint
CREATE INDEX `audit_time` ON `audit_logs` (`created_at`);--> statement-breakpoint
CREATE INDEX `audit_ip_age` ON `audit_logs` (`created_at`) WHERE "audit_logs"."ip_address" IS NOT NULL;