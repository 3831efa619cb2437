// `npm run soak`: mixed traffic at 200 connections for a bounded time against one sandbox
// partner (reads, invoice creation + issue, payment links, sandbox payments, refunds, failed
// refunds, revocations, duplicated requests under one Idempotency-Key), then the invariants of
// DESIGN.md §2 checked through the public API. Then a fault run: the wrangler dev process group
// is SIGKILLed in the middle of payments and refunds, restarted on the same `--persist-to`
// state, the reconciliation is let run (the minute cron through `/__scheduled`, Durable Object
// alarms), the refunds sent with an Idempotency-Key that the kill left unanswered are retried
// with the same key and body once their claim may be taken over (65 s after the kill), and the
// same invariants are checked again, plus "a retried refund takes effect once".
//
// Prints a table per run (invariant, checked, violations) and exits non-zero if any invariant
// is violated. Everything on 127.0.0.1; bounded loops; child processes killed on any exit.
//
// Env: SOAK_DURATION (s, default 60), SOAK_CONNECTIONS (200), SOAK_FAULT_BEFORE (s of traffic
// before the kill, 10), SOAK_FAULT_AFTER (s of traffic after the restart, 10),
// SOAK_RECONCILE_WAIT (s from the kill until the last cron run, 140: the cron reconciles intents
// whose D1 row has not moved for 2 minutes), SOAK_SKIP_FAULT=1, SOAK_KEEP_STATE=1.
import { randomUUID } from "node:crypto";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SECRETS, invoiceBody, listAll, percentile, pool, seedTenant } from "./lib/api.mjs";
import { byKey, checkInvariants as checkSnapshot } from "./lib/invariants.mjs";
import { ROOT, applyMigrations, installCleanup, sleep, snapshotWorker, startDevServer, tempDir, writeEnvFile } from "./lib/dev-server.mjs";

const num = (name, fallback) => {
  const v = process.env[name];
  if (v === undefined || v === "") return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got ${v}`);
  return n;
};
const P = {
  duration: num("SOAK_DURATION", 60),
  connections: Math.round(num("SOAK_CONNECTIONS", 200)),
  faultBefore: num("SOAK_FAULT_BEFORE", 10),
  faultAfter: num("SOAK_FAULT_AFTER", 10),
  reconcileWait: num("SOAK_RECONCILE_WAIT", 140),
  skipFault: process.env.SOAK_SKIP_FAULT === "1",
};
/** Sandbox refunds settle 1.5 s after creation (src/durable/payment-intent.ts); generous margin. */
const REFUND_SETTLED_AFTER_MS = 30_000;
/** An event younger than this may still be on its way to the queue (the relay cron's grace is 30 s). */
const EVENT_GRACE_MS = 60_000;
const HOT = 40;

const t0 = Date.now();
const log = (...a) => console.log(`[soak ${((Date.now() - t0) / 1000).toFixed(0).padStart(3)} s]`, ...a);
const pick = (arr) => arr[Math.floor(Math.random() * arr.length)];
const hot = (arr) => (arr.length ? arr[arr.length - 1 - Math.floor(Math.random() * Math.min(HOT, arr.length))] : undefined);
const chance = (p) => Math.random() < p;

// ── traffic ─────────────────────────────────────────────────────────────────────────────

function newStats() {
  return { ops: {}, requests: 0, fiveXX: [], socketErrors: 0, socketSamples: [], unexpected: [], idempotency: { checked: 0, violations: [] } };
}

/** One HTTP call of the traffic; status 0 = no HTTP answer (socket error, timeout). */
async function req(api, stats, op, method, path, body, headers = {}, expected = [200, 201]) {
  const t = performance.now();
  let status = 0;
  let json;
  let text = "";
  try {
    const res = await fetch(`${api.base}${path}`, {
      method,
      headers: { authorization: api.auth, "x-entity-id": api.entity, ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers },
      body: body !== undefined ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(30_000),
    });
    text = await res.text();
    status = res.status;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  } catch (err) {
    text = String(err.cause?.code ?? err.cause?.message ?? err.message ?? err);
  }
  const ms = performance.now() - t;
  const o = (stats.ops[op] ??= { count: 0, statuses: {}, latencies: [] });
  o.count++;
  o.statuses[status] = (o.statuses[status] ?? 0) + 1;
  o.latencies.push(ms);
  stats.requests++;
  if (status === 0) {
    stats.socketErrors++;
    if (stats.socketSamples.length < 5) stats.socketSamples.push(`${op} ${method} ${path}: ${text}`);
  } else if (status >= 500) {
    if (stats.fiveXX.length < 50) stats.fiveXX.push({ op, method, path, status, body: text.slice(0, 400), request_id: json?.error?.request_id });
    else stats.fiveXX.push({ op, status });
  } else if (status >= 200 && status < 300 && json === undefined && !path.startsWith("/p/")) {
    if (stats.unexpected.length < 30) stats.unexpected.push({ op, method, path, status, body: `not JSON: ${text.slice(0, 300)}` });
    else stats.unexpected.push({ op, status });
  } else if (!expected.includes(status)) {
    if (stats.unexpected.length < 30) stats.unexpected.push({ op, method, path, status, body: text.slice(0, 300) });
    else stats.unexpected.push({ op, status });
  }
  return { status, body: json };
}

/**
 * What the traffic knows about the objects it made (only these are targeted).
 * @returns {{ invoices: any[], links: any[], paid: any[], refunds: any[], keyed?: { key: string, body: any, status: number }[] }}
 */
function newPools() {
  return { invoices: [], links: [], paid: [], refunds: [] };
}

const OPS = {
  async read(api, s, pools) {
    const inv = hot(pools.invoices);
    const link = hot(pools.links);
    const choice = Math.floor(Math.random() * 5);
    if (choice === 0 && inv) return req(api, s, "read", "GET", `/v1/invoices/${inv.id}`);
    if (choice === 1) return req(api, s, "read", "GET", "/v1/invoices?page_size=20");
    if (choice === 2 && link) return req(api, s, "read", "GET", `/v1/payment_intents/${link.pi}`);
    if (choice === 3 && link) return req(api, s, "read", "GET", `/p/${link.token}`, undefined, {}, [200, 410]);
    if (inv) return req(api, s, "read", "GET", `/v1/invoices/${inv.id}/payments`);
    return req(api, s, "read", "GET", "/v1/payment_intents?page_size=20");
  },
  async invoice(api, s, pools) {
    const body = invoiceBody(api.dept, { unitPrice: 1000 + Math.floor(Math.random() * 49_000), quantity: 1 + Math.floor(Math.random() * 3) });
    const draft = await req(api, s, "create invoice", "POST", "/v1/invoices", body, {}, [201]);
    if (draft.status !== 201 || !draft.body) return;
    const issued = await req(api, s, "issue invoice", "POST", `/v1/invoices/${draft.body.id}/issue`, undefined, {}, [200]);
    if (issued.status === 200 && issued.body) pools.invoices.push({ id: issued.body.id, total: issued.body.total_amount });
  },
  async link(api, s, pools) {
    const inv = hot(pools.invoices);
    if (!inv) return OPS.invoice(api, s, pools);
    const body = { invoice_id: inv.id, payment_methods: ["sepa_credit", "card"] };
    if (chance(0.5)) body.amount = 1 + Math.floor(Math.random() * Math.max(1, Math.floor(inv.total / 2)));
    const r = await req(api, s, "create link", "POST", "/v1/payment_links", body, {}, [201, 409, 422]);
    if (r.status === 201 && r.body) pools.links.push({ id: r.body.id, pi: r.body.payment_intent_id, token: new URL(r.body.payment_page_url).pathname.split("/")[2], invoice: inv.id });
  },
  async pay(api, s, pools) {
    const link = hot(pools.links);
    if (!link) return OPS.link(api, s, pools);
    const outcome = chance(0.85) ? "succeeded" : chance(0.6) ? "insufficient_funds" : "card_declined";
    const r = await req(api, s, "sandbox payment", "POST", `/v1/sandbox/payment_intents/${link.pi}/simulate`, { outcome }, {}, [200, 409]);
    if (r.status === 200 && r.body?.status === "succeeded") pools.paid.push({ pi: r.body.id, amount: r.body.amount_received });
  },
  async refund(api, s, pools) {
    const paid = hot(pools.paid);
    if (!paid) return OPS.pay(api, s, pools);
    const body = { payment_intent_id: paid.pi, reason: "soak" };
    const roll = Math.random();
    if (roll < 0.5) body.amount = 1 + Math.floor(Math.random() * Math.max(1, Math.floor(paid.amount / 3)));
    else if (roll < 0.7) body.amount = 1;
    const r = await req(api, s, "refund", "POST", "/v1/refunds", body, {}, [201, 409, 422]);
    if (r.status === 201 && r.body) pools.refunds.push({ id: r.body.id, at: Date.now() });
  },
  /**
   * A refund with an Idempotency-Key, remembered so that one cut by the kill can be retried with
   * the same key and body after the restart (as a client would), and counted by its reason.
   */
  async keyedRefund(api, s, pools) {
    const paid = hot(pools.paid);
    if (!paid) return OPS.pay(api, s, pools);
    const key = `soak-retry-${randomUUID()}`;
    const body = { payment_intent_id: paid.pi, amount: 1 + Math.floor(Math.random() * 50), reason: key };
    const r = await req(api, s, "refund with Idempotency-Key", "POST", "/v1/refunds", body, { "idempotency-key": key }, [201, 409, 422]);
    (pools.keyed ??= []).push({ key, body, status: r.status });
    if (r.status === 201 && r.body) pools.refunds.push({ id: r.body.id, at: Date.now() });
  },
  /** The same refund twice at once under one Idempotency-Key: at most one refund may come of it. */
  async duplicate(api, s, pools) {
    const paid = hot(pools.paid);
    if (!paid) return OPS.pay(api, s, pools);
    const key = `soak-${randomUUID()}`;
    const body = { payment_intent_id: paid.pi, amount: 1, reason: "soak duplicate" };
    const [a, b] = await Promise.all([0, 1].map(() => req(api, s, "refund ×2, one Idempotency-Key", "POST", "/v1/refunds", body, { "idempotency-key": key }, [201, 409, 422])));
    s.idempotency.checked++;
    const ids = new Set([a, b].filter((r) => r.status === 201 && r.body).map((r) => r.body.id));
    if (ids.size > 1) s.idempotency.violations.push(`key ${key}: two refunds ${[...ids].join(", ")}`);
    if (ids.size) pools.refunds.push({ id: [...ids][0], at: Date.now() });
  },
  async failRefund(api, s, pools) {
    const refund = pools.refunds.at(-1 - Math.floor(Math.random() * Math.min(10, pools.refunds.length)));
    if (!refund) return OPS.refund(api, s, pools);
    await req(api, s, "fail refund (sandbox)", "POST", `/v1/sandbox/refunds/${refund.id}/simulate`, { outcome: "failed" }, {}, [200, 409]);
  },
  async revoke(api, s, pools) {
    const link = hot(pools.links);
    if (!link) return OPS.link(api, s, pools);
    await req(api, s, "revoke link", "DELETE", `/v1/payment_links/${link.id}`, undefined, {}, [200, 409]);
  },
};

const NORMAL_MIX = { read: 25, invoice: 10, link: 17, pay: 17, refund: 17, duplicate: 3, failRefund: 4, revoke: 4 };
const FAULT_MIX = { read: 8, invoice: 8, link: 20, pay: 28, refund: 14, keyedRefund: 14, duplicate: 2, failRefund: 3, revoke: 3 };

function chooser(mix) {
  const entries = Object.entries(mix);
  const total = entries.reduce((n, [, w]) => n + w, 0);
  return () => {
    let r = Math.random() * total;
    for (const [op, w] of entries) if ((r -= w) < 0) return op;
    return entries[0][0];
  };
}

/** `connections` loops issuing operations until `until()` says stop (and at most `seconds`). */
async function traffic(api, { seconds, connections, mix, pools, stats, stop = () => false }) {
  const next = chooser(mix);
  const deadline = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      for (let i = 0; i < 100_000 && Date.now() < deadline && !stop(); i++) {
        const op = next();
        await OPS[op](api, stats, pools);
      }
    }),
  );
}

function trafficSummary(stats, seconds) {
  const rows = Object.entries(stats.ops).map(([op, o]) => {
    const l = o.latencies.sort((a, b) => a - b);
    return { op, count: o.count, statuses: o.statuses, p50: Math.round(percentile(l, 0.5)), p95: Math.round(percentile(l, 0.95)) };
  });
  return { requests: stats.requests, rps: Math.round(stats.requests / seconds), five_xx: stats.fiveXX.length, socket_errors: stats.socketErrors, unexpected_4xx: stats.unexpected.length, ops: rows };
}

/** Everything printed as a table also goes to bench/results/soak-latest.md. */
const MD = [];
function emit(text) {
  console.log(text);
  MD.push(text);
}

function printTraffic(label, summary) {
  const lines = [`\n${label}: ${summary.requests} requests (${summary.rps}/s), 5xx ${summary.five_xx}, socket errors ${summary.socket_errors}, unexpected statuses ${summary.unexpected_4xx}\n`];
  lines.push("| operation | requests | statuses | p50 ms | p95 ms |");
  lines.push("|---|---:|---|---:|---:|");
  for (const r of summary.ops) {
    lines.push(`| ${r.op} | ${r.count} | ${Object.entries(r.statuses).map(([k, v]) => `${k === "0" ? "no answer" : k}: ${v}`).join(", ")} | ${r.p50} | ${r.p95} |`);
  }
  emit(lines.join("\n"));
}

// ── invariants, through the API ─────────────────────────────────────────────────────────

class Table {
  rows = [];
  add(invariant, checked, violations, note = "") {
    this.rows.push({ invariant, checked, violations: violations.length, examples: violations.slice(0, 5), note });
  }
  get violated() {
    return this.rows.filter((r) => r.violations > 0);
  }
  print(label) {
    const lines = [`\n${label}\n`, "| invariant | checked | violations | |", "|---|---:|---:|---|"];
    for (const r of this.rows) lines.push(`| ${r.invariant} | ${r.checked} | ${r.violations} | ${r.violations ? "✗" : "✓"}${r.note ? ` ${r.note}` : ""} |`);
    for (const r of this.violated) lines.push(`\n- ✗ ${r.invariant}:\n${r.examples.map((e) => `    - ${e}`).join("\n")}`);
    emit(lines.join("\n"));
  }
}

/**
 * @param {string[] | null} [retriedKeys] the Idempotency-Keys of refunds retried after the crash
 */
async function checkInvariants(api, stats, label, retriedKeys = null) {
  const t = Date.now();
  const T = new Table();
  const now = Date.now();
  const [invoices, payments, intents, links, events, auditInvoice, auditIntent, auditRefund, auditLink, creditNotes] = await Promise.all([
    listAll(api, "/v1/invoices"),
    listAll(api, "/v1/payments"),
    listAll(api, "/v1/payment_intents"),
    listAll(api, "/v1/payment_links"),
    listAll(api.with({ entity: undefined }), "/v1/events"),
    listAll(api, "/v1/audit_logs?resource_type=invoice"),
    listAll(api, "/v1/audit_logs?resource_type=payment_intent"),
    listAll(api, "/v1/audit_logs?resource_type=refund"),
    listAll(api, "/v1/audit_logs?resource_type=payment_link"),
    listAll(api, "/v1/credit_notes"),
  ]);
  const withRefunds = intents.filter((i) => i.amount_received > 0);
  const refundsByIntent = new Map(
    await pool(withRefunds, 8, async (i) => [i.id, (await api.ok("GET", `/v1/payment_intents/${i.id}/refunds`)).data]),
  );
  const refunds = [...refundsByIntent.values()].flat();

  // 0. Under load.
  T.add("no 5xx under load", stats.requests, stats.fiveXX.map((f) => `${f.op} ${f.method} ${f.path} → ${f.status} ${f.body ?? ""} (${f.request_id ?? ""})`));
  T.add("Idempotency-Key: two concurrent identical refunds make at most one refund", stats.idempotency.checked, stats.idempotency.violations);

  // DESIGN.md §2's invariants over what the API shows: the definition the tests use too.
  const snapshot = { invoices, payments, intents, links, refunds, credit_notes: creditNotes, events, audit: { invoice: auditInvoice, payment_intent: auditIntent, refund: auditRefund, payment_link: auditLink } };
  for (const c of checkSnapshot(snapshot)) T.add(c.invariant, c.checked, c.violations);

  // What only a run under load and faults can check.
  if (retriedKeys) {
    const byReason = byKey(refunds, (r) => r.reason);
    const doubled = retriedKeys.filter((k) => (byReason.get(k)?.length ?? 0) > 1);
    T.add(
      "a refund retried with its Idempotency-Key after the crash takes effect once",
      retriedKeys.length,
      doubled.map((k) => `key ${k}: ${(byReason.get(k) ?? []).map((r) => `${r.id} ${r.amount} ${r.status}`).join(", ")}`),
    );
  }
  const stuck = refunds.filter((r) => r.status === "pending" && now - Date.parse(r.created_at) > REFUND_SETTLED_AFTER_MS);
  T.add("no refund left pending past its settlement (sandbox: 1.5 s)", refunds.length, stuck.map((r) => `${r.id} (${r.payment_intent_id}) pending since ${r.created_at}`));

  // The intent's Durable Object is the source of truth: ask it (a refund it must refuse, which
  // writes nothing) what remains refundable, and compare with what D1 shows.
  const probe = await pool(intents, 8, async (i) => {
    const res = await api.call("POST", "/v1/refunds", { payment_intent_id: i.id, amount: 1e15, reason: "soak probe" });
    const rs = refundsByIntent.get(i.id) ?? [];
    const d1Remaining = i.amount_received - rs.filter((r) => r.status !== "failed").reduce((n, r) => n + r.amount, 0);
    const d1Refundable = ["succeeded", "partially_refunded", "refunded"].includes(i.status);
    if (res.status === 422) {
      const m = /refundable on this payment: (\d+) cents/.exec(res.body?.error?.message ?? "");
      const doRemaining = m ? Number(m[1]) : NaN;
      if (!d1Refundable || doRemaining !== d1Remaining) return `${i.id}: the object says ${doRemaining} cents refundable, D1 shows ${i.status} with ${d1Remaining}`;
      return null;
    }
    if (res.status === 409 && res.body?.error?.code === "payment_intent_not_refundable") {
      return d1Refundable ? `${i.id}: the object refuses refunds (not paid), D1 shows ${i.status}` : null;
    }
    return `${i.id}: probe answered ${res.status} ${res.text.slice(0, 200)}`;
  });
  T.add("D1 agrees with each intent's Durable Object (refundable balance)", intents.length, probe.filter(Boolean));

  const undelivered = events.filter((e) => e.delivery_status === "pending" && now - Date.parse(e.created_at) > EVENT_GRACE_MS);
  T.add(
    "every committed event handed to the queue (delivery_status ≠ pending) or younger than 1 min",
    events.length,
    undelivered.map((e) => `${e.id} ${e.type} created ${e.created_at}: ${e.delivery_status}`),
    "(no subscription exists: `pending` means never enqueued)",
  );

  log(`${label}: invariants checked in ${((Date.now() - t) / 1000).toFixed(0)} s over ${invoices.length} invoices, ${links.length} links, ${intents.length} intents, ${payments.length} payments, ${refunds.length} refunds, ${events.length} events, ${auditInvoice.length + auditIntent.length + auditRefund.length + auditLink.length} audit entries`);
  return {
    table: T,
    counts: { invoices: invoices.length, links: links.length, intents: intents.length, payments: payments.length, refunds: refunds.length, events: events.length },
    ids: { refunds: refunds.map((r) => r.id), links: links.map((l) => l.id) },
  };
}

// ── runs ────────────────────────────────────────────────────────────────────────────────

async function cron(base, times = 1, gapMs = 0) {
  const out = [];
  for (let i = 0; i < times; i++) {
    const res = await fetch(`${base}/__scheduled?cron=*+*+*+*+*`).catch((e) => ({ status: 0, text: async () => String(e) }));
    out.push(res.status);
    await res.text();
    if (gapMs && i < times - 1) await sleep(gapMs);
  }
  return out;
}

async function main() {
  installCleanup();
  log(`parameters: ${JSON.stringify(P)}`);
  const state = tempDir("soak-state-", process.env.SOAK_KEEP_STATE === "1");
  const envFile = writeEnvFile(state, SECRETS);
  const snap = snapshotWorker("soak-worker-");
  log(`worker sources frozen for the run (${snap.files} files, digest ${snap.digest})`);
  applyMigrations({ persistTo: state, cwd: snap.dir });
  let server = await startDevServer({ label: "api", cwd: snap.dir, persistTo: state, envFile, testScheduled: true });
  log(`api ${server.base} up in ${server.startupMs} ms (state ${state})`);
  try {
    return await soak(server, { state, envFile, cwd: snap.dir, digest: snap.digest }, (s) => (server = s));
  } finally {
    await server.stop();
  }
}

async function soak(first, { state, envFile, cwd, digest }, setServer) {
  let server = first;
  const t = await seedTenant(server.base, { name: "Soak partner" });
  const api = Object.assign(t.api, { dept: t.dept.id });
  /** @type {{ date: string, parameters: typeof P, source_digest: string, runs: any[], total_seconds?: number, ok?: boolean }} */
  const report = { date: new Date().toISOString(), parameters: P, source_digest: digest, runs: [] };

  // Seed: enough objects for every operation to find a target from the first second.
  const pools = newPools();
  const seedStats = newStats();
  await pool([...Array(30).keys()], 6, () => OPS.invoice(api, seedStats, pools));
  await pool([...Array(30).keys()], 6, () => OPS.link(api, seedStats, pools));
  await pool([...Array(20).keys()], 6, () => OPS.pay(api, seedStats, pools));
  log(`seeded: ${pools.invoices.length} invoices, ${pools.links.length} links, ${pools.paid.length} paid intents`);

  // ── normal run ──
  log(`normal run: ${P.duration} s at ${P.connections} connections`);
  const stats = newStats();
  const tn = Date.now();
  await traffic(api, { seconds: P.duration, connections: P.connections, mix: NORMAL_MIX, pools, stats });
  const normalTraffic = trafficSummary(stats, (Date.now() - tn) / 1000);
  printTraffic("normal run traffic", normalTraffic);
  await sleep(3000); // refunds settle after 1.5 s
  await cron(server.base, 1);
  const normal = await checkInvariants(api, stats, "normal run");
  normal.table.print(`normal run — invariants (${P.duration} s at ${P.connections} connections)`);
  report.runs.push({ run: "normal", traffic: normalTraffic, unexpected: stats.unexpected.slice(0, 30), socket_samples: stats.socketSamples, invariants: normal.table.rows, counts: normal.counts });

  if (!P.skipFault) {
    // ── fault run: SIGKILL in the middle of payments and refunds ──
    const fstats = newStats();
    log(`fault run: ${P.faultBefore} s of payment/refund-heavy traffic at ${P.connections} connections, then SIGKILL of the wrangler process group`);
    let killed = false;
    let killedAt = 0;
    const load = traffic(api, { seconds: P.faultBefore + 3, connections: P.connections, mix: FAULT_MIX, pools, stats: fstats, stop: () => killed && Date.now() - killedAt > 1000 });
    await sleep(P.faultBefore * 1000);
    const inFlight = fstats.requests;
    await server.kill();
    killed = true;
    killedAt = Date.now();
    log(`killed (SIGKILL, process group ${server.pid}) after ${inFlight} requests of the fault run`);
    await load;
    const beforeKill = trafficSummary(fstats, P.faultBefore);
    printTraffic("fault run traffic up to the kill (socket errors = requests cut by the kill)", beforeKill);

    const t1 = Date.now();
    server = await startDevServer({ label: "api (restarted)", cwd, persistTo: state, envFile, testScheduled: true, port: server.port });
    setServer(server);
    log(`restarted on the same state and port in ${Date.now() - t1} ms`);

    // Traffic after the restart only touches objects made after it: whatever the kill left
    // behind is for the reconciliation alone (cron + alarms) to repair.
    const after = newStats();
    const freshPools = newPools();
    await pool([...Array(10).keys()], 6, () => OPS.invoice(api, after, freshPools));
    await traffic(api, { seconds: P.faultAfter, connections: P.connections, mix: FAULT_MIX, pools: freshPools, stats: after });
    const afterSummary = trafficSummary(after, P.faultAfter);
    printTraffic("fault run traffic after the restart", afterSummary);

    // Reconciliation: the minute cron (outbox relay, stale intents), and the objects' alarms.
    const cronRuns = [];
    const until = killedAt + P.reconcileWait * 1000;
    log(`reconciliation: the minute cron every 15 s until ${P.reconcileWait} s after the kill (stale intents are those untouched for 2 minutes)`);
    // Refunds sent with an Idempotency-Key that the kill left unanswered are retried, same key
    // and body, once their claim may be taken over (a minute after it was made).
    const cut = (pools.keyed ?? []).filter((k) => k.status === 0);
    let retried = null;
    for (let i = 0; i < 100 && Date.now() < until; i++) {
      cronRuns.push(...(await cron(server.base, 1)));
      if (!retried && Date.now() > killedAt + 65_000) {
        const rstats = newStats();
        const answers = await pool(cut, 8, (k) => req(api, rstats, "retry after the crash", "POST", "/v1/refunds", k.body, { "idempotency-key": k.key }, [201, 409, 422]));
        retried = { count: cut.length, statuses: answers.reduce((m, a) => ((m[a.status] = (m[a.status] ?? 0) + 1), m), {}) };
        log(`retried ${cut.length} refunds the kill left unanswered, with their Idempotency-Key: ${JSON.stringify(retried.statuses)}`);
      }
      await sleep(Math.min(15_000, Math.max(0, until - Date.now())));
    }
    cronRuns.push(...(await cron(server.base, 3, 2000)));
    await sleep(3000);
    log(`cron runs: ${cronRuns.length} (${[...new Set(cronRuns)].join(", ")})`);

    // 5xx and idempotency over the whole fault run (before the kill and after the restart).
    const merged = newStats();
    for (const s of [fstats, after]) {
      merged.requests += s.requests;
      merged.fiveXX.push(...s.fiveXX);
      merged.idempotency.checked += s.idempotency.checked;
      merged.idempotency.violations.push(...s.idempotency.violations);
    }
    const fault = await checkInvariants(api, merged, "fault run", retried ? cut.map((k) => k.key) : null);
    // Requests the kill cut (no answer) that took effect all the same: what a client retrying
    // without an Idempotency-Key would double.
    const answeredRefunds = new Set([...pools.refunds, ...freshPools.refunds].map((r) => r.id));
    const answeredLinks = new Set([...pools.links, ...freshPools.links].map((l) => l.id));
    const silentRefunds = fault.ids.refunds.filter((id) => !answeredRefunds.has(id)).length;
    const silentLinks = fault.ids.links.filter((id) => !answeredLinks.has(id)).length;
    emit(`\nRequests left without an answer (cut by the kill) that took effect all the same: ${silentRefunds} refunds, ${silentLinks} payment links — a client retrying them without an Idempotency-Key makes another.`);
    fault.table.print(`fault run — invariants (SIGKILL after ${P.faultBefore} s, restart, ${cronRuns.length} cron runs over ${P.reconcileWait} s)`);
    report.runs.push({
      run: "fault",
      killed_after_requests: inFlight,
      restart_ms: server.startupMs,
      cron_runs: cronRuns.length,
      retried_after_crash: retried,
      unanswered_but_committed: { refunds: silentRefunds, payment_links: silentLinks },
      traffic_before_kill: beforeKill,
      traffic_after_restart: afterSummary,
      unexpected: [...fstats.unexpected, ...after.unexpected].slice(0, 30),
      socket_samples: fstats.socketSamples,
      invariants: fault.table.rows,
      counts: fault.counts,
    });
  }

  report.total_seconds = Math.round((Date.now() - t0) / 1000);
  const violated = report.runs.flatMap((r) => r.invariants.filter((i) => i.violations > 0).map((i) => `${r.run}: ${i.invariant} (${i.violations})`));
  report.ok = violated.length === 0;
  writeReport(report);
  if (violated.length) {
    console.error(`\nsoak FAILED: ${violated.length} invariant(s) violated:\n${violated.map((v) => `  ✗ ${v}`).join("\n")}`);
    return 1;
  }
  console.log(`\nsoak OK: every invariant held${P.skipFault ? " (fault run skipped)" : " in the normal and the fault run"}.`);
  return 0;
}

function writeReport(report) {
  const dir = join(ROOT, "bench", "results");
  mkdirSync(dir, { recursive: true });
  const head = [
    `## Soak — ${report.date.slice(0, 16).replace("T", " ")} UTC`,
    "",
    `${report.parameters.connections} connections, ${report.parameters.duration} s of mixed traffic; fault run: SIGKILL of the wrangler dev process group after ${report.parameters.faultBefore} s of payment/refund-heavy traffic, restart on the same state, ${report.parameters.faultAfter} s of traffic, reconciliation (minute cron + alarms) until ${report.parameters.reconcileWait} s after the kill. Worker sources digest ${report.source_digest}. Whole run: ${report.total_seconds} s. Verdict: ${report.ok ? "every invariant held" : "INVARIANTS VIOLATED"}.`,
  ];
  for (const [name, content] of [
    ["soak-latest.json", `${JSON.stringify(report, null, 2)}\n`],
    ["soak-latest.md", `${[...head, ...MD].join("\n")}\n`],
  ]) {
    const tmp = join(dir, `${name}.tmp`);
    writeFileSync(tmp, content);
    renameSync(tmp, join(dir, name));
  }
  log("results: bench/results/soak-latest.json, bench/results/soak-latest.md");
}

main().then(
  (code) => {
    log(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    process.exit(code);
  },
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
