import { defineConfig } from "drizzle-kit";

// The API call log lives in its own D1 database (binding LOGS): `npx drizzle-kit generate --config
// drizzle-logs.config.ts` writes its migrations into migrations-logs/, applied by
// `wrangler d1 migrations apply LOGS` (npm run dev) and by the test setup.
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/db/logs-schema.ts",
  out: "./migrations-logs",
});
