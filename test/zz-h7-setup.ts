import { abortAllDurableObjects, applyD1Migrations, reset } from "cloudflare:test";
import { env } from "cloudflare:workers";
const g = globalThis as any;
g.__h7worker ??= Math.random().toString(36).slice(2, 6);
console.log("H7FILE", g.__h7worker, new Date().toISOString(), g.__vitest_worker__?.filepath);
await reset();
await abortAllDurableObjects();
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
