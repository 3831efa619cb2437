import { createRoute, z } from "@hono/zod-openapi";
import { jsonResponse, type Router } from "../../lib/openapi";
import { checkHealth } from "../../services/health/check-health";

const SchemaVersion = z
  .string()
  .nullable()
  .openapi({ description: "The last migration applied to D1 (`migrations/` file name); null if none is recorded.", example: "0008_kyc_accounts.sql" });

const route = createRoute({
  method: "get",
  path: "/health",
  operationId: "getHealth",
  tags: ["Ops"],
  summary: "Liveness, database reachability and schema version",
  description:
    "No authentication. 200 when D1 answers and holds every table the code uses; 503 `degraded` when D1 does not answer (`database: unreachable`) or tables are missing (`database: schema_incomplete`, e.g. migrations never applied: run `wrangler d1 migrations apply`).",
  security: [],
  responses: {
    200: jsonResponse(
      z.object({ status: z.literal("ok"), database: z.literal("ok"), schema_version: SchemaVersion, time: z.string() }).openapi("Health"),
      "Healthy.",
    ),
    503: jsonResponse(
      z
        .object({
          status: z.literal("degraded"),
          database: z.enum(["unreachable", "schema_incomplete"]),
          schema_version: SchemaVersion,
          missing_tables: z.array(z.string()).openapi({ description: "Tables the code uses that D1 does not have.", example: ["refunds"] }),
          time: z.string(),
        })
        .openapi("HealthDegraded"),
      "D1 is unreachable, or its schema is behind the code.",
    ),
  },
});

export function registerHealthRoute(app: Router) {
  app.openapi(route, async (c) => {
    const report = await checkHealth({ db: c.env.DB, timer: c.get("timer") });
    const time = new Date().toISOString();
    c.header("Cache-Control", "no-store");
    return report.status === "ok" ? c.json({ ...report, time }, 200) : c.json({ ...report, time }, 503);
  });
}
