// The SDK (@paiements/sdk, built by `npm run sdk:build`) against the real Worker under `wrangler
// dev`: its checked-in types match what the SERVED /v1/openapi.json generates (else: run
// `npm run sdk:generate`), sdk/README.md's example (its copy-paste block, and the same flow as
// sdk/examples/seed-flow.ts) runs seed 001's flow end to end (organization → department → bank
// account → KYC → invoice → issue → link → sandbox payment → refund → events), and a receiver
// checking with the SDK's helpers accepts every real delivery, under both signature schemes.
// Shares nothing with the other e2e files (its own server and state).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { Paiements, PaiementsError, verifySeedSignature, verifyStandardWebhook } from "@paiements/sdk";
import { SCHEMA_FILE, schemaSource } from "../../sdk/scripts/schema-source.mjs";
import { E2E_SECRETS, sleep, startWranglerDev } from "../helpers/wrangler-dev.mjs";

// sdk/README.md's example, in TypeScript: Node 22 strips its types. Imported by a computed URL so
// that the root typecheck (which runs before `npm run sdk:build`) does not follow it into the SDK;
// `npm run sdk:build` type-checks it (sdk/examples/tsconfig.json).
const { seedFlow } = await import(new URL("../../sdk/examples/seed-flow.ts", import.meta.url).href);

let server;
before(async () => {
  const started = Date.now();
  server = await startWranglerDev({ prefix: "sdk-e2e-" });
  console.log(`wrangler dev answered /health after ${Date.now() - started} ms`);
});
after(async () => {
  await server?.stop();
});

/** Polls `read` until `done(value)`, for what the API settles asynchronously (a refund: ~2 s). */
async function eventually(read, done, what, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) assert.fail(`${what}: still ${JSON.stringify(value).slice(0, 300)} after ${timeoutMs / 1000} s`);
    await sleep(250);
  }
}

test("sdk/src/schema.ts is what the served /v1/openapi.json generates (else run `npm run sdk:generate`)", async () => {
  const started = Date.now();
  const res = await fetch(`${server.base}/v1/openapi.json`);
  assert.equal(res.status, 200);
  const generated = await schemaSource(await res.json());
  console.log(`spec fetched and types generated in ${Date.now() - started} ms`);
  const checkedIn = readFileSync(SCHEMA_FILE, "utf8");
  if (generated !== checkedIn) {
    const a = checkedIn.split("\n");
    const b = generated.split("\n");
    const at = a.findIndex((line, i) => line !== b[i]);
    assert.fail(`sdk/src/schema.ts is stale: run \`npm run sdk:generate\` (first difference at line ${at + 1}:\n- ${a[at]}\n+ ${b[at]})`);
  }
});

test("seed 001's flow through the SDK (sdk/README.md's example), and every webhook verifies", { timeout: 90_000 }, async () => {
  // The operator creates a partner: the admin key is a Bearer key like a partner's API key.
  const operator = new Paiements({ baseUrl: server.base, apiKey: E2E_SECRETS.ADMIN_API_KEY });
  const partner = await operator.post("/v1/admin/partners", { body: { name: "Acme Intégrations" } });
  const { client_id: clientId, client_secret: clientSecret } = partner.credentials;

  // A receiver on 127.0.0.1 (test mode accepts it) that checks every delivery with the SDK.
  const deliveries = [];
  const receiver = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const raw = Buffer.concat(chunks);
    deliveries.push({ raw, headers: req.headers });
    res.writeHead(200).end("ok");
  });
  await new Promise((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  after(() => new Promise((resolve) => receiver.close(resolve)));
  const pay = new Paiements({ baseUrl: server.base, clientId, clientSecret });
  const subscription = await pay.post("/v1/webhook_subscriptions", {
    body: { url: `http://127.0.0.1:${receiver.address().port}/hooks`, events: ["*"], description: "SDK e2e" },
  });
  const secret = subscription.secret;
  assert.match(secret, /^whsec_/);

  const started = Date.now();
  const flow = await seedFlow(server.base, clientId, clientSecret);
  console.log(`seed flow through the SDK: ${Date.now() - started} ms`);

  assert.equal(flow.org.siren, "216901234");
  assert.equal(flow.kyc.status, "verified");
  assert.equal(flow.invoice.status, "issued");
  assert.match(flow.invoice.invoice_number ?? "", /^FAC-\d{4}-00001$/);
  assert.equal(flow.invoice.total_amount, 42200);
  assert.equal(flow.link.amount, 42200);
  assert.equal(flow.paid.status, "succeeded");
  assert.equal(flow.refund.amount, 10000);
  assert.equal(flow.refund.type, "price_reduction");
  for (const type of ["invoice.created", "invoice.status_changed", "payment_link.created", "payment_intent.status_changed", "refund.created"]) {
    assert.ok(flow.events.includes(type), `events list has ${type}: ${flow.events.join(", ")}`);
  }

  // The refund settles asynchronously; the invoice then shows it (seed 001 "Remboursements").
  const lyon = new Paiements({ baseUrl: server.base, clientId, clientSecret, entityId: flow.org.id });
  const refund = await eventually(() => lyon.get("/v1/refunds/{id}", { params: { path: { id: flow.refund.id } } }), (r) => r.status !== "pending", "refund");
  assert.equal(refund.status, "succeeded");
  const invoice = await lyon.get("/v1/invoices/{id}", { params: { path: { id: flow.invoice.id } } });
  assert.deepEqual({ status: invoice.status, amount_paid: invoice.amount_paid, credited_amount: invoice.credited_amount, amount_due: invoice.amount_due }, { status: "paid", amount_paid: 32200, credited_amount: 10000, amount_due: 0 });

  // Pagination over the real API: one per page walks the same events the one-page list shows, once
  // each (a type whose events are all in: the invoice went issued → paid before the refund).
  const query = { type: "invoice.status_changed" };
  const paged = [];
  for await (const event of pay.list("/v1/events", { params: { query: { ...query, page_size: 1 } } })) paged.push(event.id);
  const all = await pay.get("/v1/events", { params: { query: { ...query, page_size: 100 } } });
  assert.ok(all.pagination.total_items >= 2, `more than one page: ${all.pagination.total_items}`);
  assert.deepEqual(paged, all.data.map((e) => e.id));

  // A refusal is a PaiementsError carrying the envelope; an organization call without X-Entity-Id names it.
  const error = await pay.post("/v1/invoices", { body: { department_id: flow.dept.id, payer: { name: "X" }, line_items: [{ description: "x", quantity: 1, unit_price: 3.2, vat_rate: 20 }] } }).catch((e) => e);
  assert.ok(error instanceof PaiementsError, String(error));
  assert.equal(error.status, 400);
  assert.equal(error.type, "invalid_request_error");
  assert.ok(error.param, "names the field at fault");
  assert.match(error.requestId ?? "", /^req_/);

  // sdk/README.md's copy-paste block itself, run as a user would (`node seed.mts`, types stripped),
  // pointed at this server: it must run to the end and print the events.
  const readme = readFileSync(new URL("../../sdk/README.md", import.meta.url), "utf8");
  const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(block?.includes('from "@paiements/sdk"'), "sdk/README.md opens with the example");
  assert.ok(block.includes('"http://127.0.0.1:8787"'), "the example names the dev server's address");
  const script = new URL(`../../sdk/examples/.readme-${process.pid}.mts`, import.meta.url);
  writeFileSync(script, block.replace('"http://127.0.0.1:8787"', JSON.stringify(server.base)));
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [script.pathname], { env: { ...process.env, CLIENT_ID: clientId, CLIENT_SECRET: clientSecret }, timeout: 30_000 });
    assert.match(stdout, /\/p\//, "prints the payment page's address");
    assert.match(stdout, /^refund\.created /m, "lists the events");
  } finally {
    rmSync(script, { force: true });
  }

  // Webhooks: every delivery the receiver got verifies under both schemes with the subscription's secret.
  await eventually(() => deliveries.map((d) => JSON.parse(d.raw.toString("utf8")).event_type), (types) => types.includes("refund.status_changed") || types.includes("refund.created"), "webhook deliveries", 30_000);
  assert.ok(deliveries.length >= 5, `${deliveries.length} deliveries`);
  for (const d of deliveries) {
    assert.equal(await verifySeedSignature(d.raw, d.headers["x-webhook-signature"], secret), true, "seed signature");
    const payload = await verifyStandardWebhook(d.raw, d.headers, secret);
    assert.equal(payload.event_id, d.headers["webhook-id"]);
  }
});
