import { sql } from "drizzle-orm";
import { BANK_ACCOUNT_STATUSES } from "../domain/bank-account";
import { CREDENTIAL_STATUSES } from "../domain/credential";
import { IDEMPOTENCY_KEY_STATUSES } from "../domain/idempotency";
import type { Warning } from "../domain/identity";
import { INVOICE_STATUSES } from "../domain/invoice-status";
import { KYC_STATUSES } from "../domain/kyc";
import { LEDGER_PAYMENT_METHODS, OFFLINE_PAYMENT_METHODS, PAYMENT_STATUSES } from "../domain/payment";
import { AIIA_STATUSES, CAPTURE_METHODS, INTENT_STATUSES, PAYMENT_METHODS } from "../domain/payment-intent";
import { PAYMENT_LINK_STATUSES, PAYMENT_LINK_TYPES, PAYMENT_PAGE_STYLES } from "../domain/payment-link";
import { QUOTE_STATUSES } from "../domain/quote-status";
import { REFUND_PENDING_REASONS, REFUND_STATUSES } from "../domain/refund";
import { DELIVERY_ATTEMPT_OUTCOMES, SUBSCRIPTION_DISABLED_REASONS, WEBHOOK_DELIVERY_STATUSES, WEBHOOK_SUBSCRIPTION_STATUSES } from "../domain/webhook-status";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/**
 * The D1 system of record. Every tenant-owned row carries `partner_id` and `livemode`, so every
 * query filters on them directly. Timestamps are ISO 8601 UTC strings (they sort as text).
 * JSON columns hold small structured values that are always read and written whole.
 */

const timestamps = {
  created_at: text("created_at").notNull(),
  updated_at: text("updated_at").notNull(),
};

const tenant = {
  partner_id: text("partner_id").notNull(),
  livemode: integer("livemode", { mode: "boolean" }).notNull(),
};

export const partners = sqliteTable("partners", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  plan: text("plan", { enum: ["standard", "business", "enterprise"] }).notNull(),
  ...timestamps,
});

export const credentials = sqliteTable(
  "credentials",
  {
    id: text("id").primaryKey(),
    partner_id: text("partner_id").notNull().references(() => partners.id),
    mode: text("mode", { enum: ["test", "live"] }).notNull(),
    client_id: text("client_id").notNull(),
    client_secret_hash: text("client_secret_hash").notNull(),
    publishable_key: text("publishable_key").notNull(),
    secret_key_hash: text("secret_key_hash").notNull(),
    secret_key_last4: text("secret_key_last4").notNull(),
    scopes: text("scopes", { mode: "json" }).$type<string[]>().notNull(),
    status: text("status", { enum: CREDENTIAL_STATUSES }).notNull(),
    revoked_at: text("revoked_at"),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("credentials_client_id").on(t.client_id),
    uniqueIndex("credentials_secret_key_hash").on(t.secret_key_hash),
    uniqueIndex("credentials_publishable_key").on(t.publishable_key),
    index("credentials_partner").on(t.partner_id),
  ],
);

export interface Address {
  line1: string;
  line2?: string | undefined;
  postal_code: string;
  city: string;
  country: string;
}


export const organizations = sqliteTable(
  "organizations",
  {
    id: text("id").primaryKey(),
    ...tenant,
    type: text("type", { enum: ["company", "public_entity"] }).notNull(),
    name: text("name").notNull(),
    siret: text("siret").notNull(),
    siren: text("siren").notNull(),
    vat_number: text("vat_number"),
    /** Opted to pay VAT on debits (CGI 269-2-c): the invoices say so (issue 12). */
    vat_on_debits: integer("vat_on_debits", { mode: "boolean" }).notNull().default(false),
    address: text("address", { mode: "json" }).$type<Address>(),
    contact: text("contact", { mode: "json" }).$type<{ name?: string; email?: string; phone?: string }>(),
    branding: text("branding", { mode: "json" }).$type<{
      display_name?: string;
      logo_url?: string;
      primary_color?: string;
      support_email?: string;
    }>(),
    /** Alphanumeric SMS sender id (≤ 11 characters; French operators block API SMS from +33 6/7 numbers). */
    sms_sender_id: text("sms_sender_id"),
    /** Email the payer a receipt after every payment (issue 13); on unless turned off. */
    receipts_email: integer("receipts_email", { mode: "boolean" }).notNull().default(true),
    /** The accounts of the FEC export (issue 14): null keeps the plan comptable général's defaults. */
    accounting: text("accounting", { mode: "json" }).$type<{
      customer_account?: string;
      revenue_accounts_by_vat_rate?: Record<string, string>;
      vat_accounts_by_rate?: Record<string, string>;
      bank_account?: string;
    }>(),
    metadata: text("metadata", { mode: "json" }).$type<Record<string, string>>().notNull(),
    warnings: text("warnings", { mode: "json" }).$type<Warning[]>().notNull(),
    ...timestamps,
  },
  (t) => [index("organizations_tenant").on(t.partner_id, t.livemode, t.created_at)],
);

export const departments = sqliteTable(
  "departments",
  {
    id: text("id").primaryKey(),
    ...tenant,
    organization_id: text("organization_id").notNull().references(() => organizations.id),
    name: text("name").notNull(),
    code: text("code").notNull(),
    description: text("description"),
    /** Offline methods a régie's founding order lets it take (null: any); cash above the ceiling is refused (issue 14). */
    offline_methods: text("offline_methods", { mode: "json" }).$type<(typeof OFFLINE_PAYMENT_METHODS)[number][]>(),
    cash_ceiling: integer("cash_ceiling"),
    metadata: text("metadata", { mode: "json" }).$type<Record<string, string>>().notNull(),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("departments_org_code").on(t.organization_id, t.code),
    index("departments_org").on(t.organization_id, t.created_at),
  ],
);

export const bankAccounts = sqliteTable(
  "bank_accounts",
  {
    id: text("id").primaryKey(),
    ...tenant,
    organization_id: text("organization_id").notNull(),
    department_id: text("department_id").notNull().references(() => departments.id),
    /** AES-GCM sealed IBAN, bound to the row id. Never returned. */
    iban_encrypted: text("iban_encrypted").notNull(),
    /** HMAC of the IBAN: finds duplicates without decrypting. */
    iban_fingerprint: text("iban_fingerprint").notNull(),
    iban_masked: text("iban_masked").notNull(),
    iban_last4: text("iban_last4").notNull(),
    country: text("country").notNull(),
    bic: text("bic"),
    account_name: text("account_name").notNull(),
    bank_name: text("bank_name"),
    is_default: integer("is_default", { mode: "boolean" }).notNull(),
    status: text("status", { enum: BANK_ACCOUNT_STATUSES }).notNull(),
    deleted_at: text("deleted_at"),
    ...timestamps,
    /** Starts at 1, +1 on every update: a webhook payload's object_version (receivers keep the highest seen). */
    version: integer("version").notNull().default(1),
  },
  (t) => [
    index("bank_accounts_department").on(t.department_id, t.created_at),
    // At most one live copy of an IBAN, and at most one default account, per department.
    uniqueIndex("bank_accounts_department_iban").on(t.department_id, t.iban_fingerprint).where(sql`status = 'active'`),
    uniqueIndex("bank_accounts_department_default")
      .on(t.department_id)
      .where(sql`is_default = 1 and status = 'active'`),
    // Fingerprints of the legacy derivation, for the privacy backfill (empty once it is done).
    index("bank_accounts_legacy_fingerprint").on(t.id).where(sql`substr(iban_fingerprint, 1, 3) != 'v2:'`),
  ],
);

export const kycVerifications = sqliteTable(
  "kyc_verifications",
  {
    id: text("id").primaryKey(),
    ...tenant,
    organization_id: text("organization_id").notNull(),
    department_id: text("department_id").notNull().references(() => departments.id),
    status: text("status", { enum: KYC_STATUSES }).notNull(),
    legal_name: text("legal_name").notNull(),
    siret: text("siret").notNull(),
    account_holder_name: text("account_holder_name").notNull(),
    bank_account_id: text("bank_account_id").notNull(),
    rejection_reason: text("rejection_reason"),
    warnings: text("warnings", { mode: "json" }).$type<Warning[]>().notNull(),
    submitted_at: text("submitted_at").notNull(),
    decided_at: text("decided_at"),
    ...timestamps,
    /** Starts at 1, +1 on every update: a webhook payload's object_version (receivers keep the highest seen). */
    version: integer("version").notNull().default(1),
  },
  (t) => [
    index("kyc_department").on(t.department_id, t.created_at),
    // A bank account's verification status is its latest covering KYC (services/bank-accounts/verification.ts).
    index("kyc_bank_account").on(t.bank_account_id, t.created_at),
  ],
);

export const auditLogs = sqliteTable(
  "audit_logs",
  {
    id: text("id").primaryKey(),
    ...tenant,
    /** Null for operator actions on the partner itself (credentials). */
    organization_id: text("organization_id"),
    resource_type: text("resource_type").notNull(),
    resource_id: text("resource_id").notNull(),
    action: text("action").notNull(),
    user_id: text("user_id").notNull(),
    user_type: text("user_type", { enum: ["partner", "operator", "system", "payer"] }).notNull(),
    ip_address: text("ip_address"),
    request_id: text("request_id"),
    changes: text("changes", { mode: "json" })
      .$type<{ before: Record<string, unknown> | null; after: Record<string, unknown> | null }>()
      .notNull(),
    created_at: text("created_at").notNull(),
    /**
     * The entry's position in its chain (one chain per partner and mode): gap-free, given inside
     * the entry's own batch from the chain's current maximum (db/audit.ts auditSequence), as
     * invoice numbers are. Never null, so a writer that forgets it fails instead of leaving a hole.
     */
    sequence: integer("sequence").notNull(),
    /** Set when sealed (services/audit-logs/seal.ts): a keyed hash of `ip_address`, so the IP can be erased after a year without breaking the chain. */
    ip_hash: text("ip_hash"),
    /** Set when sealed: the previous entry's `hash` (64 zeros for sequence 1), and SHA-256 over it and this entry's canonical form (domain/audit-chain.ts). */
    previous_hash: text("previous_hash"),
    hash: text("hash"),
  },
  (t) => [
    index("audit_org_time").on(t.organization_id, t.created_at),
    index("audit_resource").on(t.partner_id, t.livemode, t.resource_type, t.resource_id),
    // The chain: one entry per position (a concurrent writer can never fork it), and its next position is max + 1.
    uniqueIndex("audit_chain_sequence").on(t.partner_id, t.livemode, t.sequence),
    // What the sealer has left to do: small, since entries are sealed within a minute.
    index("audit_unsealed").on(t.partner_id, t.livemode, t.sequence).where(sql`${t.hash} IS NULL`),
    // Retention: entries after 10 years, and their IP addresses after one (only those still holding one).
    index("audit_time").on(t.created_at),
    index("audit_ip_age").on(t.created_at).where(sql`${t.ip_address} IS NOT NULL`),
  ],
);

/**
 * Each audit chain's state (one per partner and mode), moved forward only by the sealer, in
 * sequence order: how far it is sealed and its head hash, what retention has removed from its
 * start (and the hash the kept part starts from), and the last head anchored to R2.
 */
export const auditChains = sqliteTable(
  "audit_chains",
  {
    ...tenant,
    sealed_through: integer("sealed_through").notNull().default(0),
    head_hash: text("head_hash"),
    pruned_through: integer("pruned_through").notNull().default(0),
    pruned_hash: text("pruned_hash"),
    anchored_through: integer("anchored_through").notNull().default(0),
    updated_at: text("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.partner_id, t.livemode] })],
);

/** The outbox: one row per event, written in the same batch as the change it describes. */
export const events = sqliteTable(
  "events",
  {
    id: text("id").primaryKey(),
    ...tenant,
    organization_id: text("organization_id"),
    type: text("type").notNull(),
    /** The payload without its personal data (nulls in its place; `{}` once expired). */
    data: text("data", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    /**
     * The payload's personal data (domain/event-privacy.ts), AES-GCM sealed and bound to the event
     * id; null when it has none. Readers merge it back (services/events/payload.ts).
     */
    data_encrypted: text("data_encrypted"),
    /** When the retention job purged the payload (90 days); the row, its ids, times and deliveries stay. */
    data_expired_at: text("data_expired_at"),
    created_at: text("created_at").notNull(),
    /** Set once the event is handed to the webhooks queue; null rows are re-enqueued by cron. */
    enqueued_at: text("enqueued_at"),
  },
  (t) => [
    index("events_tenant_time").on(t.partner_id, t.livemode, t.created_at),
    index("events_unenqueued").on(t.enqueued_at, t.created_at),
    index("events_payload_retention").on(t.created_at).where(sql`data_expired_at IS NULL`),
    // Rows written before payloads were sealed, for the privacy backfill (empty once it is done).
    index("events_plain_personal_data")
      .on(t.created_at)
      .where(sql`data_encrypted IS NULL AND data_expired_at IS NULL AND json_type(data, '$.invoice.payer') = 'object'`),
  ],
);

export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    partner_id: text("partner_id").notNull(),
    livemode: integer("livemode", { mode: "boolean" }).notNull(),
    /** The X-Entity-Id the operation acts for, '' for partner-level operations: a key is per organization. */
    organization_id: text("organization_id").notNull().default(""),
    key: text("key").notNull(),
    /** Written by the request holding the claim: completion and release match it (a fence). */
    claim_id: text("claim_id").notNull(),
    /** HMAC-SHA256 of method, path, query and raw body: the same key with anything else is a misuse. */
    request_hash: text("request_hash").notNull(),
    status: text("status", { enum: IDEMPOTENCY_KEY_STATUSES }).notNull(),
    response_status: integer("response_status"),
    /** Sealed (AES-GCM): a response may show a secret once (webhook secret, credentials). */
    response_body: text("response_body"),
    created_at: text("created_at").notNull(),
    expires_at: text("expires_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.partner_id, t.livemode, t.organization_id, t.key] }), index("idempotency_expiry").on(t.expires_at)],
);

export interface StoredLine {
  description: string;
  quantity: number;
  /** UN/ECE Rec. 20 unit code; absent on lines stored before issue 12 (= C62). */
  unit?: string;
  unit_price: number;
  vat_rate: number;
  net_amount: number;
}

export const invoices = sqliteTable(
  "invoices",
  {
    id: text("id").primaryKey(),
    ...tenant,
    organization_id: text("organization_id").notNull().references(() => organizations.id),
    department_id: text("department_id").notNull().references(() => departments.id),
    status: text("status", { enum: INVOICE_STATUSES }).notNull(),
    /** standard (380) or deposit (386, "facture d'acompte"); both in the FAC- series. */
    type: text("type", { enum: ["standard", "deposit"] }).notNull().default("standard"),
    /** Null while draft; `FAC-YYYY-NNNNN` from the gap-free counter at issue. */
    invoice_number: text("invoice_number"),
    currency: text("currency").notNull(),
    /** The payer (name, email, address, SIREN, VAT number) sealed with AES-GCM: personal data. */
    payer_encrypted: text("payer_encrypted").notNull(),
    /** Keyed hash of the lower-cased payer email, for the `payer_email` filter. */
    payer_email_hash: text("payer_email_hash").notNull(),
    line_items: text("line_items", { mode: "json" }).$type<StoredLine[]>().notNull(),
    subtotal_amount: integer("subtotal_amount").notNull(),
    tax_amount: integer("tax_amount").notNull(),
    total_amount: integer("total_amount").notNull(),
    tax_breakdown: text("tax_breakdown", { mode: "json" }).$type<{ vat_rate: number; taxable_amount: number; tax_amount: number }[]>().notNull(),
    amount_paid: integer("amount_paid").notNull(),
    amount_due: integer("amount_due").notNull(),
    /**
     * Deposit invoices this final invoice deducts, as cited on its document (frozen at issue), and
     * their sum. Payable = total_amount − deposits_amount − credited_amount; amount_due = payable − amount_paid.
     */
    deducted_deposits: text("deducted_deposits", { mode: "json" }).$type<{ invoice_id: string; invoice_number: string; issue_date: string; amount: number }[]>(),
    deposits_amount: integer("deposits_amount").notNull().default(0),
    /** Sum of the partial credit notes (price reductions) on this invoice. */
    credited_amount: integer("credited_amount").notNull().default(0),
    /** On a deposit invoice: the final invoice that deducts it (reserved while that one is a draft). */
    deducted_by: text("deducted_by"),
    quote_id: text("quote_id"),
    /** Date of supply, or the service period (YYYY-MM-DD); default the issue date. */
    service_date: text("service_date"),
    service_period: text("service_period", { mode: "json" }).$type<{ start: string; end: string }>(),
    operation_category: text("operation_category", { enum: ["goods", "services", "mixed"] }).notNull().default("services"),
    /** The payee account printed on the document, frozen at issue and sealed (AES-GCM, bound to the invoice id). */
    payee_encrypted: text("payee_encrypted"),
    /** The archived documents (R2 DOCUMENTS): SHA-256 of the PDF and of the CII XML, fixed at issue. */
    document_sha256: text("document_sha256"),
    xml_sha256: text("xml_sha256"),
    document_generated_at: text("document_generated_at"),
    /** Dunning paused for this invoice (a dispute, a payment plan): no reminder is sent. */
    dunning_paused: integer("dunning_paused", { mode: "boolean" }).notNull().default(false),
    /** YYYY-MM-DD, read in Europe/Paris; null on a draft means "30 days after issue". */
    due_date: text("due_date"),
    payment_terms: text("payment_terms"),
    vat_exemption_reason: text("vat_exemption_reason"),
    /** Frozen at issue: the mandatory mentions (domain/invoice-mentions.ts). */
    mentions: text("mentions", { mode: "json" }).$type<Record<string, unknown>>(),
    metadata: text("metadata", { mode: "json" }).$type<Record<string, string>>().notNull(),
    warnings: text("warnings", { mode: "json" }).$type<Warning[]>().notNull(),
    credit_note_id: text("credit_note_id"),
    issued_at: text("issued_at"),
    paid_at: text("paid_at"),
    cancelled_at: text("cancelled_at"),
    /** Bumped by every change: guards concurrent writers and orders webhook payloads. */
    version: integer("version").notNull(),
    ...timestamps,
  },
  (t) => [
    index("invoices_org_time").on(t.organization_id, t.created_at),
    index("invoices_org_status_due").on(t.organization_id, t.status, t.due_date),
    index("invoices_due_sweep").on(t.status, t.due_date),
    index("invoices_org_payer").on(t.organization_id, t.payer_email_hash),
    uniqueIndex("invoices_org_number").on(t.organization_id, t.invoice_number),
    // Email hashes of the legacy derivation, for the privacy backfill (empty once it is done).
    index("invoices_legacy_email_hash").on(t.id).where(sql`substr(payer_email_hash, 1, 3) != 'v2:'`),
    index("invoices_deducted_by").on(t.deducted_by),
    /** The FEC's sales journal reads a year of issued invoices in issue order (issue 14). */
    index("invoices_org_issued").on(t.organization_id, t.issued_at),
  ],
);

/** One row per (organization, series, year): the last number given. Incremented inside the issuing batch. */
export const invoiceCounters = sqliteTable(
  "invoice_counters",
  {
    organization_id: text("organization_id").notNull(),
    series: text("series", { enum: ["invoice", "credit_note", "quote"] }).notNull(),
    year: integer("year").notNull(),
    last_number: integer("last_number").notNull(),
  },
  (t) => [primaryKey({ columns: [t.organization_id, t.series, t.year] })],
);

export const creditNotes = sqliteTable(
  "credit_notes",
  {
    id: text("id").primaryKey(),
    ...tenant,
    organization_id: text("organization_id").notNull(),
    invoice_id: text("invoice_id").notNull().references(() => invoices.id),
    credit_note_number: text("credit_note_number").notNull(),
    /** cancellation (the whole invoice, by a cancel) or price_reduction (partial, by a refund). */
    type: text("type", { enum: ["cancellation", "price_reduction"] }).notNull().default("cancellation"),
    refund_id: text("refund_id"),
    /** The credited lines; null on a cancellation: the invoice's own lines. */
    line_items: text("line_items", { mode: "json" }).$type<StoredLine[]>(),
    invoice_number: text("invoice_number").notNull(),
    invoice_issue_date: text("invoice_issue_date").notNull(),
    reason: text("reason"),
    currency: text("currency").notNull(),
    subtotal_amount: integer("subtotal_amount").notNull(),
    tax_amount: integer("tax_amount").notNull(),
    total_amount: integer("total_amount").notNull(),
    tax_breakdown: text("tax_breakdown", { mode: "json" }).$type<{ vat_rate: number; taxable_amount: number; tax_amount: number }[]>().notNull(),
    mentions: text("mentions", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    issued_at: text("issued_at").notNull(),
    document_sha256: text("document_sha256"),
    xml_sha256: text("xml_sha256"),
    document_generated_at: text("document_generated_at"),
    created_at: text("created_at").notNull(),
    /** Starts at 1, +1 on every update: a webhook payload's object_version (receivers keep the highest seen). */
    version: integer("version").notNull().default(1),
  },
  (t) => [
    index("credit_notes_invoice").on(t.invoice_id),
    uniqueIndex("credit_notes_refund").on(t.refund_id),
    uniqueIndex("credit_notes_org_number").on(t.organization_id, t.credit_note_number),
    index("credit_notes_org_time").on(t.organization_id, t.created_at),
    index("credit_notes_undocumented").on(t.created_at).where(sql`document_sha256 IS NULL`),
  ],
);

/**
 * Messages to payers (issue 13): one row per email or SMS, queued in the batch of what caused it and
 * sent by the `messages` queue consumer (never twice for one id). The recipient and the rendered
 * content are personal data: sealed (AES-GCM, bound to the message id); `to_hash` is a keyed hash
 * for the `to` filter, `to_masked` what lists show. In test mode nothing leaves the platform: the
 * rendered content is the sandbox outbox.
 */
export const messages = sqliteTable(
  "messages",
  {
    id: text("id").primaryKey(),
    ...tenant,
    organization_id: text("organization_id").notNull(),
    channel: text("channel", { enum: ["email", "sms"] }).notNull(),
    template: text("template").notNull(),
    locale: text("locale", { enum: ["fr", "en"] }).notNull(),
    to_encrypted: text("to_encrypted").notNull(),
    to_hash: text("to_hash").notNull(),
    to_masked: text("to_masked").notNull(),
    subject: text("subject"),
    /** The rendered message {text, html?} sealed: what was (or in test mode would have been) sent. */
    content_encrypted: text("content_encrypted").notNull(),
    status: text("status", { enum: ["queued", "sent", "failed"] }).notNull(),
    failure_reason: text("failure_reason"),
    related_type: text("related_type"),
    related_id: text("related_id"),
    /** size and sha256 are null until the consumer has read the document it attaches at send time. */
    attachments: text("attachments", { mode: "json" }).$type<{ filename: string; content_type: string; size: number | null; sha256: string | null; source: { kind: string; id: string } }[]>().notNull(),
    provider_message_id: text("provider_message_id"),
    attempts: integer("attempts").notNull().default(0),
    sent_at: text("sent_at"),
    ...timestamps,
    /** Starts at 1, +1 on every update: a webhook payload's object_version (receivers keep the highest seen). */
    version: integer("version").notNull().default(1),
  },
  (t) => [
    index("messages_org_time").on(t.organization_id, t.created_at),
    index("messages_related").on(t.related_type, t.related_id),
    index("messages_queued").on(t.status, t.created_at),
  ],
);

/** Dunning rules of an organization (issue 13): reminders relative to invoices' due dates. */
export const dunningRules = sqliteTable(
  "dunning_rules",
  {
    id: text("id").primaryKey(),
    ...tenant,
    organization_id: text("organization_id").notNull(),
    offset_days: integer("offset_days").notNull(),
    channel: text("channel", { enum: ["email", "sms"] }).notNull(),
    template: text("template", { enum: ["reminder_before_due", "reminder_due", "reminder_overdue", "final_notice"] }).notNull(),
    enabled: integer("enabled", { mode: "boolean" }).notNull(),
    deleted_at: text("deleted_at"),
    ...timestamps,
  },
  (t) => [index("dunning_rules_org").on(t.organization_id, t.offset_days)],
);

/** One reminder per (invoice, rule), whatever the retries: the primary key is the guarantee. */
export const dunningSends = sqliteTable(
  "dunning_sends",
  {
    invoice_id: text("invoice_id").notNull(),
    rule_id: text("rule_id").notNull(),
    ...tenant,
    organization_id: text("organization_id").notNull(),
    message_id: text("message_id").notNull(),
    created_at: text("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.invoice_id, t.rule_id] })],
);

/** Quotes (devis, seed 003): numbered DEV-YYYY-NNNNN when sent, from their own gap-free series. */
export const quotes = sqliteTable(
  "quotes",
  {
    id: text("id").primaryKey(),
    ...tenant,
    organization_id: text("organization_id").notNull().references(() => organizations.id),
    department_id: text("department_id").notNull().references(() => departments.id),
    status: text("status", { enum: QUOTE_STATUSES }).notNull(),
    quote_number: text("quote_number"),
    currency: text("currency").notNull(),
    /** The payer sealed with AES-GCM (bound to the quote id), as on invoices. */
    payer_encrypted: text("payer_encrypted").notNull(),
    payer_email_hash: text("payer_email_hash").notNull(),
    line_items: text("line_items", { mode: "json" }).$type<StoredLine[]>().notNull(),
    subtotal_amount: integer("subtotal_amount").notNull(),
    tax_amount: integer("tax_amount").notNull(),
    total_amount: integer("total_amount").notNull(),
    tax_breakdown: text("tax_breakdown", { mode: "json" }).$type<{ vat_rate: number; taxable_amount: number; tax_amount: number }[]>().notNull(),
    /** YYYY-MM-DD (Europe/Paris): a sent quote expires after it (the sweep). */
    valid_until: text("valid_until"),
    payment_terms: text("payment_terms"),
    vat_exemption_reason: text("vat_exemption_reason"),
    /** Frozen when sent: the seller as printed. */
    mentions: text("mentions", { mode: "json" }).$type<Record<string, unknown>>(),
    metadata: text("metadata", { mode: "json" }).$type<Record<string, string>>().notNull(),
    /** The draft invoice made on acceptance. */
    invoice_id: text("invoice_id"),
    decline_reason: text("decline_reason"),
    sent_at: text("sent_at"),
    accepted_at: text("accepted_at"),
    declined_at: text("declined_at"),
    expired_at: text("expired_at"),
    version: integer("version").notNull(),
    ...timestamps,
  },
  (t) => [
    index("quotes_org_time").on(t.organization_id, t.created_at),
    uniqueIndex("quotes_org_number").on(t.organization_id, t.quote_number),
    index("quotes_expiry").on(t.status, t.valid_until),
  ],
);

export const paymentLinks = sqliteTable(
  "payment_links",
  {
    id: text("id").primaryKey(),
    ...tenant,
    organization_id: text("organization_id").notNull(),
    /** Null for a payment request without an invoice (issue 13, seed 003 "demande de paiement"). */
    invoice_id: text("invoice_id").references(() => invoices.id),
    payment_intent_id: text("payment_intent_id").notNull(),
    /** Whose account is paid: the invoice's department, or the one a request names (null: a test-mode request without one). */
    department_id: text("department_id"),
    /** `standard` (the payment is taken) or `preauth` (a card hold, captured later). */
    type: text("type", { enum: PAYMENT_LINK_TYPES }).notNull().default("standard"),
    /** `short`: the simplified hosted page (seed 003). */
    page: text("page", { enum: PAYMENT_PAGE_STYLES }).notNull().default("standard"),
    /** What the payer is asked to pay for (a request's own text; null for an invoice's link). */
    description: text("description"),
    /** A request's payer {name, email?, phone?}, sealed (AES-GCM bound to the link id); null for an invoice's link. */
    payer_encrypted: text("payer_encrypted"),
    /** Blind indexes (HMAC) of the request payer's normalized name and email, for exact-match filters. */
    payer_name_hash: text("payer_name_hash"),
    payer_email_hash: text("payer_email_hash"),
    /** The opaque secret in the payment page URL (/p/{token}). */
    token: text("token").notNull(),
    amount: integer("amount").notNull(),
    currency: text("currency").notNull(),
    payment_methods: text("payment_methods", { mode: "json" }).$type<("sepa_credit" | "card")[]>().notNull(),
    status: text("status", { enum: PAYMENT_LINK_STATUSES }).notNull(),
    return_url: text("return_url"),
    expires_at: text("expires_at"),
    completed_at: text("completed_at"),
    revoked_at: text("revoked_at"),
    /** Sent to the payer (issue 13): when first and last, and how many reminders since. */
    sent_at: text("sent_at"),
    reminder_count: integer("reminder_count").notNull().default(0),
    last_reminded_at: text("last_reminded_at"),
    ...timestamps,
    /** Starts at 1, +1 on every update: a webhook payload's object_version (receivers keep the highest seen). */
    version: integer("version").notNull().default(1),
  },
  (t) => [
    uniqueIndex("payment_links_token").on(t.token),
    index("payment_links_invoice").on(t.invoice_id, t.status),
    index("payment_links_org_time").on(t.organization_id, t.created_at),
    index("payment_links_expiry").on(t.status, t.expires_at),
    index("payment_links_payer_email").on(t.organization_id, t.payer_email_hash),
    index("payment_links_payer_name").on(t.organization_id, t.payer_name_hash),
  ],
);

/** The D1 projection of each PaymentIntent Durable Object (the object is the source of truth). */
export const paymentIntents = sqliteTable(
  "payment_intents",
  {
    id: text("id").primaryKey(),
    ...tenant,
    organization_id: text("organization_id").notNull(),
    invoice_id: text("invoice_id"),
    payment_link_id: text("payment_link_id").notNull(),
    amount: integer("amount").notNull(),
    currency: text("currency").notNull(),
    status: text("status", { enum: INTENT_STATUSES }).notNull(),
    /** `manual`: a card hold (requires_capture until captured, released or expired). */
    capture_method: text("capture_method", { enum: CAPTURE_METHODS }).notNull().default("automatic"),
    amount_authorized: integer("amount_authorized"),
    capture_before: text("capture_before"),
    cancellation_reason: text("cancellation_reason"),
    selected_payment_method: text("selected_payment_method", { enum: PAYMENT_METHODS }),
    provider: text("provider"),
    aiia_status: text("aiia_status", { enum: AIIA_STATUSES }),
    aiia_transaction_id: text("aiia_transaction_id"),
    provider_status: text("provider_status"),
    amount_received: integer("amount_received").notNull(),
    refunded_amount: integer("refunded_amount").notNull(),
    failure_code: text("failure_code"),
    failure_message: text("failure_message"),
    completed_at: text("completed_at"),
    /** The object's version; a projection only ever moves it forward. */
    version: integer("version").notNull(),
    ...timestamps,
  },
  (t) => [
    index("payment_intents_org_time").on(t.organization_id, t.created_at),
    index("payment_intents_invoice").on(t.invoice_id),
    index("payment_intents_status").on(t.status, t.updated_at),
    index("payment_intents_holds").on(t.status, t.capture_before),
  ],
);

/** The ledger: one entry per payment intent once money is on its way (pending → completed, failed, canceled), and one per offline payment recorded. */
export const payments = sqliteTable(
  "payments",
  {
    id: text("id").primaryKey(),
    ...tenant,
    organization_id: text("organization_id").notNull(),
    /** Null for the payment of a request without an invoice. */
    invoice_id: text("invoice_id"),
    /** Null for an offline payment (recorded, not paid through a link). */
    payment_intent_id: text("payment_intent_id"),
    payment_link_id: text("payment_link_id"),
    amount: integer("amount").notNull(),
    refunded_amount: integer("refunded_amount").notNull(),
    currency: text("currency").notNull(),
    method: text("method", { enum: LEDGER_PAYMENT_METHODS }).notNull(),
    status: text("status", { enum: PAYMENT_STATUSES }).notNull(),
    /** When the money was received; for a pending or failed payment, when it was initiated. */
    paid_at: text("paid_at").notNull(),
    /** An offline payment's department (null: the invoice's), its reference (cheque number, transfer label) and note (issue 14). */
    department_id: text("department_id"),
    reference: text("reference"),
    note: text("note"),
    voided_at: text("voided_at"),
    void_reason: text("void_reason"),
    ...timestamps,
    /** Starts at 1, +1 on every update: a webhook payload's object_version (receivers keep the highest seen). */
    version: integer("version").notNull().default(1),
  },
  (t) => [
    uniqueIndex("payments_intent").on(t.payment_intent_id),
    index("payments_invoice").on(t.invoice_id),
    index("payments_org_time").on(t.organization_id, t.paid_at),
    /** Partner-wide statistics (no X-Entity-Id) read a partner's payments by date. */
    index("payments_partner_time").on(t.partner_id, t.livemode, t.paid_at),
  ],
);

/** The D1 projection of refunds; each refund lives in its payment intent's Durable Object. */
export const refunds = sqliteTable(
  "refunds",
  {
    id: text("id").primaryKey(),
    ...tenant,
    organization_id: text("organization_id").notNull(),
    payment_intent_id: text("payment_intent_id").notNull(),
    invoice_id: text("invoice_id"),
    amount: integer("amount").notNull(),
    currency: text("currency").notNull(),
    status: text("status", { enum: REFUND_STATUSES }).notNull(),
    reason: text("reason"),
    /** price_reduction (a credit note lowers the price) or repayment (money returned, the price stands). */
    type: text("type", { enum: ["price_reduction", "repayment"] }).notNull().default("repayment"),
    credit_note_id: text("credit_note_id"),
    failure_code: text("failure_code"),
    /** Why a pending refund cannot proceed ; null otherwise. */
    pending_reason: text("pending_reason", { enum: REFUND_PENDING_REASONS }),
    completed_at: text("completed_at"),
    version: integer("version").notNull(),
    ...timestamps,
  },
  (t) => [index("refunds_intent").on(t.payment_intent_id, t.created_at), index("refunds_org_time").on(t.organization_id, t.created_at), index("refunds_org_completed").on(t.organization_id, t.completed_at)],
);

/**
 * Webhook endpoints of a partner (partner-level: no organization, optionally limited to some).
 * The signing secret must be recoverable to sign, so it is sealed (AES-GCM, bound to the row id),
 * never hashed. After a rotation the previous secret keeps signing, in a second header, until
 * `previous_secret_expires_at`. A deleted subscription is kept (its deliveries point at it) but
 * hidden from the API.
 */
export const webhookSubscriptions = sqliteTable(
  "webhook_subscriptions",
  {
    id: text("id").primaryKey(),
    ...tenant,
    url: text("url").notNull(),
    /** Event types, or `["*"]` for every type (including types added later). */
    events: text("events", { mode: "json" }).$type<string[]>().notNull(),
    /** Null: every organization of the partner (in this mode). */
    organization_ids: text("organization_ids", { mode: "json" }).$type<string[]>(),
    description: text("description"),
    status: text("status", { enum: WEBHOOK_SUBSCRIPTION_STATUSES }).notNull(),
    disabled_reason: text("disabled_reason", { enum: SUBSCRIPTION_DISABLED_REASONS }),
    disabled_at: text("disabled_at"),
    /** First failed attempt since the last success; 3 days of this disables the subscription. */
    failing_since: text("failing_since"),
    secret_encrypted: text("secret_encrypted").notNull(),
    previous_secret_encrypted: text("previous_secret_encrypted"),
    previous_secret_expires_at: text("previous_secret_expires_at"),
    deleted_at: text("deleted_at"),
    ...timestamps,
  },
  (t) => [index("webhook_subscriptions_tenant").on(t.partner_id, t.livemode, t.status)],
);

/**
 * One delivery of one event to one subscription. `run` starts at 1 and grows with each
 * redelivery, which also resets `attempts` (the attempts of the current run, at most 5).
 */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    id: text("id").primaryKey(),
    ...tenant,
    event_id: text("event_id").notNull(),
    subscription_id: text("subscription_id").notNull(),
    status: text("status", { enum: WEBHOOK_DELIVERY_STATUSES }).notNull(),
    run: integer("run").notNull(),
    attempts: integer("attempts").notNull(),
    /** When the next attempt is due (a message is on its way); during an attempt, the end of its lease. */
    next_attempt_at: text("next_attempt_at"),
    last_status_code: integer("last_status_code"),
    last_error: text("last_error"),
    completed_at: text("completed_at"),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("webhook_deliveries_event_subscription").on(t.event_id, t.subscription_id),
    index("webhook_deliveries_due").on(t.status, t.next_attempt_at),
    index("webhook_deliveries_subscription").on(t.subscription_id, t.created_at),
  ],
);

/** Every HTTP attempt of a delivery, as the receiver answered it. */
export const webhookDeliveryAttempts = sqliteTable(
  "webhook_delivery_attempts",
  {
    id: text("id").primaryKey(),
    delivery_id: text("delivery_id").notNull(),
    run: integer("run").notNull(),
    attempt: integer("attempt").notNull(),
    at: text("at").notNull(),
    url: text("url").notNull(),
    /** Null when no HTTP answer came (timeout, network error, refused URL). */
    status_code: integer("status_code"),
    latency_ms: integer("latency_ms").notNull(),
    outcome: text("outcome", { enum: DELIVERY_ATTEMPT_OUTCOMES }).notNull(),
    error: text("error"),
    response_excerpt: text("response_excerpt"),
  },
  (t) => [
    uniqueIndex("webhook_attempts_delivery_run_attempt").on(t.delivery_id, t.run, t.attempt),
    /** The 90-day purge of response excerpts reads the oldest attempts that still have one. */
    index("webhook_attempts_excerpt_age").on(t.at).where(sql`response_excerpt IS NOT NULL`),
  ],
);
