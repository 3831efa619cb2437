import { and, eq, sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import { departments, organizations } from "./schema";

/**
 * Tenancy by construction. Every query on a table whose rows belong to a tenant (it has
 * `partner_id` and `livemode`) filters through `scoped()`, and every insert takes its owner
 * columns from `owner()`: in the services, in the projection of payment intents (db/projection)
 * and in the PaymentIntent object's own reads. `test/lint/tenancy.test.mjs` fails when code there
 * reads or writes such a table without them, so a query cannot forget a tenant column by accident.
 * It lives in db/ because the services and the Durable Objects both use it and must not import
 * each other.
 */

/** Whose rows a query may touch: a partner, in one mode. */
export interface TenantRef {
  partnerId: string;
  livemode: boolean;
}

type WithPrincipal = { principal: TenantRef };
/** A tenant row already read (its own partner_id and livemode): for jobs acting on that row's tenant. */
type TenantRow = { partner_id: string; livemode: boolean };
type Who = WithPrincipal | TenantRef | TenantRow;

type TenantTable = SQLiteTable & { partner_id: SQLiteColumn; livemode: SQLiteColumn };

/**
 * Partner-level operations (webhook subscriptions, events, the partner's organizations) and
 * scheduled jobs acting on one partner's rows say so explicitly instead of naming an organization.
 */
export const ANY_ORGANIZATION = Symbol("any organization of the partner");

/**
 * The organization an operation addressed by an object id acts for: the `X-Entity-Id` sent, or
 * ANY_ORGANIZATION (the object's own; its id is unique) when none was. What is written takes the
 * organization from the object's row, never from this.
 */
export type OrganizationScope = string | typeof ANY_ORGANIZATION;

type OrganizationArg<T> = T extends { organization_id: SQLiteColumn } ? [organizationId: OrganizationScope] : [];

function tenantOf(who: Who): TenantRef {
  if ("principal" in who) return who.principal;
  if ("partner_id" in who) return { partnerId: who.partner_id, livemode: who.livemode };
  return who;
}

/**
 * The tenant filter of `table`: partner and mode, and the organization when the table has one
 * (then the caller must name it, or say `ANY_ORGANIZATION`).
 */
export function scoped<T extends TenantTable>(who: Who, table: T, ...organization: OrganizationArg<T>): SQL {
  const t = tenantOf(who);
  const org = (organization as unknown[])[0];
  const orgColumn = (table as { organization_id?: SQLiteColumn }).organization_id;
  return and(
    eq(table.partner_id, t.partnerId),
    eq(table.livemode, t.livemode),
    orgColumn && typeof org === "string" ? eq(orgColumn, org) : undefined,
  )!;
}

/** The owner columns of a new row: spread them into every insert on a tenant table. */
export function owner(who: Who): { partner_id: string; livemode: boolean } {
  const t = tenantOf(who);
  return { partner_id: t.partnerId, livemode: t.livemode };
}

type OrgTable = TenantTable & { organization_id: SQLiteColumn };

/**
 * Join condition: two tenant rows belong to the same partner, mode and (when both tables have
 * one) organization. For rows reached from a row found by another credential (a page token).
 */
export function sameTenant(a: TenantTable, b: TenantTable): SQL {
  const orgA = (a as Partial<OrgTable>).organization_id;
  const orgB = (b as Partial<OrgTable>).organization_id;
  return and(
    eq(a.partner_id, b.partner_id),
    eq(a.livemode, b.livemode),
    orgA && orgB ? eq(orgA, orgB) : undefined,
  )!;
}

/**
 * The organization of the caller's object `id` in `table` (within `scope`), as a subquery: for a
 * statement that needs the organization of an object addressed by its id alone (X-Entity-Id
 * optional) in the same round trip as the object itself. NULL when it is not the caller's, so
 * whatever it feeds finds nothing. Filtered here, by construction, like every tenant query.
 */
export function organizationOfObject(who: Who, table: OrgTable & { id: SQLiteColumn }, scope: OrganizationScope, id: string): SQL<string> {
  return sql<string>`(SELECT ${table.organization_id} FROM ${table} WHERE ${and(eq(table.id, id), scoped(who, table, scope))})`;
}

/** SQL guard: the organization exists for the caller (same partner, same mode). */
export function ownsOrganization(who: Who, organizationId: string) {
  return sql`EXISTS (SELECT 1 FROM ${organizations} WHERE ${organizations.id} = ${organizationId} AND ${scoped(who, organizations)})`;
}

/** SQL guard: the department exists for the caller. */
export function ownsDepartment(who: Who, departmentId: string) {
  return sql`EXISTS (SELECT 1 FROM ${departments} WHERE ${departments.id} = ${departmentId} AND ${scoped(who, departments, ANY_ORGANIZATION)})`;
}
