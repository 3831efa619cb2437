import { createRoute } from "@hono/zod-openapi";
import { ObjectEntityHeader, errorResponses, jsonResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { entityFromHeaderOrObject } from "../../middleware/tenancy";
import { getMessage } from "../../services/messages/get-message";
import { serviceContext } from "../context";
import { MessageIdParam, MessageSchema } from "./schema";

const route = createRoute({
  method: "get",
  path: "/messages/{id}",
  operationId: "getMessage",
  tags: ["Messages"],
  summary: "Retrieve a message",
  description:
    "A message to a payer, its recipient in full. In test mode nothing leaves the platform and the message also carries its rendered `text` and `html`: the sandbox outbox, to test your flows by reading what would have been sent. Scope `invoices:read`.",
  middleware: [requireScope("invoices:read"), entityFromHeaderOrObject] as const,
  request: { params: MessageIdParam, headers: ObjectEntityHeader },
  responses: { 200: jsonResponse(MessageSchema, "The message."), ...errorResponses(404) },
});

export function registerGetMessage(app: Router) {
  app.openapi(route, async (c) => c.json(await getMessage({ ctx: serviceContext(c), organizationId: c.get("entityScope"), id: c.req.valid("param").id }), 200));
}
