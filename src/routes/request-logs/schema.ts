import { z } from "@hono/zod-openapi";
import { Timestamp } from "../../lib/openapi";

export const RequestLogSchema = z
  .object({
    id: z.string().openapi({ example: "rlog-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
    object: z.literal("request_log"),
    request_id: z.string().openapi({ description: "The X-Request-Id the response carried.", example: "req_0193a4b2c7e87d1f9a6b2c3d4e5f6a7b" }),
    livemode: z.boolean(),
    organization_id: z.string().nullable().openapi({ description: "The X-Entity-Id sent, if it was an organization id." }),
    credential_id: z.string().nullable().openapi({ example: "cred-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
    method: z.string().openapi({ example: "GET" }),
    path: z.string().openapi({ description: "The route template of the operation (`unmatched` when none matched).", example: "/v1/invoices/{id}" }),
    path_ids: z.record(z.string(), z.string()).openapi({ description: "The path's parameter values, by name.", example: { id: "inv-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" } }),
    status: z.number().int().openapi({ example: 200 }),
    duration_ms: z.number().int().openapi({ example: 42 }),
    ip_address: z.string().nullable().openapi({ example: "203.0.113.42" }),
    user_agent: z.string().nullable().openapi({ description: "At most 256 characters." }),
    idempotency_key: z.string().nullable(),
    idempotent_replayed: z.boolean().openapi({ description: "The response was a replay of the key's first response." }),
    created_at: Timestamp,
  })
  .openapi("RequestLog", {
    description:
      "One call to the API, recorded off the request path (it appears within seconds). Never a body, a token, a secret nor a query value.",
  });

export const RequestIdParam = z.object({
  request_id: z
    .string()
    .min(1)
    .max(128)
    .openapi({ param: { name: "request_id", in: "path" }, example: "req_0193a4b2c7e87d1f9a6b2c3d4e5f6a7b" }),
});
