import { z } from "@hono/zod-openapi";
import { and, eq, sql } from "drizzle-orm";
import { changes } from "../../db/guarded";
import { kycVerifications } from "../../db/schema";
import { KYC_TRANSITIONS, type KycDecision } from "../../domain/kyc";
import { Conflict, NotFound } from "../../lib/errors";
import { isId, newId } from "../../lib/ids";
import { Text } from "../../lib/text";
import { auditEntry, eventEntry, publishEvents, type ServiceContext } from "../context";
import { operatorServiceContext, type OperatorContext } from "../partners/admin";
import { presentKyc, type KycRow } from "./present";
import { ANY_ORGANIZATION, scoped } from "../tenancy";

export const DecideKycInput = z
  .strictObject({
    decision: z.enum(KYC_TRANSITIONS.pending).openapi({ description: "The operator's verdict on the pending submission.", example: "verified" }),
    reason: Text({ min: 1, max: 500 })
      .optional()
      .openapi({ description: "Why: required for `rejected` (it becomes the submission's `rejection_reason`), kept in the audit entry for `verified`.", example: "Identité et RIB vérifiés." }),
  })
  .superRefine((input, ctx) => {
    if (input.decision === "rejected" && input.reason === undefined) {
      ctx.addIssue({ code: "custom", path: ["reason"], message: "a rejection needs a reason" });
    }
  })
  .openapi("KycDecisionCreate", { example: { decision: "verified", reason: "Identité et RIB vérifiés." } });

/**
 * What the partner's event carries: the decision, not the payee's identity (legal name, SIRET,
 * holder name stay behind `GET /v1/departments/{id}/kyc`), so the payload holds no personal data.
 */
function eventKyc(row: KycRow) {
  return {
    id: row.id,
    object: "kyc_verification" as const,
    livemode: row.livemode,
    version: row.version,
    organization_id: row.organization_id,
    department_id: row.department_id,
    bank_account_id: row.bank_account_id,
    status: row.status,
    rejection_reason: row.rejection_reason,
    decided_at: row.decided_at,
  };
}

/**
 * The operator decides a pending KYC submission (live submissions wait for this; test ones are
 * decided by the sandbox at once). The change is guarded on the submission still being pending,
 * and its audit entry (user_type operator) and `kyc.status_changed` event ride in the same batch,
 * written exactly when the change is: a decided submission answers 409 with nothing written.
 */
export async function decideKyc({ ctx: operator, id, input, defer }: { ctx: OperatorContext; id: string; input: z.infer<typeof DecideKycInput>; defer: ServiceContext["defer"] }) {
  if (!isId("kyc", id)) throw new NotFound("kyc_verification", id, "id");
  // tenancy-exempt: the operator decides any partner's submission; the tenant comes from the row read
  const [found] = await operator.db.select().from(kycVerifications).where(eq(kycVerifications.id, id));
  if (!found) throw new NotFound("kyc_verification", id, "id");
  const ctx = operatorServiceContext(operator, found, defer);
  if (found.status !== "pending") throw alreadyDecided(found);

  const decision: KycDecision = input.decision;
  const rejectionReason = decision === "rejected" ? input.reason! : null;
  const theKyc = and(eq(kycVerifications.id, id), scoped(ctx, kycVerifications, ANY_ORGANIZATION));
  const decidedNow = sql`EXISTS (SELECT 1 FROM ${kycVerifications} WHERE ${and(theKyc, eq(kycVerifications.status, decision), eq(kycVerifications.decided_at, ctx.now))})`;
  const after: KycRow = { ...found, status: decision, rejection_reason: rejectionReason, decided_at: ctx.now, updated_at: ctx.now, version: found.version + 1 };
  const eventId = newId("event");
  const [updated] = (await ctx.db.batch([
    ctx.db
      .update(kycVerifications)
      .set({ status: decision, rejection_reason: rejectionReason, decided_at: ctx.now, updated_at: ctx.now, version: sql`${kycVerifications.version} + 1` })
      .where(and(theKyc, eq(kycVerifications.status, "pending"))),
    auditEntry(
      ctx,
      {
        organizationId: found.organization_id,
        resourceType: "kyc_verification",
        resourceId: id,
        action: "status_changed",
        before: { status: found.status, rejection_reason: found.rejection_reason, decided_at: found.decided_at },
        after: { status: decision, rejection_reason: rejectionReason, decided_at: ctx.now, reason: input.reason ?? null },
      },
      decidedNow,
    ),
    eventEntry(ctx, { id: eventId, organizationId: found.organization_id, type: "kyc.status_changed", data: { kyc: eventKyc(after), previous_status: found.status } }, decidedNow),
  ])) as unknown[];
  if (changes(updated) === 0) {
    // Decided by another request between our read and our batch.
    const [now] = await ctx.db.select().from(kycVerifications).where(theKyc);
    throw alreadyDecided(now ?? found);
  }
  publishEvents(ctx, [eventId]);
  return presentKyc(after);
}

function alreadyDecided(row: KycRow) {
  return new Conflict(`KYC verification ${row.id} is already ${row.status}: a decision is final (the department submits a new KYC to start over).`, "kyc_already_decided", "id");
}
