CREATE TABLE `request_logs` (
	`id` text PRIMARY KEY NOT NULL,
	`request_id` text NOT NULL,
	`partner_id` text,
	`livemode` integer,
	`organization_id` text,
	`credential_id` text,
	`method` text NOT NULL,
	`route` text NOT NULL,
	`path_ids` text NOT NULL,
	`status` integer NOT NULL,
	`duration_ms` integer NOT NULL,
	`ip` text,
	`user_agent` text,
	`idempotency_key` text,
	`replayed` integer NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `request_logs_tenant_created_idx` ON `request_logs` (`partner_id`,`livemode`,`created_at`);--> statement-breakpoint
CREATE INDEX `request_logs_tenant_request_idx` ON `request_logs` (`partner_id`,`livemode`,`request_id`);--> statement-breakpoint
CREATE INDEX `request_logs_created_idx` ON `request_logs` (`created_at`);