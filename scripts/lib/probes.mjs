// Latency probes for `npm run bench` (issue 16 §1): each endpoint called one request at a time
// (no load, no queueing), `samples` times, timed from the client (send → whole body read). Run
// once against the API as it is and, with `--model d1=50,do=10`, once more against the same state
// under the latency model (src/lib/latency-model.ts), so each endpoint's modeled p50/p95 reads
// next to the real one. The probes use a tenant of their own (seeded here, through the public API),
// so the load phase's thousands of invoices do not weigh on the lists and exports probed.
import { client, idempotencyKey, invoiceBody, percentile, pool, seedTenant } from "./api.mjs";
import { parseServerTiming } from "./dev-server.mjs";

/** Modeled p95 bounds (issue 16 §2): every endpoint under 200 ms, reads and the payment page under 80 ms. */
export const MODEL_BOUNDS = { any: 200, read: 80 };

/** `"d1=50,do=10"` → `{ d1: 50, do: 10 }` (the Worker parses the same string: src/lib/latency-model.ts). */
export function parseModel(spec) {
  const model = { d1: 0, do: 0 };
  for (const part of spec.split(",").map((p) => p.trim()).filter(Boolean)) {
    const m = /^(d1|do)=(\d+(?:\.\d+)?)$/.exec(part);
    if (!m) throw new Error(`--model: "${part}" is not d1=<ms> or do=<ms> (e.g. --model d1=50,do=10)`);
    model[m[1]] = Number(m[2]);
  }
  if (!model.d1 && !model.do) throw new Error(`--model: "${spec}" models no latency (e.g. --model d1=50,do=10)`);
  return model;
}

/**
 * Seeds the probes' tenant: a few issued invoices (lists, exports, stats), one with a payment page,
 * invoices that take many small links, and paid intents that take many small refunds (one per sample
 * and phase, so both phases find money to refund).
 */
export async function seedProbes(base, { samples, phases }) {
  const t = await seedTenant(base, { name: "Bench probes partner" });
  const A = t.api;
  const dept = t.dept.id;
  const issued = async (body) => A.ok("POST", `/v1/invoices/${(await A.ok("POST", "/v1/invoices", body)).id}/issue`);
  const invoices = await pool([...Array(6).keys()], 3, () => issued(invoiceBody(dept)));
  const pageLink = await A.ok("POST", "/v1/payment_links", { invoice_id: invoices[0].id, payment_methods: ["sepa_credit", "card"] });
  const linkInvoices = await pool([...Array(4).keys()], 3, () => issued(invoiceBody(dept, { unitPrice: 1_000_000 })));
  // Refunds: 1 cent each; an intent takes many, a few intents spread them as real traffic does.
  const paidIntents = await pool([...Array(4).keys()], 2, async () => {
    const inv = await issued(invoiceBody(dept, { unitPrice: 100_000 }));
    const link = await A.ok("POST", "/v1/payment_links", { invoice_id: inv.id, payment_methods: ["sepa_credit"] });
    const pi = await A.ok("POST", `/v1/sandbox/payment_intents/${link.payment_intent_id}/simulate`, { outcome: "succeeded" });
    if (pi.status !== "succeeded") throw new Error(`probe seed: intent ${pi.id} is ${pi.status}`);
    return pi.id;
  });
  return { t, dept, invoices, pageToken: new URL(pageLink.payment_page_url).pathname.split("/")[2], linkInvoices, paidIntents, samples, phases };
}

/**
 * The endpoints probed. `kind`: read (bound 80 ms modeled), page (the payment page, 80 ms), write
 * (200 ms). `setup` runs before each sample, untimed (a fresh draft to issue, a link to delete…),
 * against `base`: the API of the phase (the modeled one is a new `wrangler dev`).
 */
export function probeSet(seed, base) {
  const { t, dept, invoices, pageToken, linkInvoices, paidIntents } = seed;
  const A = client(base, { auth: t.auth, entity: t.org.id });
  const read = { authorization: t.auth, "x-entity-id": t.org.id };
  const json = { ...read, "content-type": "application/json" };
  const withKey = () => ({ ...json, "idempotency-key": idempotencyKey() });
  let n = 0;
  const linkBody = (more = {}) => JSON.stringify({ invoice_id: linkInvoices[n++ % linkInvoices.length].id, payment_methods: ["sepa_credit", "card"], amount: 100, ...more });
  const refundBody = () => JSON.stringify({ payment_intent_id: paidIntents[n++ % paidIntents.length], amount: 1, reason: "bench" });
  /** @param {string} path @param {Record<string, string>} [headers] */
  const get = (path, headers = read) => () => ({ method: "GET", path, headers });
  /**
   * @param {string} path
   * @param {string | (() => string)} body
   * @param {Record<string, string> | (() => Record<string, string>)} [headers]
   */
  const post = (path, body, headers = json) => () => ({ method: "POST", path, headers: typeof headers === "function" ? headers() : headers, body: typeof body === "function" ? body() : body });
  const invoice = JSON.stringify(invoiceBody(dept));
  return [
    { key: "get_invoice", label: "GET /v1/invoices/{id}", kind: "read", request: get(`/v1/invoices/${invoices[0].id}`) },
    { key: "list_invoices", label: "GET /v1/invoices?page_size=20", kind: "read", request: get("/v1/invoices?page_size=20") },
    { key: "payment_page", label: "GET /p/{token}", kind: "page", request: get(`/p/${pageToken}`, {}) },
    { key: "list_payments", label: "GET /v1/payments?page_size=20", kind: "read", request: get("/v1/payments?page_size=20") },
    { key: "get_balance", label: "GET /v1/balance", kind: "read", request: get("/v1/balance") },
    { key: "payment_stats", label: "GET /v1/payments/stats/summary", kind: "read", request: get("/v1/payments/stats/summary?period=month") },
    { key: "export_invoices_csv", label: "GET /v1/exports/invoices.csv", kind: "read", request: get("/v1/exports/invoices.csv") },
    { key: "invoice_pdf", label: "GET /v1/invoices/{id}/pdf", kind: "read", request: get(`/v1/invoices/${invoices[1].id}/pdf`) },
    { key: "list_messages", label: "GET /v1/messages", kind: "read", request: get("/v1/messages") },
    { key: "list_audit_logs", label: "GET /v1/audit_logs", kind: "read", request: get("/v1/audit_logs") },
    { key: "list_request_logs", label: "GET /v1/request_logs", kind: "read", request: get("/v1/request_logs") },
    // No X-Entity-Id: the chain spans the partner's organizations.
    { key: "verify_audit_logs", label: "GET /v1/audit_logs/verify", kind: "read", optional: true, request: get("/v1/audit_logs/verify", { authorization: t.auth }) },
    { key: "create_invoice", label: "POST /v1/invoices", kind: "write", request: post("/v1/invoices", invoice) },
    { key: "create_invoice_idem", label: "POST /v1/invoices + Idempotency-Key", kind: "write", request: post("/v1/invoices", invoice, withKey) },
    {
      key: "issue_invoice",
      label: "POST /v1/invoices/{id}/issue",
      kind: "write",
      setup: () => A.ok("POST", "/v1/invoices", invoiceBody(dept)),
      request: (draft) => ({ method: "POST", path: `/v1/invoices/${draft.id}/issue`, headers: read }),
    },
    {
      key: "cancel_invoice",
      label: "POST /v1/invoices/{id}/cancel",
      kind: "write",
      setup: async () => A.ok("POST", `/v1/invoices/${(await A.ok("POST", "/v1/invoices", invoiceBody(dept))).id}/issue`),
      request: (inv) => ({ method: "POST", path: `/v1/invoices/${inv.id}/cancel`, headers: json, body: JSON.stringify({ reason: "bench" }) }),
    },
    { key: "create_payment_link", label: "POST /v1/payment_links", kind: "write", request: post("/v1/payment_links", () => linkBody()) },
    { key: "create_payment_link_idem", label: "POST /v1/payment_links + Idempotency-Key", kind: "write", request: post("/v1/payment_links", () => linkBody(), withKey) },
    // `send` is for a payment request (no invoice): the link, its message and the queue hand-off.
    { key: "create_payment_link_send", label: "POST /v1/payment_links (request) with send", kind: "write", request: post("/v1/payment_links", JSON.stringify({ amount: 2500, description: "Caution salle des fêtes", payer: { name: "Jean Dupont", email: "jean.dupont@example.com" }, department_id: dept, send: { channel: "email" } })) },
    {
      key: "delete_payment_link",
      label: "DELETE /v1/payment_links/{id}",
      kind: "write",
      setup: () => A.ok("POST", "/v1/payment_links", JSON.parse(linkBody())),
      request: (link) => ({ method: "DELETE", path: `/v1/payment_links/${link.id}`, headers: read }),
    },
    { key: "create_refund", label: "POST /v1/refunds", kind: "write", request: post("/v1/refunds", refundBody) },
    { key: "create_refund_idem", label: "POST /v1/refunds + Idempotency-Key", kind: "write", request: post("/v1/refunds", refundBody, withKey) },
  ];
}

/**
 * One phase: every probe, `warmup` untimed calls then `samples` timed ones, one at a time. The
 * warm-up matters for the modeled phase: it runs on a freshly started isolate, whose first calls
 * of each route pay V8's compilation.
 */
export async function runProbes(base, probes, { samples, warmup = 2, only, log }) {
  const out = {};
  for (const p of probes) {
    if (only && !only.has(p.key)) continue;
    const latencies = [];
    const trips = [];
    let failure = null;
    let skipped = null;
    for (let i = -warmup; i < samples && !failure && !skipped; i++) {
      const state = p.setup ? await p.setup() : undefined;
      const r = p.request(state);
      const t0 = performance.now();
      const res = await fetch(`${base}${r.path}`, { method: r.method, headers: r.headers, body: r.body });
      const body = await res.arrayBuffer();
      const ms = performance.now() - t0;
      if (p.optional && i === -warmup && res.status === 404) {
        skipped = `answered 404: not in this build (${Buffer.from(body).toString("utf8").slice(0, 120)})`;
        break;
      }
      if (res.status < 200 || res.status > 299) {
        failure = `${res.status}: ${Buffer.from(body).toString("utf8").slice(0, 300)}`;
        break;
      }
      if (i < 0) continue;
      latencies.push(ms);
      trips.push(parseServerTiming(res.headers.get("server-timing")).sequential);
    }
    /** @type {number[]} */
    const counted = trips.filter((x) => x !== null);
    latencies.sort((a, b) => a - b);
    const r1 = (v) => (v === null || v === undefined ? null : Number(v.toFixed(1)));
    out[p.key] = {
      key: p.key,
      endpoint: p.label,
      kind: p.kind,
      samples: latencies.length,
      p50: r1(percentile(latencies, 0.5)),
      p95: r1(percentile(latencies, 0.95)),
      max: r1(latencies.at(-1)),
      storage_round_trips: counted.length && counted.length === trips.length ? Math.max(...counted) : null,
      failure,
      skipped,
    };
    const o = out[p.key];
    log(`  ${p.label}: ${skipped ? `skipped (${skipped})` : failure ? `FAILED ${failure.slice(0, 120)}` : `p50 ${o.p50} ms, p95 ${o.p95} ms over ${o.samples}`}`);
  }
  return out;
}

/** The modeled phase's verdicts: a failed or over-bound probe is a failure line naming it. */
export function modelVerdicts(real, modeled, model) {
  const rows = [];
  const failures = [];
  for (const [key, m] of Object.entries(modeled)) {
    const r = real[key];
    const bound = m.kind === "write" ? MODEL_BOUNDS.any : MODEL_BOUNDS.read;
    const ok = !m.failure && (m.skipped !== null || (m.p95 !== null && m.p95 < bound));
    const added = m.p50 !== null && r?.p50 != null ? Number((m.p50 - r.p50).toFixed(1)) : null;
    rows.push({ key, endpoint: m.endpoint, kind: m.kind, real_p50: r?.p50 ?? null, real_p95: r?.p95 ?? null, modeled_p50: m.p50, modeled_p95: m.p95, model_added_p50: added, storage_round_trips: m.storage_round_trips, bound_ms: bound, ok, skipped: m.skipped, failure: m.failure });
    if (m.failure) failures.push(`modeled (d1=${model.d1},do=${model.do}) ${m.endpoint}: the probe failed, ${m.failure}`);
    else if (!ok) failures.push(`modeled (d1=${model.d1},do=${model.do}) ${m.endpoint}: p95 ${m.p95} ms ≥ ${bound} ms (${m.kind === "write" ? "every endpoint" : m.kind === "page" ? "the payment page" : "a read"}); real p95 ${r?.p95 ?? "—"} ms; ${m.storage_round_trips ?? "?"} sequential round trips in Server-Timing`);
  }
  for (const [key, r] of Object.entries(real)) if (r.failure && !modeled[key]?.failure) failures.push(`${r.endpoint}: the probe failed, ${r.failure}`);
  return { rows, failures };
}
