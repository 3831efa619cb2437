import { createRoute } from "@hono/zod-openapi";
import { errorResponses, IdempotencyHeader, jsonBody, jsonResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { serviceContext } from "../context";
import { updateDunningRule, UpdateDunningRuleInput } from "../../services/dunning/update-dunning-rule";
import { DunningRuleParams, DunningRuleSchema } from "./schema";

const route = createRoute({
  method: "patch",
  path: "/organizations/{id}/dunning_rules/{rule_id}",
  operationId: "updateDunningRule",
  tags: ["Dunning"],
  summary: "Update a dunning rule",
  description: "Only the fields sent change. A reminder already sent under this rule is not sent again for the same invoice. Scope `organizations:write`.",
  middleware: [requireScope("organizations:write")] as const,
  request: { params: DunningRuleParams, headers: IdempotencyHeader, body: jsonBody(UpdateDunningRuleInput) },
  responses: { 200: jsonResponse(DunningRuleSchema, "The updated rule."), ...errorResponses(404, 409, 413, 415, 422) },
});

export function registerUpdateDunningRule(app: Router) {
  app.openapi(route, async (c) => {
    const { id, rule_id } = c.req.valid("param");
    return c.json(await updateDunningRule({ ctx: serviceContext(c), organizationId: id, id: rule_id, input: c.req.valid("json") }), 200);
  });
}
