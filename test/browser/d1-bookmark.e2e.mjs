// Read-your-own-writes with D1 bookmarks (issue 16 §3) under `wrangler dev`: the real Worker on
// 127.0.0.1 with a throw-away local D1. A write answers X-D1-Bookmark; a read that sends it back
// answers 200 with what was written; a malformed one is 400 invalid_bookmark. Local D1 has no read
// replicas: the round trip is what can be tested here, not a replica's lag.
//
// Run: `npm run test:browser` (node --test test/browser/), or this file alone with node --test.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { E2E_SECRETS as SECRETS, sendJson, startWranglerDev } from "../helpers/wrangler-dev.mjs";

const BOOKMARK = /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/;

let server;
before(async () => {
  server = await startWranglerDev({ prefix: "d1-bookmark-e2e-" });
});
after(async () => {
  await server?.stop();
});

const send = (method, path, options) => sendJson(server.base, method, path, options);

test("an organization created, then read back with its bookmark: 200 with the same data", async () => {
  const partner = await send("POST", "/v1/admin/partners", { key: SECRETS.ADMIN_API_KEY, body: { name: "Bookmark partner" } });
  assert.equal(partner.status, 201, partner.text);
  const key = partner.body.credentials.secret_key;

  const created = await send("POST", "/v1/organizations", {
    key,
    body: { type: "public_entity", name: "Mairie de Lyon", siret: "21690123400019", vat_number: "FR21216901234", address: { line1: "1 Place de la Comédie", postal_code: "69001", city: "Lyon", country: "FR" } },
  });
  assert.equal(created.status, 201, created.text);
  const bookmark = created.headers.get("x-d1-bookmark");
  assert.match(bookmark ?? "", BOOKMARK, "the write answers a bookmark");

  const read = await send("GET", `/v1/organizations/${created.body.id}`, { key, headers: { "X-D1-Bookmark": bookmark } });
  assert.equal(read.status, 200, read.text);
  const { warnings: _warnings, ...written } = created.body;
  assert.deepEqual(read.body, { ...written, ...(read.body.warnings ? { warnings: read.body.warnings } : {}) }, "the read sees the write, field for field");
  const readBookmark = read.headers.get("x-d1-bookmark");
  assert.match(readBookmark ?? "", BOOKMARK);
  assert.ok(readBookmark >= bookmark, `the read's bookmark ${readBookmark} is at least the write's ${bookmark}`);

  const malformed = await send("GET", `/v1/organizations/${created.body.id}`, { key, headers: { "X-D1-Bookmark": "not-a-bookmark" } });
  assert.equal(malformed.status, 400, malformed.text);
  assert.equal(malformed.body.error.code, "invalid_bookmark");
  assert.equal(malformed.body.error.param, "X-D1-Bookmark");
});
