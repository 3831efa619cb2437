// The typed async iterator over the API's paged lists (page / page_size, pagination.total_pages).
import assert from "node:assert/strict";
import { test } from "node:test";
import { Paiements } from "@paiements/sdk";
import { envelope, scriptedServer } from "./server.mjs";

/** A newest-first list of `items`, paged the API's way. */
function pagedList(items) {
  return (r) => {
    const page = Number(r.query.page ?? 1);
    const size = Number(r.query.page_size ?? 20);
    const data = items.slice((page - 1) * size, page * size);
    return { status: 200, body: { data, pagination: { page, page_size: size, total_items: items.length, total_pages: Math.ceil(items.length / size) } } };
  };
}

test("list yields every item of every page, in order, and asks for no page past the last", async (t) => {
  const items = Array.from({ length: 250 }, (_, i) => ({ id: `inv-${String(i).padStart(3, "0")}`, object: "invoice" }));
  const api = await scriptedServer(pagedList(items));
  t.after(api.close);
  const pay = new Paiements({ baseUrl: api.base, apiKey: "sk_test_x", entityId: "org-1" });
  const seen = [];
  for await (const invoice of pay.list("/v1/invoices", { params: { query: { status: "issued" } } })) seen.push(invoice.id);
  assert.deepEqual(seen, items.map((i) => i.id));
  assert.deepEqual(api.requests.map((r) => r.query), [1, 2, 3].map((page) => ({ status: "issued", page_size: "100", page: String(page) })));
  assert.ok(api.requests.every((r) => r.headers["x-entity-id"] === "org-1"));
});

test("list honours the caller's page_size and starting page; an empty list asks once", async (t) => {
  const items = Array.from({ length: 7 }, (_, i) => ({ id: `evt-${i}` }));
  const api = await scriptedServer(pagedList(items));
  t.after(api.close);
  const pay = new Paiements({ baseUrl: api.base, apiKey: "sk_test_x" });
  const seen = [];
  for await (const event of pay.list("/v1/events", { params: { query: { page_size: 3, page: 2 } } })) seen.push(event.id);
  assert.deepEqual(seen, ["evt-3", "evt-4", "evt-5", "evt-6"]);
  assert.deepEqual(api.requests.map((r) => r.query.page), ["2", "3"]);

  const empty = await scriptedServer(pagedList([]));
  t.after(empty.close);
  const none = [];
  for await (const event of new Paiements({ baseUrl: empty.base, apiKey: "k" }).list("/v1/events")) none.push(event);
  assert.deepEqual(none, []);
  assert.equal(empty.requests.length, 1);
});

test("an object created while iterating (pushing older ones a page down) is not yielded twice", async (t) => {
  const items = Array.from({ length: 4 }, (_, i) => ({ id: `evt-${i}` }));
  const list = pagedList(items);
  const api = await scriptedServer((r, i) => {
    if (i === 1) items.unshift({ id: "evt-new" }); // between page 1 and page 2
    return list(r);
  });
  t.after(api.close);
  const seen = [];
  for await (const event of new Paiements({ baseUrl: api.base, apiKey: "k" }).list("/v1/events", { params: { query: { page_size: 2 } } })) seen.push(event.id);
  assert.deepEqual(seen, ["evt-0", "evt-1", "evt-2", "evt-3"]);
});

test("breaking out of the loop stops fetching; a failing page throws its PaiementsError", async (t) => {
  const items = Array.from({ length: 10 }, (_, i) => ({ id: `evt-${i}` }));
  const list = pagedList(items);
  const api = await scriptedServer((r) => (r.query.page === "3" ? envelope(403, "permission_error", "insufficient_scope", "needs webhooks:read") : list(r)));
  t.after(api.close);
  const pay = new Paiements({ baseUrl: api.base, apiKey: "k" });
  for await (const event of pay.list("/v1/events", { params: { query: { page_size: 2 } } })) if (event.id === "evt-1") break;
  assert.equal(api.requests.length, 1);
  const seen = [];
  await assert.rejects(
    (async () => {
      for await (const event of pay.list("/v1/events", { params: { query: { page_size: 2 } } })) seen.push(event.id);
    })(),
    (e) => e.status === 403 && e.code === "insufficient_scope",
  );
  assert.deepEqual(seen, ["evt-0", "evt-1", "evt-2", "evt-3"]);
});
