import type { z } from "@hono/zod-openapi";
import { and, count, eq, gte, lt, type SQL } from "drizzle-orm";
import type { RunnableQuery } from "drizzle-orm/runnable-query";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import { organizations } from "../db/schema";
import { instantRange } from "../domain/dates";
import type { PaginationQuery } from "../lib/fields";
import { NotFound, type DomainError } from "../lib/errors";
import type { ServiceContext } from "./context";
import { organizationWhere } from "./organizations/get-organization";

/** The page a list query asks for: `page` from 1, `page_size` (or its alias `limit`) 20 by default. */
export type PageQuery = z.infer<typeof PaginationQuery>;

export function pageOf(q: PageQuery) {
  const page = q.page ?? 1;
  const pageSize = q.page_size ?? q.limit ?? 20;
  return { page, pageSize, offset: (page - 1) * pageSize };
}

export function pagination(page: number, pageSize: number, totalItems: number) {
  return { page, page_size: pageSize, total_items: totalItems, total_pages: Math.ceil(totalItems / pageSize) };
}

type Query<T> = RunnableQuery<T, "sqlite">;

/** A filtered, ordered list query: the page's limit and offset are applied by `listPage`. */
interface PageableQuery<R> {
  limit(limit: number): { offset(offset: number): Query<R[]> };
}

/** The object a list hangs from: a query that finds it if it is the caller's, and the error if not. */
export interface ListParent {
  query: Query<unknown[]>;
  missing: () => DomainError;
}

/** The organization named by X-Entity-Id (or by `param`), as the parent of a list. */
export function organizationParent(ctx: ServiceContext, organizationId: string, param = "X-Entity-Id"): ListParent {
  return {
    query: ctx.db.select({ id: organizations.id }).from(organizations).where(organizationWhere(ctx, organizationId)),
    missing: () => new NotFound("organization", organizationId, param),
  };
}

/** Equality filters of a list: each field the caller set in `input` matches the column named for it. */
export function equalTo<I extends object>(input: I, columns: { [K in keyof I]?: SQLiteColumn }): SQL[] {
  return Object.entries(columns as Record<string, SQLiteColumn>).flatMap(([field, column]) => {
    const value = (input as Record<string, unknown>)[field];
    return value ? [eq(column, value)] : [];
  });
}

/**
 * A time window on `column`, each bound only if set: from inclusive, to inclusive too, as a
 * partner reads "to 2026-03-31" (an instant, or a Paris date covering its whole day).
 */
export function within(column: SQLiteColumn, from: string | undefined, to: string | undefined): SQL | undefined {
  const range = instantRange(from, to);
  return and(range.from ? gte(column, range.from) : undefined, range.toExclusive ? lt(column, range.toExclusive) : undefined);
}

/**
 * One page of a list, its total, and the check that the list's parent is the caller's, in one
 * batch: a list costs one round trip, and an unknown parent answers 404 rather than an empty page.
 * `where` must be the filter of `rows` (its tenant scope included), so the total counts the same rows.
 */
export async function listPage<R, T>(
  ctx: ServiceContext,
  input: PageQuery,
  query: { rows: PageableQuery<R>; from: SQLiteTable; where: SQL | undefined; parent?: ListParent | undefined },
  present: (row: R) => T | Promise<T>,
) {
  const { page: number, pageSize, offset } = pageOf(input);
  const page = query.rows.limit(pageSize).offset(offset);
  const total = ctx.db.select({ n: count() }).from(query.from).where(query.where);
  const done = async (list: R[], counted: { n: number }[]) => ({
    data: await Promise.all(list.map((row) => present(row))),
    pagination: pagination(number, pageSize, counted[0]?.n ?? 0),
  });
  const { parent } = query;
  if (!parent) return done(...(await ctx.db.batch([page, total])));
  const [found, list, counted] = await ctx.db.batch([parent.query, page, total]);
  if (found.length === 0) throw parent.missing();
  return done(list, counted);
}
