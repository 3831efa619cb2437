-- Issue 10 §7: a KYC verification covers one bank account; an account's verification status is
-- that of its latest covering KYC, looked up per account (bank accounts, live payment links).
CREATE INDEX `kyc_bank_account` ON `kyc_verifications` (`bank_account_id`,`created_at`);
