import { abortAllDurableObjects, applyD1Migrations, reset } from "cloudflare:test";
import { env } from "cloudflare:workers";

// Runs before each test file. Files share a worker and its loaded modules (vitest.config.ts,
// `isolate: false`) but not storage: every file starts from an empty D1 and no Durable Object
// (storage deleted, then the instances stopped, so no alarm of the previous file's objects
// projects into this file's D1), then the migrations.
await reset();
await abortAllDurableObjects();
const { n } = (await env.DB.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").first<{ n: number }>())!;
if (n !== 0) throw new Error(`D1 still has ${n} tables from the previous test file: storage was not reset`);
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
