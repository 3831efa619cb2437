import { and, desc, eq } from "drizzle-orm";
import { departments, kycVerifications } from "../../db/schema";
import { NotFound } from "../../lib/errors";
import { isId } from "../../lib/ids";
import type { ServiceContext } from "../context";
import { departmentWhere } from "../departments/get-department";
import { presentKyc } from "./present";
import { ANY_ORGANIZATION, scoped, type OrganizationScope } from "../tenancy";

/** The department's current KYC (its latest submission), and the earlier ones as history. */
export async function getKyc({ ctx, departmentId, organizationId }: { ctx: ServiceContext; departmentId: string; organizationId?: OrganizationScope }) {
  if (!isId("department", departmentId)) throw new NotFound("department", departmentId, "id");
  const [dept, rows] = await ctx.db.batch([
    ctx.db.select({ id: departments.id }).from(departments).where(departmentWhere(ctx, departmentId, organizationId)),
    ctx.db
      .select()
      .from(kycVerifications)
      .where(
        and(eq(kycVerifications.department_id, departmentId), scoped(ctx, kycVerifications, ANY_ORGANIZATION)),
      )
      .orderBy(desc(kycVerifications.created_at), desc(kycVerifications.id))
      .limit(20),
  ]);
  if (dept.length === 0) throw new NotFound("department", departmentId, "id");
  const [current, ...history] = rows;
  if (!current) throw new NotFound("kyc_verification for department", departmentId, "id");
  return { ...presentKyc(current), history: history.map(presentKyc) };
}
