/**
 * The X-Entity-Id rule, stated once: each operation's class follows from how its route declares the
 * header (middleware/tenancy.ts: requireEntity → a required header parameter, entityFromHeaderOrObject
 * and optionalEntity → an optional one, neither → none), and the table in the OpenAPI document's
 * description is generated from the document itself, so it cannot disagree with the routes.
 * test/entity-header.test.ts checks each operation's behaviour against its class.
 */

export type EntityRule = "required" | "object" | "filter" | "partner";

interface ParameterLike {
  in?: string;
  name?: string;
  required?: boolean;
}

/** The class of one operation of the document, from its `x-entity-id` header parameter and its path. */
export function entityRuleOf(path: string, op: { parameters?: ParameterLike[] }): EntityRule {
  const header = op.parameters?.find((p) => p.in === "header" && p.name?.toLowerCase() === "x-entity-id");
  if (!header) return "partner";
  if (header.required) return "required";
  // Optional: either the path names an object (which names its organization), or a report that
  // answers for one organization or all of them.
  return path.includes("{") ? "object" : "filter";
}

export const ENTITY_RULES: Record<EntityRule, { header: string; why: string }> = {
  required: {
    header: "**Required**",
    why:
      "Creates an object or lists a collection of one organization: nothing else names the organization. " +
      "Absent → 400 `missing_entity_id`; another partner's or mode's organization → 404.",
  },
  object: {
    header: "Optional",
    why: "Addressed by an object id, which already names its organization (ids are unique). Absent → the object's own organization; sent → it must be that organization, else 404 as if the object did not exist (never 403).",
  },
  filter: {
    header: "Optional (filter)",
    why: "A report: with it, one organization; without it, every organization of the partner in the credential's mode. Another partner's or mode's organization → 404.",
  },
  partner: {
    header: "Ignored",
    why:
      "Partner-level: what the partner holds across its organizations (the organizations themselves, webhook subscriptions, events and their deliveries, the audit chain's verification, the API call log, privacy requests, the sandbox helpers), or a path that names the organization itself (`/v1/organizations/{id}/…`). " +
      "A header sent anyway (an SDK's per-client default) changes nothing.",
  },
};

interface DocumentLike {
  info?: { description?: string };
  paths?: object;
}

/** Whether the table covers this path: the partner API (not the operator's, not the token endpoint or the document). */
export function partnerOperationPath(path: string): boolean {
  return path.startsWith("/v1/") && !path.startsWith("/v1/admin/") && path !== "/v1/auth/token" && path !== "/v1/openapi.json";
}

/** Appends the rule (one entry per class, the operations of each listed) to the document's description. */
export function withEntityRuleTable<T extends DocumentLike>(doc: T): T {
  const byRule: Record<EntityRule, string[]> = { required: [], object: [], filter: [], partner: [] };
  for (const [path, item] of Object.entries((doc.paths ?? {}) as Record<string, Record<string, { parameters?: ParameterLike[] }>>)) {
    if (!partnerOperationPath(path)) continue;
    for (const [method, op] of Object.entries(item)) byRule[entityRuleOf(path, op)].push(`\`${method.toUpperCase()} ${path}\``);
  }
  // A list, not a Markdown table: the reference's description column is narrow, and a three-column
  // table there squeezed the rule's name into one letter per line.
  const rows = (Object.keys(ENTITY_RULES) as EntityRule[]).map((rule) => `- ${ENTITY_RULES[rule].header}: ${ENTITY_RULES[rule].why} Operations: ${byRule[rule].join(", ") || "none"}.`);
  const table = [
    "## X-Entity-Id",
    "",
    "The organization (`org-…`) an organization-scoped call acts for. Its ownership is checked inside the operation's own query (no extra round trip), so an organization that is not the caller's answers 404, never 403.",
    "",
    ...rows,
  ].join("\n");
  const info = (doc.info ??= {});
  info.description = info.description ? `${info.description}\n\n${table}` : table;
  return doc;
}
