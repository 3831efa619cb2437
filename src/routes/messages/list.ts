import { createRoute } from "@hono/zod-openapi";
import { EntityHeader, errorResponses, jsonResponse, paginated, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { requireEntity } from "../../middleware/tenancy";
import { listMessages, ListMessagesInput } from "../../services/messages/list-messages";
import { serviceContext } from "../context";
import { MessageSchema } from "./schema";

const route = createRoute({
  method: "get",
  path: "/messages",
  operationId: "listMessages",
  tags: ["Messages"],
  summary: "List messages to payers, newest first",
  description:
    "Emails and SMS sent (or queued) to payers by the X-Entity-Id organization: invoices sent, payment links, reminders, cancellations, receipts. Recipients are masked; filter on one with `to`. Scope `invoices:read`.",
  middleware: [requireScope("invoices:read"), requireEntity] as const,
  request: { headers: EntityHeader, query: ListMessagesInput },
  responses: { 200: jsonResponse(paginated(MessageSchema, "MessageList"), "A page of messages."), ...errorResponses(400, 404) },
});

export function registerListMessages(app: Router) {
  app.openapi(route, async (c) => c.json(await listMessages({ ctx: serviceContext(c), organizationId: c.get("entityId"), input: c.req.valid("query") }), 200));
}
