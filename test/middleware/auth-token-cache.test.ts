import { afterEach, describe, expect, it, vi } from "vitest";
import { ACCESS_TOKEN_TTL_SECONDS } from "../../src/services/auth/tokens";
import { adminHeaders, call, createPartner } from "../helpers/harness";

/**
 * authenticate keeps the access tokens it verified for the rest of the isolate's life (a partner
 * sends the same token on every call): what the cache holds must never outlive what the token
 * allows. Each test uses the token once first, so the later calls are answered from the cache.
 */
describe("verified access tokens kept per isolate", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("refuses a token it already verified once its expiry has passed (401 token_expired)", async () => {
    const t = await createPartner();
    expect((await call("/v1/organizations", { token: t.token })).status).toBe(200);

    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
    vi.setSystemTime(Date.now() + (ACCESS_TOKEN_TTL_SECONDS - 60) * 1000);
    expect((await call("/v1/organizations", { token: t.token })).status, "still within its hour").toBe(200);

    vi.setSystemTime(Date.now() + 61_000);
    const res = await call("/v1/organizations", { token: t.token });
    expect(res.status, res.text).toBe(401);
    expect(res.body.error.code).toBe("token_expired");
  });

  it("refuses a token it already verified once its credential is revoked, reads and writes alike", async () => {
    const t = await createPartner();
    expect((await call("/v1/organizations", { token: t.token })).status).toBe(200);

    const revoked = await call(`/v1/admin/partners/${t.partnerId}/credentials/${t.credential.id}`, { method: "DELETE", headers: adminHeaders() });
    expect(revoked.status, revoked.text).toBe(200);

    const read = await call("/v1/organizations", { token: t.token });
    expect(read.status, read.text).toBe(401);
    expect(read.body.error.code).toBe("credentials_revoked");
    const write = await call("/v1/organizations", { token: t.token, body: { type: "company", name: "Après révocation" } });
    expect(write.status, write.text).toBe(401);
    expect(write.body.error.code).toBe("credentials_revoked");
  });

  it("does not take a token signed with another secret for one it verified", async () => {
    const t = await createPartner();
    expect((await call("/v1/organizations", { token: t.token })).status).toBe(200);
    // Same header and claims, the signature's last characters changed: another string, verified afresh.
    const [head, body, sig] = t.token.split(".") as [string, string, string];
    const forged = `${head}.${body}.${sig.slice(0, -4)}${sig.slice(-4) === "AAAA" ? "BBBB" : "AAAA"}`;
    const res = await call("/v1/organizations", { token: forged });
    expect(res.status, res.text).toBe(401);
    expect(res.body.error.code).toBe("invalid_token");
  });
});
