import { createRoute } from "@hono/zod-openapi";
import { errorResponses, IdempotencyHeader, jsonBody, jsonResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { serviceContext } from "../context";
import { createDunningRule, CreateDunningRuleInput } from "../../services/dunning/create-dunning-rule";
import { OrganizationIdParam } from "../organizations/schema";
import { DunningRuleSchema } from "./schema";

const route = createRoute({
  method: "post",
  path: "/organizations/{id}/dunning_rules",
  operationId: "createDunningRule",
  tags: ["Dunning"],
  summary: "Add a dunning rule to an organization",
  description:
    "From then on the hourly job sends `template` through `channel` to the payer of each unpaid invoice of the organization on its due date + `offset_days` (Europe/Paris), between 08:00 and 20:00, once per invoice and rule. `offset_days` outside −30…90 → 400; an `sms` rule in live mode without an SMS provider → 422 `sms_not_configured`. A sensible set: −3 `reminder_before_due`, +1 `reminder_due`, +7 `reminder_overdue`, +15 `final_notice`. Scope `organizations:write`.",
  middleware: [requireScope("organizations:write")] as const,
  request: { params: OrganizationIdParam, headers: IdempotencyHeader, body: jsonBody(CreateDunningRuleInput) },
  responses: { 201: jsonResponse(DunningRuleSchema, "The rule."), ...errorResponses(404, 413, 415, 422) },
});

export function registerCreateDunningRule(app: Router) {
  app.openapi(route, async (c) =>
    c.json(await createDunningRule({ ctx: serviceContext(c), organizationId: c.req.valid("param").id, input: c.req.valid("json") }), 201),
  );
}
