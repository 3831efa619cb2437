import type { Env } from "../env";
import { sealAuditChains as seal } from "../services/audit-logs/seal-audit-chains";

/** Every minute: new audit entries are sealed into their chain, in sequence order (services/audit-logs/seal-audit-chains.ts). */
export function sealAuditChains(env: Env, now: Date) {
  return seal(env, now);
}
