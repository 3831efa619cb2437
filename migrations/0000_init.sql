CREATE TABLE `audit_logs` (
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
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_org_time` ON `audit_logs` (`organization_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `audit_resource` ON `audit_logs` (`partner_id`,`livemode`,`resource_type`,`resource_id`);--> statement-breakpoint
CREATE TABLE `bank_accounts` (
	`id` text PRIMARY KEY NOT NULL,
	`partner_id` text NOT NULL,
	`livemode` integer NOT NULL,
	`organization_id` text NOT NULL,
	`department_id` text NOT NULL,
	`iban_encrypted` text NOT NULL,
	`iban_fingerprint` text NOT NULL,
	`iban_masked` text NOT NULL,
	`iban_last4` text NOT NULL,
	`country` text NOT NULL,
	`bic` text,
	`account_name` text NOT NULL,
	`bank_name` text,
	`is_default` integer NOT NULL,
	`status` text NOT NULL,
	`deleted_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`department_id`) REFERENCES `departments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `bank_accounts_department` ON `bank_accounts` (`department_id`,`created_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `bank_accounts_department_iban` ON `bank_accounts` (`department_id`,`iban_fingerprint`) WHERE status = 'active';--> statement-breakpoint
CREATE UNIQUE INDEX `bank_accounts_department_default` ON `bank_accounts` (`department_id`) WHERE is_default = 1 and status = 'active';--> statement-breakpoint
CREATE TABLE `credentials` (
	`id` text PRIMARY KEY NOT NULL,
	`partner_id` text NOT NULL,
	`mode` text NOT NULL,
	`client_id` text NOT NULL,
	`client_secret_hash` text NOT NULL,
	`publishable_key` text NOT NULL,
	`secret_key_hash` text NOT NULL,
	`secret_key_last4` text NOT NULL,
	`scopes` text NOT NULL,
	`status` text NOT NULL,
	`revoked_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`partner_id`) REFERENCES `partners`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `credentials_client_id` ON `credentials` (`client_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `credentials_secret_key_hash` ON `credentials` (`secret_key_hash`);--> statement-breakpoint
CREATE UNIQUE INDEX `credentials_publishable_key` ON `credentials` (`publishable_key`);--> statement-breakpoint
CREATE INDEX `credentials_partner` ON `credentials` (`partner_id`);--> statement-breakpoint
CREATE TABLE `departments` (
	`id` text PRIMARY KEY NOT NULL,
	`partner_id` text NOT NULL,
	`livemode` integer NOT NULL,
	`organization_id` text NOT NULL,
	`name` text NOT NULL,
	`code` text NOT NULL,
	`description` text,
	`metadata` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `departments_org_code` ON `departments` (`organization_id`,`code`);--> statement-breakpoint
CREATE INDEX `departments_org` ON `departments` (`organization_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `events` (
	`id` text PRIMARY KEY NOT NULL,
	`partner_id` text NOT NULL,
	`livemode` integer NOT NULL,
	`organization_id` text,
	`type` text NOT NULL,
	`data` text NOT NULL,
	`created_at` text NOT NULL,
	`enqueued_at` text
);
--> statement-breakpoint
CREATE INDEX `events_tenant_time` ON `events` (`partner_id`,`livemode`,`created_at`);--> statement-breakpoint
CREATE INDEX `events_unenqueued` ON `events` (`enqueued_at`,`created_at`);--> statement-breakpoint
CREATE TABLE `idempotency_keys` (
	`partner_id` text NOT NULL,
	`livemode` integer NOT NULL,
	`key` text NOT NULL,
	`request_hash` text NOT NULL,
	`status` text NOT NULL,
	`response_status` integer,
	`response_body` text,
	`created_at` text NOT NULL,
	`expires_at` text NOT NULL,
	PRIMARY KEY(`partner_id`, `livemode`, `key`)
);
--> statement-breakpoint
CREATE INDEX `idempotency_expiry` ON `idempotency_keys` (`expires_at`);--> statement-breakpoint
CREATE TABLE `kyc_verifications` (
	`id` text PRIMARY KEY NOT NULL,
	`partner_id` text NOT NULL,
	`livemode` integer NOT NULL,
	`organization_id` text NOT NULL,
	`department_id` text NOT NULL,
	`status` text NOT NULL,
	`legal_name` text NOT NULL,
	`siret` text NOT NULL,
	`account_holder_name` text NOT NULL,
	`bank_account_id` text NOT NULL,
	`rejection_reason` text,
	`warnings` text NOT NULL,
	`submitted_at` text NOT NULL,
	`decided_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`department_id`) REFERENCES `departments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `kyc_department` ON `kyc_verifications` (`department_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `organizations` (
	`id` text PRIMARY KEY NOT NULL,
	`partner_id` text NOT NULL,
	`livemode` integer NOT NULL,
	`type` text NOT NULL,
	`name` text NOT NULL,
	`siret` text NOT NULL,
	`siren` text NOT NULL,
	`vat_number` text,
	`address` text,
	`contact` text,
	`branding` text,
	`metadata` text NOT NULL,
	`warnings` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `organizations_tenant` ON `organizations` (`partner_id`,`livemode`,`created_at`);--> statement-breakpoint
CREATE TABLE `partners` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`plan` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
