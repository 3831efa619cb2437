-- D1 enforces foreign keys; the table rebuilds below (columns made nullable) keep every reference valid.
PRAGMA defer_foreign_keys = true;--> statement-breakpoint
CREATE TABLE `__new_payment_intents` (
	`id` text PRIMARY KEY NOT NULL,
	`partner_id` text NOT NULL,
	`livemode` integer NOT NULL,
	`organization_id` text NOT NULL,
	`invoice_id` text,
	`payment_link_id` text NOT NULL,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`status` text NOT NULL,
	`capture_method` text DEFAULT 'automatic' NOT NULL,
	`amount_authorized` integer,
	`capture_before` text,
	`cancellation_reason` text,
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
INSERT INTO `__new_payment_intents`("id", "partner_id", "livemode", "organization_id", "invoice_id", "payment_link_id", "amount", "currency", "status", "selected_payment_method", "provider", "aiia_status", "aiia_transaction_id", "provider_status", "amount_received", "refunded_amount", "failure_code", "failure_message", "completed_at", "version", "created_at", "updated_at") SELECT "id", "partner_id", "livemode", "organization_id", "invoice_id", "payment_link_id", "amount", "currency", "status", "selected_payment_method", "provider", "aiia_status", "aiia_transaction_id", "provider_status", "amount_received", "refunded_amount", "failure_code", "failure_message", "completed_at", "version", "created_at", "updated_at" FROM `payment_intents`;--> statement-breakpoint
DROP TABLE `payment_intents`;--> statement-breakpoint
ALTER TABLE `__new_payment_intents` RENAME TO `payment_intents`;--> statement-breakpoint
CREATE INDEX `payment_intents_org_time` ON `payment_intents` (`organization_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `payment_intents_invoice` ON `payment_intents` (`invoice_id`);--> statement-breakpoint
CREATE INDEX `payment_intents_status` ON `payment_intents` (`status`,`updated_at`);--> statement-breakpoint
CREATE INDEX `payment_intents_holds` ON `payment_intents` (`status`,`capture_before`);--> statement-breakpoint
CREATE TABLE `__new_payment_links` (
	`id` text PRIMARY KEY NOT NULL,
	`partner_id` text NOT NULL,
	`livemode` integer NOT NULL,
	`organization_id` text NOT NULL,
	`invoice_id` text,
	`payment_intent_id` text NOT NULL,
	`department_id` text,
	`type` text DEFAULT 'standard' NOT NULL,
	`page` text DEFAULT 'standard' NOT NULL,
	`description` text,
	`payer_encrypted` text,
	`payer_name_hash` text,
	`payer_email_hash` text,
	`token` text NOT NULL,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`payment_methods` text NOT NULL,
	`status` text NOT NULL,
	`return_url` text,
	`expires_at` text,
	`completed_at` text,
	`revoked_at` text,
	`sent_at` text,
	`reminder_count` integer DEFAULT 0 NOT NULL,
	`last_reminded_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`invoice_id`) REFERENCES `invoices`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `__new_payment_links`("id", "partner_id", "livemode", "organization_id", "invoice_id", "payment_intent_id", "token", "amount", "currency", "payment_methods", "status", "return_url", "expires_at", "completed_at", "revoked_at", "sent_at", "reminder_count", "last_reminded_at", "created_at", "updated_at") SELECT "id", "partner_id", "livemode", "organization_id", "invoice_id", "payment_intent_id", "token", "amount", "currency", "payment_methods", "status", "return_url", "expires_at", "completed_at", "revoked_at", "sent_at", "reminder_count", "last_reminded_at", "created_at", "updated_at" FROM `payment_links`;--> statement-breakpoint
DROP TABLE `payment_links`;--> statement-breakpoint
ALTER TABLE `__new_payment_links` RENAME TO `payment_links`;--> statement-breakpoint
CREATE UNIQUE INDEX `payment_links_token` ON `payment_links` (`token`);--> statement-breakpoint
CREATE INDEX `payment_links_invoice` ON `payment_links` (`invoice_id`,`status`);--> statement-breakpoint
CREATE INDEX `payment_links_org_time` ON `payment_links` (`organization_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `payment_links_expiry` ON `payment_links` (`status`,`expires_at`);--> statement-breakpoint
CREATE INDEX `payment_links_payer_email` ON `payment_links` (`organization_id`,`payer_email_hash`);--> statement-breakpoint
CREATE INDEX `payment_links_payer_name` ON `payment_links` (`organization_id`,`payer_name_hash`);--> statement-breakpoint
CREATE TABLE `__new_payments` (
	`id` text PRIMARY KEY NOT NULL,
	`partner_id` text NOT NULL,
	`livemode` integer NOT NULL,
	`organization_id` text NOT NULL,
	`invoice_id` text,
	`payment_intent_id` text,
	`payment_link_id` text,
	`amount` integer NOT NULL,
	`refunded_amount` integer NOT NULL,
	`currency` text NOT NULL,
	`method` text NOT NULL,
	`status` text NOT NULL,
	`paid_at` text NOT NULL,
	`department_id` text,
	`reference` text,
	`note` text,
	`voided_at` text,
	`void_reason` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
INSERT INTO `__new_payments`("id", "partner_id", "livemode", "organization_id", "invoice_id", "payment_intent_id", "payment_link_id", "amount", "refunded_amount", "currency", "method", "status", "paid_at", "created_at", "updated_at") SELECT "id", "partner_id", "livemode", "organization_id", "invoice_id", "payment_intent_id", "payment_link_id", "amount", "refunded_amount", "currency", "method", "status", "paid_at", "created_at", "updated_at" FROM `payments`;--> statement-breakpoint
DROP TABLE `payments`;--> statement-breakpoint
ALTER TABLE `__new_payments` RENAME TO `payments`;--> statement-breakpoint
CREATE UNIQUE INDEX `payments_intent` ON `payments` (`payment_intent_id`);--> statement-breakpoint
CREATE INDEX `payments_invoice` ON `payments` (`invoice_id`);--> statement-breakpoint
CREATE INDEX `payments_org_time` ON `payments` (`organization_id`,`paid_at`);--> statement-breakpoint
CREATE INDEX `payments_partner_time` ON `payments` (`partner_id`,`livemode`,`paid_at`);--> statement-breakpoint
CREATE TABLE `__new_refunds` (
	`id` text PRIMARY KEY NOT NULL,
	`partner_id` text NOT NULL,
	`livemode` integer NOT NULL,
	`organization_id` text NOT NULL,
	`payment_intent_id` text NOT NULL,
	`invoice_id` text,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`status` text NOT NULL,
	`reason` text,
	`type` text DEFAULT 'repayment' NOT NULL,
	`credit_note_id` text,
	`failure_code` text,
	`pending_reason` text,
	`completed_at` text,
	`version` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
INSERT INTO `__new_refunds`("id", "partner_id", "livemode", "organization_id", "payment_intent_id", "invoice_id", "amount", "currency", "status", "reason", "type", "credit_note_id", "failure_code", "pending_reason", "completed_at", "version", "created_at", "updated_at") SELECT "id", "partner_id", "livemode", "organization_id", "payment_intent_id", "invoice_id", "amount", "currency", "status", "reason", "type", "credit_note_id", "failure_code", "pending_reason", "completed_at", "version", "created_at", "updated_at" FROM `refunds`;--> statement-breakpoint
DROP TABLE `refunds`;--> statement-breakpoint
ALTER TABLE `__new_refunds` RENAME TO `refunds`;--> statement-breakpoint
CREATE INDEX `refunds_intent` ON `refunds` (`payment_intent_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `refunds_org_time` ON `refunds` (`organization_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `refunds_org_completed` ON `refunds` (`organization_id`,`completed_at`);--> statement-breakpoint
ALTER TABLE `departments` ADD `offline_methods` text;--> statement-breakpoint
ALTER TABLE `departments` ADD `cash_ceiling` integer;--> statement-breakpoint
ALTER TABLE `organizations` ADD `accounting` text;--> statement-breakpoint
CREATE INDEX `invoices_org_issued` ON `invoices` (`organization_id`,`issued_at`);--> statement-breakpoint
UPDATE `payment_links` SET `department_id` = (SELECT `department_id` FROM `invoices` WHERE `invoices`.`id` = `payment_links`.`invoice_id`) WHERE `invoice_id` IS NOT NULL;--> statement-breakpoint
UPDATE `payments` SET `department_id` = (SELECT `department_id` FROM `invoices` WHERE `invoices`.`id` = `payments`.`invoice_id`) WHERE `invoice_id` IS NOT NULL;