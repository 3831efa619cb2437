import { z } from "@hono/zod-openapi";
import { and, gte, isNull, lte } from "drizzle-orm";
import { ValidationError } from "../../lib/errors";
import { auditLogs } from "../../db/schema";
import type { ChainedFields } from "../../domain/audit-chain";
import { DateBound, PaginationQuery } from "../../lib/fields";
import type { ServiceContext } from "../context";
import { equalTo, listPage, organizationParent, within } from "../pagination";
import { ANY_ORGANIZATION, scoped } from "../tenancy";

export function presentAuditLog(row: typeof auditLogs.$inferSelect) {
  return {
    id: row.id,
    object: "audit_log" as const,
    livemode: row.livemode,
    timestamp: row.created_at,
    organization_id: row.organization_id,
    resource_type: row.resource_type,
    resource_id: row.resource_id,
    action: row.action,
    user_id: row.user_id,
    user_type: row.user_type,
    ip_address: row.ip_address,
    request_id: row.request_id,
    changes: row.changes,
    sequence: row.sequence,
    ip_hash: row.ip_hash,
    previous_hash: row.previous_hash,
    hash: row.hash,
  };
}

/** What an entry's hash covers (domain/audit-chain.ts): the entry as shown, without its IP address and its seal. */
export function chainedFields(row: typeof auditLogs.$inferSelect): ChainedFields {
  const { object: _object, ip_address: _ip, previous_hash: _previous, hash: _hash, ...fields } = presentAuditLog(row);
  return fields;
}

export const ListAuditLogsInput = PaginationQuery.extend({
  resource_type: z.string().max(50).optional().openapi({ example: "organization" }),
  resource_id: z.string().max(100).optional(),
  action: z.string().max(50).optional().openapi({ example: "created" }),
  from_date: DateBound.optional().openapi({ description: "Inclusive; an instant, or a Paris date.", example: "2024-02-01T00:00:00Z" }),
  to_date: DateBound.optional().openapi({ description: "Inclusive; a Paris date covers the whole day.", example: "2024-02-29" }),
  from_sequence: z.coerce
    .number()
    .int()
    .min(1)
    .max(Number.MAX_SAFE_INTEGER)
    .optional()
    .openapi({
      description:
        "Inclusive. With `from_sequence` or `to_sequence`, entries come in chain order; without `X-Entity-Id` they are then the whole chain of your partner in this mode (every organization's entries and the partner-level ones): what an auditor recomputes.",
      example: 1,
    }),
  to_sequence: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional().openapi({ description: "Inclusive.", example: 100 }),
});

/**
 * Oldest first, like a journal (or in chain order, with a sequence bound). With an organization, its entries (the organization check rides
 * in the same batch as the page); without one, the partner-level entries of the caller's partner
 * and mode, those that belong to no organization: webhook subscriptions, credentials, the
 * operator's actions on the partner, subscriptions disabled for failing.
 */
export async function listAuditLogs({ ctx, organizationId, input }: { ctx: ServiceContext; organizationId: string | null; input: z.infer<typeof ListAuditLogsInput> }) {
  const { from_sequence: from, to_sequence: to } = input;
  if (from !== undefined && to !== undefined && from > to) throw new ValidationError("to_sequence must be at least from_sequence.", "to_sequence");
  // In chain order, without an organization: the whole chain, which spans the partner's organizations.
  const chainOrder = from !== undefined || to !== undefined;
  const where = and(
    organizationId !== null
      ? scoped(ctx, auditLogs, organizationId)
      : chainOrder
        ? scoped(ctx, auditLogs, ANY_ORGANIZATION)
        : and(scoped(ctx, auditLogs, ANY_ORGANIZATION), isNull(auditLogs.organization_id)),
    ...equalTo(input, { resource_type: auditLogs.resource_type, resource_id: auditLogs.resource_id, action: auditLogs.action }),
    within(auditLogs.created_at, input.from_date, input.to_date),
    from !== undefined ? gte(auditLogs.sequence, from) : undefined,
    to !== undefined ? lte(auditLogs.sequence, to) : undefined,
  );
  const rows = chainOrder
    ? ctx.db.select().from(auditLogs).where(where).orderBy(auditLogs.sequence)
    : ctx.db.select().from(auditLogs).where(where).orderBy(auditLogs.created_at, auditLogs.id);
  const parent = organizationId === null ? undefined : organizationParent(ctx, organizationId);
  return listPage(ctx, input, { rows, from: auditLogs, where, parent }, presentAuditLog);
}
