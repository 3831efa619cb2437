import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, jsonBody, jsonResponse, type Router } from "../../lib/openapi";
import { decideKyc, DecideKycInput } from "../../services/kyc/decide-kyc";
import { KycSchema } from "../kyc/schema";
import { operatorContext } from "./context";
import { ADMIN_SECURITY } from "./schema";

const KycIdParam = z.object({ id: z.string().openapi({ param: { name: "id", in: "path" }, example: "kyc-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }) });

const route = createRoute({
  method: "post",
  path: "/kyc/{id}/decision",
  operationId: "decideKyc",
  tags: ["Admin"],
  summary: "Verify or reject a pending KYC submission",
  description:
    "Operator only. Decides a `pending` submission once: `verified` lets the department's live payment links pay into the account it covers; `rejected` needs a `reason` (it becomes `rejection_reason`). The partner receives `kyc.status_changed` and sees the decision in its audit trail (`user_type` `operator`). Errors: 400 `invalid_parameter` (`decision`, `reason`), 404 `resource_missing`, 409 `kyc_already_decided` (nothing is written).",
  security: ADMIN_SECURITY,
  request: { params: KycIdParam, body: jsonBody(DecideKycInput) },
  responses: { 200: jsonResponse(KycSchema, "The decided submission."), ...errorResponses(404, 409, 413, 415) },
});

export function registerDecideKyc(app: Router) {
  app.openapi(route, async (c) =>
    c.json(
      await decideKyc({ ctx: operatorContext(c), id: c.req.valid("param").id, input: c.req.valid("json"), defer: (work) => c.executionCtx.waitUntil(work) }),
      200,
    ),
  );
}
