CREATE TABLE `payment_intents` (
	`id` text PRIMARY KEY NOT NULL,
	`partner_id` text NOT NULL,
	`livemode` integer NOT NULL,
	`organization_id` text NOT NULL,
	`invoice_id` text NOT NULL,
	`payment_link_id` text NOT NULL,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`status` text NOT NULL,
	`selected_payment_method` text,
	`provider` text,
	`aiia_status` text,
	`aiia_transaction_id` text,
	`provider_status` text,
	`amount_received` integer NOT NULL,
	`refunded_amount` integer NOT NULL,
	`failure_code` text,
	`failure_message` text,
	`completed_at` text,
	`version` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `payment_intents_org_time` ON `payment_intents` (`organization_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `payment_intents_invoice` ON `payment_intents` (`invoice_id`);--> statement-breakpoint
CREATE INDEX `payment_intents_status` ON `payment_intents` (`status`,`updated_at`);--> statement-breakpoint
CREATE TABLE `payment_links` (
	`id` text PRIMARY KEY NOT NULL,
	`partner_id` text NOT NULL,
	`livemode` integer NOT NULL,
	`organization_id` text NOT NULL,
	`invoice_id` text NOT NULL,
	`payment_intent_id` text NOT NULL,
	`token` text NOT NULL,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`payment_methods` text NOT NULL,
	`status` text NOT NULL,
	`return_url` text,
	`expires_at` text,
	`completed_at` text,
	`revoked_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`invoice_id`) REFERENCES `invoices`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `payment_links_token` ON `payment_links` (`token`);--> statement-breakpoint
CREATE INDEX `payment_links_invoice` ON `payment_links` (`invoice_id`,`status`);--> statement-breakpoint
CREATE INDEX `payment_links_org_time` ON `payment_links` (`organization_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `payment_links_expiry` ON `payment_links` (`status`,`expires_at`);--> statement-breakpoint
CREATE TABLE `payments` (
	`id` text PRIMARY KEY NOT NULL,
	`partner_id` text NOT NULL,
	`livemode` integer NOT NULL,
	`organization_id` text NOT NULL,
	`invoice_id` text NOT NULL,
	`payment_intent_id` text NOT NULL,
	`payment_link_id` text NOT NULL,
	`amount` integer NOT NULL,
	`refunded_amount` integer NOT NULL,
	`currency` text NOT NULL,
	`method` text NOT NULL,
	`status` text NOT NULL,
	`paid_at` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `payments_intent` ON `payments` (`payment_intent_id`);--> statement-breakpoint
CREATE INDEX `payments_invoice` ON `payments` (`invoice_id`);--> statement-breakpoint
CREATE INDEX `payments_org_time` ON `payments` (`organization_id`,`paid_at`);