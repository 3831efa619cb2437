CREATE TABLE `dunning_rules` (
	`id` text PRIMARY KEY NOT NULL,
	`partner_id` text NOT NULL,
	`livemode` integer NOT NULL,
	`organization_id` text NOT NULL,
	`offset_days` integer NOT NULL,
	`channel` text NOT NULL,
	`template` text NOT NULL,
	`enabled` integer NOT NULL,
	`deleted_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `dunning_rules_org` ON `dunning_rules` (`organization_id`,`offset_days`);--> statement-breakpoint
CREATE TABLE `dunning_sends` (
	`invoice_id` text NOT NULL,
	`rule_id` text NOT NULL,
	`partner_id` text NOT NULL,
	`livemode` integer NOT NULL,
	`organization_id` text NOT NULL,
	`message_id` text NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`invoice_id`, `rule_id`)
);
--> statement-breakpoint
CREATE TABLE `messages` (
	`id` text PRIMARY KEY NOT NULL,
	`partner_id` text NOT NULL,
	`livemode` integer NOT NULL,
	`organization_id` text NOT NULL,
	`channel` text NOT NULL,
	`template` text NOT NULL,
	`locale` text NOT NULL,
	`to_encrypted` text NOT NULL,
	`to_hash` text NOT NULL,
	`to_masked` text NOT NULL,
	`subject` text,
	`content_encrypted` text NOT NULL,
	`status` text NOT NULL,
	`failure_reason` text,
	`related_type` text,
	`related_id` text,
	`attachments` text NOT NULL,
	`provider_message_id` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`sent_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `messages_org_time` ON `messages` (`organization_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `messages_related` ON `messages` (`related_type`,`related_id`);--> statement-breakpoint
CREATE INDEX `messages_queued` ON `messages` (`status`,`created_at`);--> statement-breakpoint
ALTER TABLE `invoices` ADD `dunning_paused` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `organizations` ADD `sms_sender_id` text;--> statement-breakpoint
ALTER TABLE `organizations` ADD `receipts_email` integer DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE `payment_links` ADD `sent_at` text;--> statement-breakpoint
ALTER TABLE `payment_links` ADD `reminder_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `payment_links` ADD `last_reminded_at` text;