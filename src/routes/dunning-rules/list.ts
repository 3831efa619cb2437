import { createRoute } from "@hono/zod-openapi";
import { errorResponses, jsonResponse, paginated, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { serviceContext } from "../context";
import { listDunningRules, ListDunningRulesInput } from "../../services/dunning/list-dunning-rules";
import { OrganizationIdParam } from "../organizations/schema";
import { DunningRuleSchema } from "./schema";

const route = createRoute({
  method: "get",
  path: "/organizations/{id}/dunning_rules",
  operationId: "listDunningRules",
  tags: ["Dunning"],
  summary: "List an organization's dunning rules, by offset",
  description: "The reminder rules of one of your organizations, earliest offset first (an organization starts with none). Scope `organizations:read`.",
  middleware: [requireScope("organizations:read")] as const,
  request: { params: OrganizationIdParam, query: ListDunningRulesInput },
  responses: { 200: jsonResponse(paginated(DunningRuleSchema, "DunningRuleList"), "A page of dunning rules."), ...errorResponses(404) },
});

export function registerListDunningRules(app: Router) {
  app.openapi(route, async (c) =>
    c.json(await listDunningRules({ ctx: serviceContext(c), organizationId: c.req.valid("param").id, input: c.req.valid("query") }), 200),
  );
}
