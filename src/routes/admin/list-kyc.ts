import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, jsonResponse, paginated, type Router } from "../../lib/openapi";
import { listKycSubmissions, ListKycSubmissionsInput } from "../../services/kyc/list-kyc-submissions";
import { KycSchema } from "../kyc/schema";
import { operatorContext } from "./context";
import { ADMIN_SECURITY } from "./schema";

const AdminKycSchema = KycSchema.extend({
  partner_id: z.string().openapi({ description: "The partner whose department submitted it.", example: "ptn-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
}).openapi("AdminKycVerification");

const route = createRoute({
  method: "get",
  path: "/kyc",
  operationId: "listKycSubmissions",
  tags: ["Admin"],
  summary: "KYC submissions across partners (the operator's review queue)",
  description:
    "Operator only. Oldest submission first; `status=pending` lists those waiting for a decision (live submissions stay pending until `POST /v1/admin/kyc/{id}/decision`). Filters `status`, `partner_id`, `livemode`.",
  security: ADMIN_SECURITY,
  request: { query: ListKycSubmissionsInput },
  responses: { 200: jsonResponse(paginated(AdminKycSchema, "AdminKycVerificationList"), "A page of KYC submissions."), ...errorResponses() },
});

export function registerListKyc(app: Router) {
  app.openapi(route, async (c) => c.json(await listKycSubmissions({ ctx: operatorContext(c), input: c.req.valid("query") }), 200));
}
