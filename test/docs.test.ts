import { describe, expect, it } from "vitest";
import { call } from "./helpers/harness";

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
    expect(res.text).toContain('src="/docs/scalar.js"');
    expect(res.text).not.toMatch(/cdn\.jsdelivr|unpkg\.com/);
  });
});
