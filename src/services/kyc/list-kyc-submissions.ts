import { z } from "@hono/zod-openapi";
import { and, count, eq } from "drizzle-orm";
import { kycVerifications } from "../../db/schema";
import { KYC_STATUSES } from "../../domain/kyc";
import { PaginationQuery } from "../../lib/fields";
import type { OperatorContext } from "../partners/admin";
import { pageOf, pagination } from "../pagination";
import { presentKyc } from "./present";

export const ListKycSubmissionsInput = PaginationQuery.extend({
  status: z.enum(KYC_STATUSES).optional().openapi({ description: "Only submissions in this status (`pending`: those waiting for a decision).", example: "pending" }),
  partner_id: z.string().max(100).optional().openapi({ description: "Only this partner's submissions.", example: "ptn-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
  livemode: z
    .enum(["true", "false"])
    .transform((v) => v === "true")
    .optional()
    .openapi({ description: "Only live (`true`) or test (`false`) submissions.", example: "true" }),
});

/**
 * The operator's queue of KYC submissions across partners, oldest first (the longest waiting on
 * top), with the partner each belongs to.
 */
export async function listKycSubmissions({ ctx, input }: { ctx: OperatorContext; input: z.infer<typeof ListKycSubmissionsInput> }) {
  const { page, pageSize, offset } = pageOf(input);
  const where = and(
    input.status ? eq(kycVerifications.status, input.status) : undefined,
    input.partner_id ? eq(kycVerifications.partner_id, input.partner_id) : undefined,
    input.livemode !== undefined ? eq(kycVerifications.livemode, input.livemode) : undefined,
  );
  const [rows, counted] = await ctx.db.batch([
    // tenancy-exempt: the operator's queue spans every partner and mode (admin key only)
    ctx.db.select().from(kycVerifications).where(where).orderBy(kycVerifications.submitted_at, kycVerifications.id).limit(pageSize).offset(offset),
    // tenancy-exempt: the same filter, counted
    ctx.db.select({ n: count() }).from(kycVerifications).where(where),
  ]);
  return {
    data: rows.map((row) => ({ ...presentKyc(row), partner_id: row.partner_id })),
    pagination: pagination(page, pageSize, counted[0]?.n ?? 0),
  };
}
