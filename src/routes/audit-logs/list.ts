import { createRoute, z } from "@hono/zod-openapi";
import { OptionalEntityHeader, errorResponses, jsonResponse, paginated, Timestamp, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { optionalEntity } from "../../middleware/tenancy";
import { listAuditLogs, ListAuditLogsInput } from "../../services/audit-logs/list-audit-logs";
import { serviceContext } from "../context";

const AuditLogSchema = z
  .object({
    id: z.string().openapi({ example: "log-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
    object: z.literal("audit_log"),
    livemode: z.boolean(),
    timestamp: Timestamp,
    organization_id: z.string().nullable(),
    resource_type: z.string().openapi({ example: "organization" }),
    resource_id: z.string(),
    action: z.string().openapi({ example: "created" }),
    user_id: z.string().openapi({ description: "The credential that acted (or `operator`, `system`).", example: "cred-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
    user_type: z.enum(["partner", "operator", "system", "payer"]),
    ip_address: z.string().nullable().openapi({ example: "203.0.113.42" }),
    request_id: z.string().nullable(),
    changes: z.object({
      before: z.record(z.string(), z.unknown()).nullable(),
      after: z.record(z.string(), z.unknown()).nullable(),
    }),
    sequence: z.number().int().openapi({ description: "The entry's position in your chain for this mode (1, 2, 3… with no gap, across your organizations).", example: 42 }),
    ip_hash: z.string().nullable().openapi({ description: "Set when sealed: a keyed hash of `ip_address`, which the chain covers in its place (the address itself is erased after a year)." }),
    previous_hash: z.string().nullable().openapi({ description: "Set when sealed (within a minute): the `hash` of the entry before (64 zeros for sequence 1)." }),
    hash: z.string().nullable().openapi({
      description: "Set when sealed: hex SHA-256 of `previous_hash` followed by this entry's RFC 8785 canonical JSON without `object`, `ip_address`, `previous_hash` and `hash`. `GET /v1/audit_logs/verify` recomputes it.",
    }),
  })
  .openapi("AuditLog");

const route = createRoute({
  method: "get",
  path: "/audit_logs",
  operationId: "listAuditLogs",
  tags: ["Audit"],
  summary: "The audit trail, oldest first: an organization's, or the partner's own",
  description:
    "Every change, with who (`user_type` `partner`: one of your credentials; `operator`: the platform operator; `system`: a scheduled job, a payment provider's answer; `payer`: the payer on the payment page), from where, in which request, and the before/after values. With `X-Entity-Id`, the organization's entries; without it, the partner-level entries of the credential's partner and mode, those tied to no organization: webhook subscriptions, credentials, the operator's actions on the partner (plan, credentials), subscriptions disabled for failing. Scope `audit:read`. Errors: 400 `invalid_parameter`, 404 `resource_missing` (an organization that is not the caller's).",
  middleware: [requireScope("audit:read"), optionalEntity] as const,
  request: { headers: OptionalEntityHeader, query: ListAuditLogsInput },
  responses: { 200: jsonResponse(paginated(AuditLogSchema, "AuditLogList"), "A page of audit entries."), ...errorResponses(404) },
});

export function registerListAuditLogs(app: Router) {
  app.openapi(route, async (c) =>
    c.json(await listAuditLogs({ ctx: serviceContext(c), organizationId: c.get("optionalEntityId"), input: c.req.valid("query") }), 200),
  );
}
