import { and, asc, eq, gt, inArray, isNull, lte, or, sql, type SQL } from "drizzle-orm";
import { changes, insertWhere, isUniqueViolation } from "../../db/guarded";
import { dunningRules, dunningSends, invoices, messages, organizations, paymentLinks } from "../../db/schema";
import { addDays } from "../../domain/dates";
import { DUNNABLE_STATUSES, dueReminders } from "../../domain/dunning";
import { PAYMENT_METHODS } from "../../domain/payment-intent";
import { DomainError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { log } from "../../lib/log";
import { pageUrl } from "../../lib/page-urls";
import { auditEntry, eventEntry, publishEvents, sealedEvent, systemContext, type ServiceContext } from "../context";
import { unsealPayer, type Payer } from "../invoices/payer";
import { presentInvoiceWith, type InvoiceRow } from "../invoices/present";
import { messageStatements, publishMessages } from "../messages/enqueue";
import { createPaymentLink } from "../payment-links/create-payment-link";
import type { SweepBase } from "../sweeps";
import { ANY_ORGANIZATION, owner, scoped } from "../tenancy";
import type { DunningRuleRow } from "./present";

export const DUNNING_JOB = "dunning";

type BatchItem = Parameters<ServiceContext["db"]["batch"]>[0][number];
type Tenant = { partnerId: string; livemode: boolean };
type OrganizationRow = typeof organizations.$inferSelect;

/**
 * `dunning_sends` rows that are not a message sent under a rule. The primary key (invoice, rule)
 * is what makes each step happen once, so these markers reuse it:
 * - rule_id FINISHED: the invoice's dunning has finished (its `invoice.dunning_finished` event id in message_id);
 * - message_id `skipped:<code>`: the rule's step could not reach the payer (no phone for an SMS
 *   rule, an address the channel refuses, SMS not configured in live mode), recorded once, with
 *   an audit entry `dunning_reminder_skipped`, so it is neither retried every hour nor silent.
 */
export const FINISHED = "finished";
const skipped = (code: string) => `skipped:${code}`;

const PAGE = 100;
const MAX_PAGES = 50;

/**
 * The dunning job as of `asOf` (a Paris date): for each organization with enabled rules, each
 * unpaid invoice (issued, partially paid, overdue; not paused) gets the reminder of its latest due
 * step once (domain/dunning.ts dueReminders), and `invoice.dunning_finished` once when its last
 * step has run. Each (invoice, rule) is one batch: the message and its audit entry, guarded on the
 * invoice still being unpaid and not paused and the step not recorded yet; the `dunning_sends` row
 * naming that message, written exactly when the message is; then the invoice's audit entry and
 * `invoice.reminder_sent`, written exactly when that row is (a concurrent run finds the step
 * recorded, or loses on the primary key, and writes nothing). A reminder carries the invoice's
 * payment page (payUrlFor). Cron: every tenant; the sandbox sweep: its caller's test data.
 */
export async function runDunning(base: SweepBase, options: { asOf: string; tenant?: Tenant }): Promise<{ dunning_reminders_sent: number; dunning_finished: number }> {
  const { asOf, tenant } = options;
  // tenancy-exempt: from cron the job covers every tenant's rules; the sandbox sweep scopes it to its caller.
  const rules = await base.db
    .select()
    .from(dunningRules)
    .where(and(eq(dunningRules.enabled, true), isNull(dunningRules.deleted_at), tenant ? scoped(tenant, dunningRules, ANY_ORGANIZATION) : undefined))
    .orderBy(asc(dunningRules.organization_id), asc(dunningRules.offset_days));
  const byOrganization = new Map<string, DunningRuleRow[]>();
  for (const rule of rules) {
    const list = byOrganization.get(rule.organization_id) ?? [];
    list.push(rule);
    byOrganization.set(rule.organization_id, list);
  }
  let sent = 0;
  let finished = 0;
  for (const [organizationId, orgRules] of byOrganization) {
    const first = orgRules[0]!;
    const ctx = systemContext(base, { partnerId: first.partner_id, livemode: first.livemode }, DUNNING_JOB);
    try {
      const result = await dunOrganization(ctx, organizationId, orgRules, asOf);
      sent += result.sent;
      finished += result.finished;
    } catch (err) {
      // One organization failing (D1 hiccup) must not stop the others: its steps run next hour.
      log.error("dunning failed for an organization", { organization_id: organizationId, error: err });
    }
  }
  return { dunning_reminders_sent: sent, dunning_finished: finished };
}

function invoiceStillDunnable(ctx: ServiceContext, row: InvoiceRow): SQL {
  return sql`EXISTS (SELECT 1 FROM ${invoices} WHERE ${and(eq(invoices.id, row.id), scoped(ctx, invoices, row.organization_id), inArray(invoices.status, [...DUNNABLE_STATUSES]), eq(invoices.dunning_paused, false))})`;
}

/** This run's row for (invoice, rule) holds: the statements after it are written exactly then. */
function sendRecorded(ctx: ServiceContext, invoiceId: string, ruleId: string, marker: string): SQL {
  return sql`EXISTS (SELECT 1 FROM ${dunningSends} WHERE ${and(eq(dunningSends.invoice_id, invoiceId), eq(dunningSends.rule_id, ruleId), eq(dunningSends.message_id, marker), scoped(ctx, dunningSends, ANY_ORGANIZATION))})`;
}

/**
 * Invoices with something to do on `asOf`: the step they are at (the largest offset due, which is
 * the one sent) has a rule not recorded yet, or they are past the last step and their dunning has
 * not finished. Invoices waiting between two steps are not read at all, so the hourly job's reads
 * follow the work to do, not the number of unpaid invoices.
 */
function workToDo(ctx: ServiceContext, organizationId: string, rules: DunningRuleRow[], asOf: string): SQL {
  const offsets = [...new Set(rules.map((r) => r.offset_days))].sort((a, b) => a - b);
  const recorded = (ruleIds: string[]) =>
    sql`(SELECT count(*) FROM ${dunningSends} WHERE ${and(eq(dunningSends.invoice_id, invoices.id), inArray(dunningSends.rule_id, ruleIds), scoped(ctx, dunningSends, organizationId))})`;
  const steps = offsets.map((offset, i) => {
    // Step `offset` is due when due_date + offset <= asOf, and is the latest until the next one is.
    const reached = lte(invoices.due_date, addDays(asOf, -offset));
    const next = offsets[i + 1];
    if (next === undefined) return and(reached, recorded([FINISHED]).append(sql` = 0`));
    const ids = rules.filter((r) => r.offset_days === offset).map((r) => r.id);
    return and(reached, gt(invoices.due_date, addDays(asOf, -next)), recorded(ids).append(sql` < ${ids.length}`));
  });
  return or(...steps)!;
}

async function dunOrganization(ctx: ServiceContext, organizationId: string, rules: DunningRuleRow[], asOf: string) {
  const [organization] = await ctx.db.select().from(organizations).where(and(eq(organizations.id, organizationId), scoped(ctx, organizations)));
  if (!organization) return { sent: 0, finished: 0 };
  let sent = 0;
  let finished = 0;
  let after = "";
  for (let page = 0; page < MAX_PAGES; page++) {
    const candidates = await ctx.db
      .select()
      .from(invoices)
      .where(
        and(
          scoped(ctx, invoices, organizationId),
          inArray(invoices.status, [...DUNNABLE_STATUSES]),
          eq(invoices.dunning_paused, false),
          workToDo(ctx, organizationId, rules, asOf),
          gt(invoices.id, after),
        ),
      )
      .orderBy(asc(invoices.id))
      .limit(PAGE);
    if (candidates.length === 0) break;
    after = candidates.at(-1)!.id;
    const ids = candidates.map((r) => r.id);
    const [done, links] = await ctx.db.batch([
      ctx.db.select({ invoice_id: dunningSends.invoice_id, rule_id: dunningSends.rule_id }).from(dunningSends).where(and(inArray(dunningSends.invoice_id, ids), scoped(ctx, dunningSends, organizationId))),
      ctx.db
        .select({ invoice_id: paymentLinks.invoice_id, token: paymentLinks.token, created_at: paymentLinks.created_at })
        .from(paymentLinks)
        .where(and(inArray(paymentLinks.invoice_id, ids), eq(paymentLinks.status, "active"), gt(paymentLinks.expires_at, ctx.now), scoped(ctx, paymentLinks, organizationId)))
        .orderBy(asc(paymentLinks.created_at)),
    ]);
    const doneBy = new Map<string, Set<string>>();
    for (const d of done) (doneBy.get(d.invoice_id) ?? doneBy.set(d.invoice_id, new Set()).get(d.invoice_id)!).add(d.rule_id);
    // The newest active link of each invoice.
    const linkBy = new Map(links.map((l) => [l.invoice_id, l.token]));

    for (const row of candidates) {
      if (!row.due_date) continue;
      const plan = dueReminders(rules, row.due_date, asOf, doneBy.get(row.id) ?? new Set());
      if (plan.send.length === 0 && !plan.finished) continue;
      const payUrl = plan.send.length > 0 ? await payUrlFor(ctx, row, linkBy.get(row.id)) : null;
      if (plan.send.length > 0 && !payUrl) continue; // Tried again next run.
      const payer = await unsealPayer(ctx.env.ENCRYPTION_KEY, row.id, row.payer_encrypted);
      let allRecorded = true;
      for (const rule of plan.send) {
        const outcome = await remind(ctx, { row, payer, rule, organization, payUrl: payUrl!, asOf });
        if (outcome === "sent") sent++;
        if (outcome === "lost") allRecorded = false;
      }
      if (plan.finished && allRecorded && (await finish(ctx, row, payer, asOf))) finished++;
    }
    if (candidates.length < PAGE) break;
  }
  return { sent, finished };
}

/**
 * The payment page a reminder points to: the invoice's newest active link, or (none active: never
 * made, or expired after its 30 days) a new one with every payment method, as sending an invoice
 * does, so dunning does not stop when a link runs out. A link that cannot be made (a business rule
 * of the organization) leaves the invoice for the next run, logged.
 */
async function payUrlFor(ctx: ServiceContext, row: InvoiceRow, token: string | undefined): Promise<string | null> {
  if (token) return pageUrl(ctx.env.PUBLIC_BASE_URL, token);
  try {
    const link = await createPaymentLink({ ctx, organizationId: row.organization_id, input: { invoice_id: row.id, payment_methods: [...PAYMENT_METHODS] } });
    return link.payment_page_url;
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    log.warn("dunning: no payment link for the invoice", { invoice_id: row.id, code: err.code });
    return null;
  }
}

/** One (invoice, rule) step in one batch; "lost" when the invoice moved or another run recorded it first. */
async function remind(
  ctx: ServiceContext,
  step: { row: InvoiceRow; payer: Payer; rule: DunningRuleRow; organization: OrganizationRow; payUrl: string; asOf: string },
): Promise<"sent" | "skipped" | "lost"> {
  const { row, payer, rule } = step;
  const to = rule.channel === "email" ? payer.email : payer.phone;
  // Still unpaid, not paused, and this step not recorded yet: checked inside the batch.
  const open = and(invoiceStillDunnable(ctx, row), notRecorded(ctx, row.id, rule.id))!;
  const record = (marker: string, guard: SQL) =>
    insertWhere(ctx.db, dunningSends, { invoice_id: row.id, rule_id: rule.id, ...owner(ctx), organization_id: row.organization_id, message_id: marker, created_at: ctx.now }, guard);

  let skipCode: string | null = to ? null : "no_recipient";
  let message: Awaited<ReturnType<typeof messageStatements>> | null = null;
  if (to) {
    try {
      message = await messageStatements(
        ctx,
        {
          organizationId: row.organization_id,
          organization: step.organization,
          channel: rule.channel,
          to,
          locale: "fr",
          template: rule.template,
          data: { payerName: payer.name, invoiceNumber: row.invoice_number, amountDue: row.amount_due, dueDate: row.due_date, payUrl: step.payUrl },
          related: { type: "invoice", id: row.id },
        },
        open,
      );
    } catch (err) {
      // The payer cannot be reached on this channel (a stored address the channel refuses, SMS
      // not configured in live mode): recorded as skipped rather than retried every hour.
      if (!(err instanceof DomainError)) throw err;
      skipCode = err.code;
    }
  }

  let statements: BatchItem[];
  let eventId: string | null = null;
  if (message) {
    // The message (and its audit entry) is written only if the step is open; the step's row then
    // names it, and the rest is written exactly when that row is.
    const messageWritten = sql`EXISTS (SELECT 1 FROM ${messages} WHERE ${and(eq(messages.id, message.id), scoped(ctx, messages, row.organization_id))})`;
    const recorded = sendRecorded(ctx, row.id, rule.id, message.id);
    eventId = newId("event");
    statements = [
      ...message.statements,
      record(message.id, messageWritten),
      auditEntry(
        ctx,
        {
          organizationId: row.organization_id,
          resourceType: "invoice",
          resourceId: row.id,
          action: "dunning_reminder_sent",
          before: null,
          after: { rule_id: rule.id, offset_days: rule.offset_days, template: rule.template, channel: rule.channel, message_id: message.id, as_of: step.asOf },
        },
        recorded,
      ),
      eventEntry(
        ctx,
        await sealedEvent(ctx, {
          id: eventId,
          organizationId: row.organization_id,
          type: "invoice.reminder_sent",
          data: { invoice_id: row.id, rule_id: rule.id, offset_days: rule.offset_days, template: rule.template, channel: rule.channel, message_id: message.id, invoice: presentInvoiceWith(row, payer) },
        }),
        recorded,
      ),
    ];
  } else {
    const marker = skipped(skipCode ?? "no_recipient");
    statements = [
      record(marker, open),
      auditEntry(
        ctx,
        {
          organizationId: row.organization_id,
          resourceType: "invoice",
          resourceId: row.id,
          action: "dunning_reminder_skipped",
          before: null,
          after: { rule_id: rule.id, offset_days: rule.offset_days, channel: rule.channel, reason: skipCode, as_of: step.asOf },
        },
        sendRecorded(ctx, row.id, rule.id, marker),
      ),
    ];
  }
  let results;
  try {
    results = await ctx.db.batch(statements as [BatchItem, ...BatchItem[]]);
  } catch (err) {
    if (isUniqueViolation(err, "dunning_sends")) return "lost";
    throw err;
  }
  if (changes(results[0]) !== 1) return "lost";
  if (!message) return "skipped";
  publishMessages(ctx, [message.id]);
  publishEvents(ctx, [eventId!]);
  return "sent";
}

function notRecorded(ctx: ServiceContext, invoiceId: string, ruleId: string): SQL {
  return sql`NOT EXISTS (SELECT 1 FROM ${dunningSends} WHERE ${and(eq(dunningSends.invoice_id, invoiceId), eq(dunningSends.rule_id, ruleId), scoped(ctx, dunningSends, ANY_ORGANIZATION))})`;
}

/** `invoice.dunning_finished`, once per invoice: its marker row holds the event's id. */
async function finish(ctx: ServiceContext, row: InvoiceRow, payer: Payer, asOf: string): Promise<boolean> {
  const eventId = newId("event");
  const recorded = sendRecorded(ctx, row.id, FINISHED, eventId);
  let results;
  try {
    results = await ctx.db.batch([
      insertWhere(
        ctx.db,
        dunningSends,
        { invoice_id: row.id, rule_id: FINISHED, ...owner(ctx), organization_id: row.organization_id, message_id: eventId, created_at: ctx.now },
        and(invoiceStillDunnable(ctx, row), notRecorded(ctx, row.id, FINISHED))!,
      ),
      auditEntry(ctx, { organizationId: row.organization_id, resourceType: "invoice", resourceId: row.id, action: "dunning_finished", before: null, after: { as_of: asOf, amount_due: row.amount_due } }, recorded),
      eventEntry(
        ctx,
        await sealedEvent(ctx, { id: eventId, organizationId: row.organization_id, type: "invoice.dunning_finished", data: { invoice_id: row.id, amount_due: row.amount_due, invoice: presentInvoiceWith(row, payer) } }),
        recorded,
      ),
    ]);
  } catch (err) {
    if (isUniqueViolation(err, "dunning_sends")) return false;
    throw err;
  }
  if (changes(results[0]) !== 1) return false;
  publishEvents(ctx, [eventId]);
  return true;
}
