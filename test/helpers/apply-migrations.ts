import { abortAllDurableObjects, applyD1Migrations, reset } from "cloudflare:test";
import { env } from "cloudflare:workers";

// Runs before each test file. Files share a worker and its loaded modules (vitest.config.ts,
// `isolate: false`) but not storage: every file starts from an empty D1 and Durable Objects with
// no storage, then the migrations. The objects of the previous file still running are stopped
// between two resets, so whatever they were writing goes with the first one or the second.
await reset();
await abortAllDurableObjects();
await reset();
const { n } = (await env.DB.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").first<{ n: number }>())!;
if (n !== 0) throw new Error(`D1 still has ${n} tables from the previous test file: storage was not reset`);
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
await applyD1Migrations(env.LOGS, env.TEST_LOGS_MIGRATIONS);
