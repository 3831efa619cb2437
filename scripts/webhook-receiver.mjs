#!/usr/bin/env node
// A tiny local webhook receiver for trying the API (test mode accepts http://127.0.0.1 URLs).
// It verifies every request with seed 001's Node.js verifier, verbatim, and prints each event.
//
//   node scripts/webhook-receiver.mjs 9999 --secret whsec_…      (or WEBHOOK_SECRET=whsec_…)
//     --fail-times N   answer 500 to the first N attempts of each event, then 200
//     --always-fail    answer 500 to everything (the delivery ends failed; redeliver it later)
//     --verbose        print each body in full
//
// During a secret rotation, a receiver still holding the old secret verifies the
// X-Webhook-Signature-Previous header instead (same code, other header); this one tries both.
// Every request is also checked the Standard Webhooks way (webhook-id, webhook-timestamp,
// webhook-signature) with the `standardwebhooks` library, unchanged: both checks must pass.
import crypto from "node:crypto"; // the seed's `const crypto = require('crypto')`, in an ES module
import { createServer } from "node:http";
import { Webhook } from "standardwebhooks";

// ---- Seed 001 "Vérification de signature", Node.js, verbatim ----
function verifyWebhookSignature(payload, signature, secret) {
  const expectedSignature = crypto
    .createHmac('sha256', secret)
    .update(payload)
    .digest('hex');
  
  const expected = `sha256=${expectedSignature}`;
  
  return crypto.timingSafeEqual(
    Buffer.from(expected),
    Buffer.from(signature)
  );
}
// ---- end of seed 001 ----

function usage(message) {
  if (message) console.error(message);
  console.error("usage: node scripts/webhook-receiver.mjs <port> --secret whsec_… [--fail-times N | --always-fail] [--verbose]");
  process.exit(2);
}

const args = process.argv.slice(2);
const port = Number(args[0]);
if (!Number.isInteger(port) || port < 1 || port > 65535) usage("the first argument is the port to listen on, e.g. 9999");
const flag = (name) => args.includes(name);
const option = (name) => {
  const at = args.indexOf(name);
  return at === -1 ? undefined : args[at + 1];
};
const secret = option("--secret") ?? process.env.WEBHOOK_SECRET;
if (!secret || !secret.startsWith("whsec_")) usage("give the subscription's secret: --secret whsec_… (or WEBHOOK_SECRET=whsec_…)");
const failTimes = option("--fail-times") === undefined ? 0 : Number(option("--fail-times"));
if (!Number.isInteger(failTimes) || failTimes < 0) usage("--fail-times takes a whole number");
const alwaysFail = flag("--always-fail");
const verbose = flag("--verbose");

/** Signature check with the seed's function; a missing or malformed header is a failed check, not a crash. */
function verifies(payload, signature) {
  if (typeof signature !== "string") return false;
  try {
    return verifyWebhookSignature(payload, signature, secret);
  } catch {
    return false; // timingSafeEqual throws when the lengths differ
  }
}

const attemptsByEvent = new Map();

const server = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const payload = Buffer.concat(chunks); // the raw body, as express.raw() gives it to the seed's handler
    const time = new Date().toISOString().slice(11, 19);
    const viaCurrent = verifies(payload, req.headers["x-webhook-signature"]);
    const viaPrevious = !viaCurrent && verifies(payload, req.headers["x-webhook-signature-previous"]);
    if (!viaCurrent && !viaPrevious) {
      console.log(`${time} ✗ INVALID SIGNATURE  ${req.method} ${req.url}  (${payload.length} bytes) → 401`);
      res.writeHead(401, { "content-type": "text/plain" }).end("Invalid signature");
      return;
    }
    try {
      // Throws on a bad signature, or a webhook-timestamp more than 5 minutes away (replays).
      new Webhook(/** @type {string} */ (secret)).verify(payload.toString("utf8"), /** @type {Record<string, string>} */ (req.headers));
    } catch (err) {
      console.log(`${time} ✗ INVALID STANDARD WEBHOOKS SIGNATURE (${err.message})  ${req.method} ${req.url} → 401`);
      res.writeHead(401, { "content-type": "text/plain" }).end("Invalid signature");
      return;
    }
    let event;
    try {
      event = JSON.parse(payload.toString("utf8"));
    } catch {
      console.log(`${time} ✗ verified but not JSON → 400`);
      res.writeHead(400).end("Bad JSON");
      return;
    }
    const id = req.headers["x-webhook-id"];
    const seen = (attemptsByEvent.get(id) ?? 0) + 1;
    attemptsByEvent.set(id, seen);
    const fail = alwaysFail || seen <= failTimes;
    const d = event.data ?? {};
    const change = d.previous_status !== undefined || d.current_status !== undefined ? `  ${d.previous_status ?? "∅"} → ${d.current_status}` : "";
    const version = event.object_version === null || event.object_version === undefined ? "" : `  v${event.object_version}`;
    console.log(
      `${time} ✓ verified${viaPrevious ? " (previous secret)" : ""}  ${event.event_id}  ${event.event_type}${change}${version}` +
        `  attempt ${req.headers["x-webhook-attempt"] ?? "?"}${seen > 1 ? ` (seen ${seen}×)` : ""} → ${fail ? 500 : 200}`,
    );
    if (verbose) console.log(JSON.stringify(event, null, 2));
    res.writeHead(fail ? 500 : 200, { "content-type": "text/plain" }).end(fail ? "Simulated failure" : "OK");
  });
});

server.listen(port, "127.0.0.1", () => {
  const mode = alwaysFail ? "answering 500 to everything" : failTimes > 0 ? `answering 500 to the first ${failTimes} attempt(s) of each event` : "answering 200";
  console.log(`webhook receiver on http://127.0.0.1:${port}/ — verifying with seed 001's Node verifier and the standardwebhooks library, ${mode}`);
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.close(() => process.exit(0)));
