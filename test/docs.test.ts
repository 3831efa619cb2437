import { describe, expect, it } from "vitest";
import { env, exports } from "cloudflare:workers";
import { call, ORIGIN } from "./helpers/harness";

describe("/v1/openapi.json", () => {
  it("is OpenAPI 3.1 and every operation documents itself", async () => {
    const res = await call("/v1/openapi.json");
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(doc.openapi).toBe("3.1.0");
    const ids = new Set<string>();
    const problems: string[] = [];
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(item)) {
        const where = `${method.toUpperCase()} ${path}`;
        if (!op.operationId) problems.push(`${where}: no operationId`);
        if (ids.has(op.operationId)) problems.push(`${where}: duplicate operationId ${op.operationId}`);
        ids.add(op.operationId);
        if (!op.tags?.length) problems.push(`${where}: no tags`);
        if (!op.summary) problems.push(`${where}: no summary`);
        const statuses = Object.keys(op.responses ?? {});
        if (!statuses.some((s) => s.startsWith("2"))) problems.push(`${where}: no success response`);
        if (path.startsWith("/v1/") && path !== "/v1/auth/token" && !statuses.includes("401")) problems.push(`${where}: 401 undocumented`);
        const body = op.requestBody?.content?.["application/json"];
        if (body) {
          const schema = body.schema?.$ref ? doc.components.schemas[body.schema.$ref.split("/").pop()] : body.schema;
          if (body.example === undefined && schema?.example === undefined) problems.push(`${where}: request body has no example`);
        }
        for (const p of op.parameters ?? []) {
          if (p.in === "path" && p.schema?.example === undefined && p.example === undefined) problems.push(`${where}: path parameter ${p.name} has no example`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(ids.size).toBeGreaterThanOrEqual(20);
  });

  it("describes the error envelope and the auth schemes", async () => {
    const doc = (await call("/v1/openapi.json")).body;
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(["adminKey", "apiKey", "bearerAuth"]);
    expect(doc.components.schemas.Error.properties.error.required).toEqual(expect.arrayContaining(["type", "code", "message", "request_id"]));
  });
});

describe("/docs", () => {
  it("serves the Scalar reference from our own origin, not a CDN", async () => {
    const res = await call("/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.text).toContain("/v1/openapi.json");
    expect(res.text).toMatch(/src="\/docs\/scalar\.js"/);
    expect(res.text).not.toMatch(/cdn\.jsdelivr|unpkg\.com/);
  });

  /** The configuration object the page hands to Scalar.createApiReference. */
  function scalarConfig(html: string) {
    const m = /Scalar\.createApiReference\('#app', (\{[\s\S]*?\n\s*\})\)/.exec(html);
    expect(m, "the page initializes Scalar").not.toBeNull();
    return JSON.parse(m![1]!);
  }

  it("asks Scalar for no default fonts, no telemetry, no Ask AI, no MCP, no developer tools (Deploy), and the request's origin as server", async () => {
    const config = scalarConfig((await call("/docs")).text);
    expect(config).toMatchObject({
      url: "/v1/openapi.json",
      withDefaultFonts: false,
      telemetry: false,
      agent: { disabled: true },
      mcp: { disabled: true },
      showDeveloperTools: "never",
    });
    // The harness calls https://api.test; PUBLIC_BASE_URL (pay.test.example) comes second.
    expect(config.servers.map((s: { url: string }) => s.url)).toEqual([ORIGIN, env.PUBLIC_BASE_URL]);
  });

  it("has a Content-Security-Policy: scripts from itself by nonce, requests to the servers it offers, no framing", async () => {
    const res = await call("/docs");
    const csp = res.headers.get("content-security-policy") ?? "";
    const directives = Object.fromEntries(csp.split(/;\s*/).map((d) => [d.split(" ")[0], d.split(" ").slice(1)]));
    expect(directives["default-src"]).toEqual(["'none'"]);
    // Its own origin, and PUBLIC_BASE_URL's, the second server a "Test Request" may pick.
    expect(directives["connect-src"]).toEqual(["'self'", env.PUBLIC_BASE_URL]);
    expect(directives["font-src"]).toEqual(["'self'", "data:"]);
    expect(directives["frame-ancestors"]).toEqual(["'none'"]);
    const nonce = /'nonce-([A-Za-z0-9]+)'/.exec(directives["script-src"]!.join(" "))?.[1];
    expect(nonce).toMatch(/^[A-Za-z0-9]{22}$/);
    // Both scripts (the bundle and its initialization) carry it; no script runs without it.
    const scripts = res.text.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length).toBe(2);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
    // A fresh nonce per response.
    expect((await call("/docs")).headers.get("content-security-policy")).not.toContain(nonce);
  });
});

describe("GET / and GET /api-docs", () => {
  it("send the browser to /docs, keeping the query string", async () => {
    // The worker's fetcher would follow the redirect itself: ask for it as is.
    const get = (path: string) => exports.default.fetch(new Request(`${ORIGIN}${path}`, { redirect: "manual" }));
    for (const [path, status] of [["/", 302], ["/api-docs", 301]] as const) {
      const plain = await get(path);
      expect(plain.status, path).toBe(status);
      expect(plain.headers.get("location"), path).toBe("/docs");
      const query = await get(`${path}?x=1&tag=Invoices`);
      expect(query.status, path).toBe(status);
      expect(query.headers.get("location"), path).toBe("/docs?x=1&tag=Invoices");
    }
    // Followed, as a browser does: the reference.
    const followed = await call("/api-docs");
    expect(followed.status).toBe(200);
    expect(followed.text).toContain("Scalar.createApiReference");
    // Only those two: other unknown paths stay a JSON 404.
    const other = await call("/api-doc");
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe("route_not_found");
  });
});

describe("/v1/openapi.json servers", () => {
  it("lists the request's origin first, then PUBLIC_BASE_URL, and points info.contact to that origin's /docs", async () => {
    const doc = (await call("/v1/openapi.json")).body;
    expect(doc.servers.map((s: { url: string }) => s.url)).toEqual([ORIGIN, env.PUBLIC_BASE_URL]);
    expect(doc.info.contact.url).toBe(`${ORIGIN}/docs`);
  });

  it("lists PUBLIC_BASE_URL once when the request came through it", async () => {
    const res = await exports.default.fetch(new Request(`${env.PUBLIC_BASE_URL}/v1/openapi.json`));
    const doc = (await res.json()) as { servers: { url: string }[] };
    expect(doc.servers.map((s) => s.url)).toEqual([env.PUBLIC_BASE_URL]);
  });
});
