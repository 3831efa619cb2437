-- Personal data at rest (issue 10 §2).
-- Event payloads: the personal parts (an invoice's payer) are stored sealed apart from the rest,
-- and payloads are purged after 90 days (the event row stays, marked expired).
ALTER TABLE `events` ADD `data_encrypted` text;--> statement-breakpoint
ALTER TABLE `events` ADD `data_expired_at` text;--> statement-breakpoint
CREATE INDEX `events_payload_retention` ON `events` (`created_at`) WHERE data_expired_at IS NULL;--> statement-breakpoint
-- Rows written before this migration: payloads with a payer in clear, keyed hashes with the legacy
-- derivation. The privacy backfill job (src/cron/privacy-backfill.ts) seals and rehashes them in
-- JavaScript (neither can be done in SQL); these partial indexes let it find them without a scan,
-- and are empty once it is done.
CREATE INDEX `events_plain_personal_data` ON `events` (`created_at`) WHERE data_encrypted IS NULL AND data_expired_at IS NULL AND json_type(data, '$.invoice.payer') = 'object';--> statement-breakpoint
CREATE INDEX `bank_accounts_legacy_fingerprint` ON `bank_accounts` (`id`) WHERE substr(iban_fingerprint, 1, 3) != 'v2:';--> statement-breakpoint
CREATE INDEX `invoices_legacy_email_hash` ON `invoices` (`id`) WHERE substr(payer_email_hash, 1, 3) != 'v2:';
