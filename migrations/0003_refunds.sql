CREATE TABLE `refunds` (
	`id` text PRIMARY KEY NOT NULL,
	`partner_id` text NOT NULL,
	`livemode` integer NOT NULL,
	`organization_id` text NOT NULL,
	`payment_intent_id` text NOT NULL,
	`invoice_id` text NOT NULL,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`status` text NOT NULL,
	`reason` text,
	`failure_code` text,
	`completed_at` text,
	`version` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `refunds_intent` ON `refunds` (`payment_intent_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `refunds_org_time` ON `refunds` (`organization_id`,`created_at`);