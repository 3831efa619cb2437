import { createRoute } from "@hono/zod-openapi";
import { errorResponses, IdempotencyHeader, jsonResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { serviceContext } from "../context";
import { deleteDunningRule } from "../../services/dunning/delete-dunning-rule";
import { DunningRuleDeleted, DunningRuleParams } from "./schema";

const route = createRoute({
  method: "delete",
  path: "/organizations/{id}/dunning_rules/{rule_id}",
  operationId: "deleteDunningRule",
  tags: ["Dunning"],
  summary: "Delete a dunning rule",
  description: "The rule sends nothing more; the reminders it sent stay in `GET /v1/messages`. Scope `organizations:write`.",
  middleware: [requireScope("organizations:write")] as const,
  request: { params: DunningRuleParams, headers: IdempotencyHeader },
  responses: { 200: jsonResponse(DunningRuleDeleted, "The rule is deleted."), ...errorResponses(404) },
});

export function registerDeleteDunningRule(app: Router) {
  app.openapi(route, async (c) => {
    const { id, rule_id } = c.req.valid("param");
    return c.json(await deleteDunningRule({ ctx: serviceContext(c), organizationId: id, id: rule_id }), 200);
  });
}
