CREATE TABLE `credit_notes` (
	`id` text PRIMARY KEY NOT NULL,
	`partner_id` text NOT NULL,
	`livemode` integer NOT NULL,
	`organization_id` text NOT NULL,
	`invoice_id` text NOT NULL,
	`credit_note_number` text NOT NULL,
	`invoice_number` text NOT NULL,
	`invoice_issue_date` text NOT NULL,
	`reason` text,
	`currency` text NOT NULL,
	`subtotal_amount` integer NOT NULL,
	`tax_amount` integer NOT NULL,
	`total_amount` integer NOT NULL,
	`tax_breakdown` text NOT NULL,
	`mentions` text NOT NULL,
	`issued_at` text NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`invoice_id`) REFERENCES `invoices`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `credit_notes_invoice` ON `credit_notes` (`invoice_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `credit_notes_org_number` ON `credit_notes` (`organization_id`,`credit_note_number`);--> statement-breakpoint
CREATE TABLE `invoice_counters` (
	`organization_id` text NOT NULL,
	`series` text NOT NULL,
	`year` integer NOT NULL,
	`last_number` integer NOT NULL,
	PRIMARY KEY(`organization_id`, `series`, `year`)
);
--> statement-breakpoint
CREATE TABLE `invoices` (
	`id` text PRIMARY KEY NOT NULL,
	`partner_id` text NOT NULL,
	`livemode` integer NOT NULL,
	`organization_id` text NOT NULL,
	`department_id` text NOT NULL,
	`status` text NOT NULL,
	`invoice_number` text,
	`currency` text NOT NULL,
	`payer_encrypted` text NOT NULL,
	`payer_email_hash` text NOT NULL,
	`line_items` text NOT NULL,
	`subtotal_amount` integer NOT NULL,
	`tax_amount` integer NOT NULL,
	`total_amount` integer NOT NULL,
	`tax_breakdown` text NOT NULL,
	`amount_paid` integer NOT NULL,
	`amount_due` integer NOT NULL,
	`due_date` text,
	`payment_terms` text,
	`vat_exemption_reason` text,
	`mentions` text,
	`metadata` text NOT NULL,
	`warnings` text NOT NULL,
	`credit_note_id` text,
	`issued_at` text,
	`paid_at` text,
	`cancelled_at` text,
	`version` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`department_id`) REFERENCES `departments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `invoices_org_time` ON `invoices` (`organization_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `invoices_org_status_due` ON `invoices` (`organization_id`,`status`,`due_date`);--> statement-breakpoint
CREATE INDEX `invoices_due_sweep` ON `invoices` (`status`,`due_date`);--> statement-breakpoint
CREATE INDEX `invoices_org_payer` ON `invoices` (`organization_id`,`payer_email_hash`);--> statement-breakpoint
CREATE UNIQUE INDEX `invoices_org_number` ON `invoices` (`organization_id`,`invoice_number`);