import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { accessToken, call, createPartner, issueCredential } from "../helpers/harness";

/**
 * requireTestMode, on every sandbox helper: a live credential is refused whatever its body, and
 * its Idempotency-Key keeps nothing; the scope check still answers first.
 */
const SANDBOX = [
  ["/v1/sandbox/sweeps", "invoices:write"],
  ["/v1/sandbox/payment_intents/pi-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b/simulate", "payments:write"],
  ["/v1/sandbox/refunds/ref-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b/simulate", "refunds:write"],
] as const;

describe.each(SANDBOX)("POST %s with live credentials", (path, scope) => {
  it("is refused 403 test_mode_only, even with a body it would refuse 400, and keeps no Idempotency-Key", async () => {
    const t = await createPartner();
    const live = await accessToken(await issueCredential(t.partnerId, "live"));
    const res = await call(path, { token: live, body: { outcome: "no-such-outcome", as_of: "tomorrow" }, headers: { "idempotency-key": "live-sandbox-1" } });
    expect(res.status, res.text).toBe(403);
    expect(res.body.error).toMatchObject({ type: "permission_error", code: "test_mode_only" });
    const keys = await env.DB.prepare("SELECT count(*) AS n FROM idempotency_keys WHERE partner_id = ?").bind(t.partnerId).first<{ n: number }>();
    expect(keys?.n).toBe(0);
  });

  it(`answers 403 insufficient_scope first when the credential lacks '${scope}'`, async () => {
    const t = await createPartner();
    const live = await accessToken(await issueCredential(t.partnerId, "live", ["webhooks:read"]));
    const res = await call(path, { token: live, body: {} });
    expect(res.status, res.text).toBe(403);
    expect(res.body.error.code).toBe("insufficient_scope");
  });
});
