// `npm run sdk:generate`: starts the Worker (wrangler dev, throw-away state, free port), fetches
// the SERVED /v1/openapi.json — what partners see, not a build artefact — writes sdk/src/schema.ts
// with openapi-typescript, and stops the server whatever happened.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startWranglerDev } from "../../test/helpers/wrangler-dev.mjs";
import { SCHEMA_FILE, schemaSource } from "./schema-source.mjs";

const server = await startWranglerDev({ prefix: "sdk-generate-" });
try {
  const res = await fetch(`${server.base}/v1/openapi.json`);
  if (!res.ok) throw new Error(`GET /v1/openapi.json answered ${res.status}: ${await res.text()}`);
  const source = await schemaSource(await res.json());
  writeFileSync(SCHEMA_FILE, source);
  console.log(`wrote ${fileURLToPath(SCHEMA_FILE)} (${source.length} characters)`);
} finally {
  await server.stop();
}
