import { availableParallelism } from "node:os";
import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Test-only secrets: the worker reads them from env exactly as it reads .dev.vars in dev.
export const TEST_SECRETS = {
  ADMIN_API_KEY: "test_admin_key_0123456789abcdef",
  JWT_SECRET: "test_jwt_secret_0123456789abcdef0123456789abcdef",
  ENCRYPTION_KEY: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
  PUBLIC_BASE_URL: "https://pay.test.example",
};

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  // The API call log's own database (binding LOGS, declared in wrangler.toml): migrated in test setup too.
  const logsMigrations = await readD1Migrations(path.join(import.meta.dirname, "migrations-logs"));
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        remoteBindings: false,
        miniflare: {
          bindings: {
            ...TEST_SECRETS,
            // The tests run the worker as local development does (wrangler.toml leaves it unset for deploys).
            ENVIRONMENT: "development",
            TEST_MIGRATIONS: migrations,
            TEST_LOGS_MIGRATIONS: logsMigrations,
            // test/fuzz: runs per operation and seed (`npm run fuzz`, or to replay a failure).
            ...(process.env.FUZZ_RUNS ? { FUZZ_RUNS: process.env.FUZZ_RUNS } : {}),
            ...(process.env.FUZZ_SEED ? { FUZZ_SEED: process.env.FUZZ_SEED } : {}),
          },
          // Messages the API sends stay in a queue nobody consumes: otherwise the webhooks consumer
          // would run in the background, racing the tests and POSTing to the subscriptions' real
          // hosts. Webhook tests drive the consumer themselves (worker.queue, createMessageBatch).
          // Same for messages to payers: tests drive the messages consumer themselves.
          // And for the API call log: every test's requests would otherwise feed a consumer racing the
          // per-file storage reset; test/request-logs drives the consumer itself.
          queueProducers: { WEBHOOKS: { queueName: "webhooks-unconsumed-in-tests" }, MESSAGES: { queueName: "messages-unconsumed-in-tests" }, REQUEST_LOGS: { queueName: "request-logs-unconsumed-in-tests" } },
        },
      }),
    ],
    test: {
      setupFiles: ["./test/helpers/apply-migrations.ts"],
      include: ["test/**/*.test.ts"],
      // Loading the worker's modules in workerd takes seconds: a fresh runtime per file paid it
      // for every file. Files now reuse their worker's runtime and module cache; storage is still
      // per file (test/helpers/apply-migrations.ts resets it). The tests wait on I/O (the runtime,
      // timers) as much as on CPU: one worker more than cores (vitest's default is one fewer).
      isolate: false,
      maxWorkers: availableParallelism() + 1,
      testTimeout: 30_000,
      hookTimeout: 30_000,
      // Durable Object RPC rejections leak as unhandled errors in the plugin (workers-sdk#14736):
      // they are asserted where they happen, so do not fail the run for them.
      onUnhandledError(error: unknown) {
        const e = error as { remote?: unknown; durableObjectId?: unknown } | null;
        if (e?.remote === true && typeof e?.durableObjectId === "string") return false;
      },
    },
  };
});
