import { createRoute, z } from "@hono/zod-openapi";
import { jsonResponse, type Router } from "../../lib/openapi";

const route = createRoute({
  method: "get",
  path: "/health",
  operationId: "getHealth",
  tags: ["Ops"],
  summary: "Liveness and database reachability",
  description: "No authentication. 200 when D1 answers a `SELECT 1`, 503 `degraded` when it does not.",
  security: [],
  responses: {
    200: jsonResponse(z.object({ status: z.literal("ok"), database: z.literal("ok"), time: z.string() }).openapi("Health"), "Healthy."),
    503: jsonResponse(z.object({ status: z.literal("degraded"), database: z.literal("unreachable"), time: z.string() }), "D1 is unreachable."),
  },
});

export function registerHealthRoute(app: Router) {
  app.openapi(route, async (c) => {
    const time = new Date().toISOString();
    try {
      await c.get("timer").measure("d1", "select 1", () => c.env.DB.prepare("SELECT 1").first());
      return c.json({ status: "ok" as const, database: "ok" as const, time }, 200);
    } catch {
      return c.json({ status: "degraded" as const, database: "unreachable" as const, time }, 503);
    }
  });
}
