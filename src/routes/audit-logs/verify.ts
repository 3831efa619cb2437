import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, jsonResponse, type Router } from "../../lib/openapi";
import { CHAIN_BREAKS } from "../../domain/audit-chain";
import { requireScope } from "../../middleware/scopes";
import { verifyAuditChain, VerifyAuditChainInput, VERIFY_MAX_ENTRIES } from "../../services/audit-logs/verify-audit-chain";
import { serviceContext } from "../context";

const Hash = z.string().openapi({ example: "9f2c4e0b7a1d3c5e8f6a2b4d0c1e3f5a7b9d2c4e6f8a0b1c3d5e7f9a2b4c6d8e" });

const VerificationSchema = z
  .object({
    object: z.literal("audit_chain_verification"),
    livemode: z.boolean(),
    valid: z.boolean().openapi({ description: "Whether every position checked, the chain's head and the anchors within the range match." }),
    from_sequence: z.number().int().nullable().openapi({ description: "The first position checked (null: nothing sealed in the range)." }),
    to_sequence: z.number().int().nullable(),
    checked: z.number().int().openapi({ description: "Entries recomputed and found valid, before the first break if any." }),
    sealed_through: z.number().int().openapi({ description: "The chain's last sealed position; later entries are sealed within a minute." }),
    head_hash: Hash.nullable().openapi({ description: "The hash of the last sealed entry: keep it, and a later verify proves nothing before it changed." }),
    pruned_through: z.number().int().openapi({ description: "Positions removed by retention (entries older than 10 years); the chain verifies from the next one." }),
    anchors_checked: z.number().int().openapi({ description: "Daily anchors (R2) compared with the recomputed chain." }),
    first_invalid_sequence: z.number().int().optional().openapi({ description: "When invalid: the first position that no longer matches." }),
    reason: z.enum(CHAIN_BREAKS).optional().openapi({ description: "When invalid: why that position no longer matches." }),
    detail: z.string().optional(),
  })
  .openapi("AuditChainVerification");

const route = createRoute({
  method: "get",
  path: "/audit_logs/verify",
  operationId: "verifyAuditLogs",
  tags: ["Audit"],
  summary: "Recompute the audit chain and say whether it was altered",
  description: `Every audit entry of your partner in this mode has a position in one chain (\`sequence\`, gap-free) and, once sealed (within a minute), \`previous_hash\` and \`hash\` = SHA-256 over the previous hash followed by the entry's RFC 8785 canonical JSON (the entry as listed, without \`object\`, \`ip_address\`, \`previous_hash\`, \`hash\`; the IP is covered through its keyed hash \`ip_hash\`). This recomputes the chain over a range of sealed positions (default: from the start, at most ${VERIFY_MAX_ENTRIES.toLocaleString("en")} positions) and checks it against the daily anchors kept in R2: any entry changed, deleted or inserted after sealing — even directly in the database — is reported with the first position that no longer matches. Scope \`audit:read\`; no \`X-Entity-Id\` (the chain spans your organizations). Errors: 400 \`invalid_parameter\` (a non-numeric or inverted range), 400 \`range_too_large\`.`,
  middleware: [requireScope("audit:read")] as const,
  request: { query: VerifyAuditChainInput },
  responses: { 200: jsonResponse(VerificationSchema, "The verification."), ...errorResponses() },
});

export function registerVerifyAuditLogs(app: Router) {
  app.openapi(route, async (c) => c.json(await verifyAuditChain({ ctx: serviceContext(c), input: c.req.valid("query") }), 200));
}
