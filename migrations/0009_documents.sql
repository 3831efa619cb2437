CREATE TABLE `quotes` (
	`id` text PRIMARY KEY NOT NULL,
	`partner_id` text NOT NULL,
	`livemode` integer NOT NULL,
	`organization_id` text NOT NULL,
	`department_id` text NOT NULL,
	`status` text NOT NULL,
	`quote_number` text,
	`currency` text NOT NULL,
	`payer_encrypted` text NOT NULL,
	`payer_email_hash` text NOT NULL,
	`line_items` text NOT NULL,
	`subtotal_amount` integer NOT NULL,
	`tax_amount` integer NOT NULL,
	`total_amount` integer NOT NULL,
	`tax_breakdown` text NOT NULL,
	`valid_until` text,
	`payment_terms` text,
	`vat_exemption_reason` text,
	`mentions` text,
	`metadata` text NOT NULL,
	`invoice_id` text,
	`decline_reason` text,
	`sent_at` text,
	`accepted_at` text,
	`declined_at` text,
	`expired_at` text,
	`version` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`department_id`) REFERENCES `departments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `quotes_org_time` ON `quotes` (`organization_id`,`created_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `quotes_org_number` ON `quotes` (`organization_id`,`quote_number`);--> statement-breakpoint
CREATE INDEX `quotes_expiry` ON `quotes` (`status`,`valid_until`);--> statement-breakpoint
DROP INDEX `credit_notes_invoice`;--> statement-breakpoint
ALTER TABLE `credit_notes` ADD `type` text DEFAULT 'cancellation' NOT NULL;--> statement-breakpoint
ALTER TABLE `credit_notes` ADD `refund_id` text;--> statement-breakpoint
ALTER TABLE `credit_notes` ADD `line_items` text;--> statement-breakpoint
ALTER TABLE `credit_notes` ADD `document_sha256` text;--> statement-breakpoint
ALTER TABLE `credit_notes` ADD `xml_sha256` text;--> statement-breakpoint
ALTER TABLE `credit_notes` ADD `document_generated_at` text;--> statement-breakpoint
CREATE UNIQUE INDEX `credit_notes_refund` ON `credit_notes` (`refund_id`);--> statement-breakpoint
CREATE INDEX `credit_notes_org_time` ON `credit_notes` (`organization_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `credit_notes_undocumented` ON `credit_notes` (`created_at`) WHERE document_sha256 IS NULL;--> statement-breakpoint
CREATE INDEX `credit_notes_invoice` ON `credit_notes` (`invoice_id`);--> statement-breakpoint
ALTER TABLE `invoices` ADD `type` text DEFAULT 'standard' NOT NULL;--> statement-breakpoint
ALTER TABLE `invoices` ADD `deducted_deposits` text;--> statement-breakpoint
ALTER TABLE `invoices` ADD `deposits_amount` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `invoices` ADD `credited_amount` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `invoices` ADD `deducted_by` text;--> statement-breakpoint
ALTER TABLE `invoices` ADD `quote_id` text;--> statement-breakpoint
ALTER TABLE `invoices` ADD `service_date` text;--> statement-breakpoint
ALTER TABLE `invoices` ADD `service_period` text;--> statement-breakpoint
ALTER TABLE `invoices` ADD `operation_category` text DEFAULT 'services' NOT NULL;--> statement-breakpoint
ALTER TABLE `invoices` ADD `payee_encrypted` text;--> statement-breakpoint
ALTER TABLE `invoices` ADD `document_sha256` text;--> statement-breakpoint
ALTER TABLE `invoices` ADD `xml_sha256` text;--> statement-breakpoint
ALTER TABLE `invoices` ADD `document_generated_at` text;--> statement-breakpoint
CREATE INDEX `invoices_deducted_by` ON `invoices` (`deducted_by`);--> statement-breakpoint
ALTER TABLE `organizations` ADD `vat_on_debits` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `refunds` ADD `type` text DEFAULT 'repayment' NOT NULL;--> statement-breakpoint
ALTER TABLE `refunds` ADD `credit_note_id` text;