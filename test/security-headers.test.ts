import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { adminHeaders, call, createPartner, DEPLOYED, type CallOptions } from "./helpers/harness";

/**
 * HSTS (issue 10 §7 hygiene): a deployed worker tells browsers, on every response, to reach it
 * over https only; a worker in local development (plain http) does not.
 */

const HSTS = "max-age=63072000; includeSubDomains";

/** One request of each kind the worker answers: API success and errors, admin, OAuth, pages, docs, the changelog, health, unknown routes. */
async function everyKindOfResponse(overrides: CallOptions["env"]) {
  const t = await createPartner();
  const env_ = overrides ? { env: overrides } : {};
  return {
    "GET /health": await call("/health", env_),
    "GET /v1/organizations (200)": await call("/v1/organizations", { ...env_, token: t.token }),
    "GET /v1/organizations (401)": await call("/v1/organizations", env_),
    "POST /v1/organizations (400)": await call("/v1/organizations", { ...env_, token: t.token, body: {} }),
    "GET /v1/organizations/org-nope (404)": await call("/v1/organizations/org-nope", { ...env_, token: t.token }),
    "POST /v1/auth/token (401)": await call("/v1/auth/token", { ...env_, body: { grant_type: "client_credentials", client_id: "cli_test_nobody", client_secret: "x" } }),
    "GET /v1/admin/partners/… (401)": await call(`/v1/admin/partners/${t.partnerId}`, env_),
    "GET /v1/admin/partners/… (200)": await call(`/v1/admin/partners/${t.partnerId}`, { ...env_, headers: adminHeaders() }),
    "GET /v1/openapi.json": await call("/v1/openapi.json", env_),
    "GET /p/unknown (404 page)": await call("/p/NoSuchTokenNoSuchTokenNoSuchToken", env_),
    "GET /changelog (page)": await call("/changelog", { ...env_, headers: { accept: "text/html" } }),
    "GET /changelog (JSON)": await call("/changelog", { ...env_, headers: { accept: "application/json" } }),
    "GET /nope (404)": await call("/nope", env_),
  };
}

describe("Strict-Transport-Security", () => {
  it("is on every response of a deployed worker", async () => {
    for (const [what, res] of Object.entries(await everyKindOfResponse(DEPLOYED))) {
      expect(res.headers.get("strict-transport-security"), what).toBe(HSTS);
    }
  });

  it("is absent in local development (wrangler dev serves plain http)", async () => {
    expect(env.ENVIRONMENT).toBe("development");
    for (const [what, res] of Object.entries(await everyKindOfResponse(undefined))) {
      expect(res.headers.get("strict-transport-security"), what).toBeNull();
    }
  });
});

describe("headers on every response (hono/secure-headers)", () => {
  it("X-Content-Type-Options is nosniff, deployed and in local development", async () => {
    for (const overrides of [DEPLOYED, undefined]) {
      for (const [what, res] of Object.entries(await everyKindOfResponse(overrides))) {
        expect(res.headers.get("x-content-type-options"), what).toBe("nosniff");
      }
    }
  });

  it("no Cross-Origin-Resource-Policy: partner sites embed the QR image from their own origin", async () => {
    for (const [what, res] of Object.entries(await everyKindOfResponse(DEPLOYED))) {
      expect(res.headers.get("cross-origin-resource-policy"), what).toBeNull();
    }
  });
});
