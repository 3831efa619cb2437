#!/usr/bin/env node
// `npm run readme:check`: runs README.md's walk-through (from "## Walk-through" to "## Conventions")
// against a running server, block after block in one bash, and fails when an output no longer matches
// what the README shows — so the README cannot drift from the API again (issue 17).
//
//   npm run dev                      # in one terminal
//   npm run readme:check             # in another: node scripts/readme-walk.mjs [--base URL] [--admin-key KEY]
//
// What runs. Every ```bash (or ```sh) block of those sections, in order, in ONE bash started with
// `set -euo pipefail`, so variables set by a block (ORG_ID=$(… | jq -r .id)) are there for the next
// ones, exactly as when a reader pastes the blocks into one terminal. B (the server) and ADMIN_KEY
// are exported first; the README's first block keeps them (`B=${B:-http://127.0.0.1:8787}`). The
// shell's working directory is a throw-away directory (files the walk-through writes, facture.pdf…,
// land there) holding a link to the repository's scripts/, so `node scripts/…` works. A command that
// fails (non-zero status, `set -e`) stops the walk: that is a failure too (with pipefail, so write
// `| sed -n 1,4p` rather than `| head -4`, whose early exit can kill the writer with SIGPIPE). Background jobs the blocks
// start (the webhook receiver) are killed at the end with the shell's process group. Variables the
// README reads with a default (WEBHOOK_PORT=${WEBHOOK_PORT:-9999}) can be set in the environment.
//
// What is checked. A block is cut into steps: the commands up to an expected output, i.e. a comment
// `# → …` (alone on its line or after a command), continued by the comment lines right after it that
// start with `#` and 3 or more spaces. Each step's standard output is compared with its expectation:
//   - a leading status `201 …` is the HTTP status of the step's last curl (curl is wrapped to report it);
//   - `422 some_code` (optionally followed by "message pattern") is an error envelope: that status,
//     `error.code` equal, `error.message` matching;
//   - `{…}` or `[…]` is a JSON pattern matched against any JSON document the step printed: objects
//     match when every listed field is there and matches (fields not listed are ignored; `…` among
//     the fields is only for the reader); arrays match when the listed items match elements in order,
//     with exactly as many elements unless `…` is one of the items; strings match exactly, `…` inside
//     one standing for any characters ("inv-…"); numbers, true, false and null exactly; `…` as a
//     value is any value, `{…}` any object;
//   - anything else is text that must appear in the output, `…` standing for any characters and
//     whitespace for any whitespace or none (CSV and XML lines, headers, file names);
//   - a trailing remark after two or more spaces, in parentheses, is for the reader and not checked.
// Prose comments are not checked. A command is skipped (printed, not run, counted as skipped, its
// expected output not checked) when the comment line right before it is
// `# (not run by readme:check: <reason>)`: for what cannot run headless (a browser) or would act
// behind the server's back (editing its database file).
//
// Exit status: 0 when every step ran and every expectation matched; 1 otherwise (each mismatch shows
// the README line, the expectation and what came out). Exported as walkReadme() for
// test/browser/readme.e2e.mjs, which runs it against a throw-away `wrangler dev`.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const STATUS_MARK = "__RW_STATUS__";
const DONE_MARK = "__RW_DONE__";
const SKIP_RE = /^\s*#\s*\(not run by readme:check:\s*(.+)\)\s*$/;
const EXPECT_RE = /^\s*# → (.*)$/;
const INLINE_EXPECT_RE = /^(.*\S)\s+# → (.*)$/;
const CONTINUATION_RE = /^\s*#\s{3,}(\S.*)$/;

/**
 * @typedef {{ text: string, line: number }} Expectation
 * @typedef {{ block: number, line: number, code: string[], commands: number, expectations: Expectation[], skip: string | null }} Step
 */

/** The walk-through's shell blocks: from "## Walk-through" to "## Conventions". */
export function extractBlocks(readme) {
  const lines = readme.split("\n");
  const start = lines.findIndex((l) => l.startsWith("## Walk-through"));
  const end = lines.findIndex((l, i) => i > start && l.startsWith("## Conventions"));
  if (start === -1 || end === -1) throw new Error('README.md: no "## Walk-through" … "## Conventions" section');
  /** @type {{ line: number, lines: string[] }[]} */
  const blocks = [];
  for (let i = start; i < end; i++) {
    if (!/^```(bash|sh)\s*$/.test(lines[i])) continue;
    const body = [];
    const first = i + 2; // 1-based number of the block's first line
    for (i++; i < end && !lines[i].startsWith("```"); i++) body.push(lines[i]);
    blocks.push({ line: first, lines: body });
  }
  return blocks;
}

/** True when `text` is a complete bash command list (no open quote, heredoc or continuation). */
function complete(text) {
  if (/\\\s*$/.test(text)) return false;
  return spawnSync("bash", ["-n", "-c", text], { stdio: "ignore" }).status === 0;
}

/** Cuts a block into steps (commands up to an expected output). */
export function parseSteps(block, blockIndex) {
  /** @type {Step[]} */
  const steps = [];
  /** @type {Step} */
  let step = newStep();
  let pending = /** @type {string[]} */ ([]);
  let skipNext = /** @type {string | null} */ (null);
  function newStep() {
    return { block: blockIndex, line: 0, code: [], commands: 0, expectations: [], skip: null };
  }
  function close() {
    if (step.code.length || step.expectations.length) steps.push(step);
    step = newStep();
  }
  for (let i = 0; i < block.lines.length; i++) {
    const raw = block.lines[i];
    const lineNo = block.line + i;
    const skip = SKIP_RE.exec(raw);
    if (skip && !pending.length) {
      if (step.code.length || step.expectations.length) close();
      skipNext = skip[1];
      continue;
    }
    const expect = pending.length ? null : EXPECT_RE.exec(raw);
    if (expect) {
      let text = expect[1];
      while (i + 1 < block.lines.length && CONTINUATION_RE.test(block.lines[i + 1])) text += " " + CONTINUATION_RE.exec(block.lines[++i])?.[1];
      step.expectations.push({ text: text.trim(), line: lineNo });
      continue;
    }
    if (!pending.length && (/^\s*$/.test(raw) || /^\s*#/.test(raw))) {
      if (step.expectations.length) close();
      continue; // prose
    }
    if (step.expectations.length || (step.skip && !pending.length)) close();
    pending.push(raw);
    if (!step.line) step.line = lineNo;
    const joined = pending.join("\n");
    if (!complete(joined)) continue;
    step.code.push(joined);
    step.commands++;
    if (skipNext) (step.skip = skipNext), (skipNext = null);
    pending = [];
    const inline = INLINE_EXPECT_RE.exec(raw);
    if (inline && !raw.trimStart().startsWith("#")) {
      let text = inline[2];
      while (i + 1 < block.lines.length && CONTINUATION_RE.test(block.lines[i + 1])) text += " " + CONTINUATION_RE.exec(block.lines[++i])?.[1];
      step.expectations.push({ text: text.trim(), line: lineNo });
    }
  }
  if (pending.length) throw new Error(`README.md:${block.line}: a command never ends (open quote or trailing \\):\n${pending.join("\n")}`);
  close();
  return steps;
}

// ---- patterns ----

const ANY = Symbol("any");

/** Parses a JSON pattern (JSON with `…` wildcards); returns the value and where it stopped. */
function parsePattern(text) {
  let at = 0;
  const ws = () => {
    while (at < text.length && /\s/.test(text[at])) at++;
  };
  const fail = (what) => {
    throw new Error(`bad JSON pattern at ${at} (${what}): ${text}`);
  };
  /** @returns {any} */
  const value = () => {
    ws();
    const c = text[at];
    if (c === "…") return at++, ANY;
    if (c === "{") {
      at++;
      /** @type {{ kind: "object", fields: [string, any][] }} */
      const obj = { kind: "object", fields: [] };
      for (;;) {
        ws();
        if (text[at] === "}") return at++, obj;
        if (text[at] === "…") at++;
        else {
          const key = string();
          if (typeof key !== "string") fail("a key with … in it");
          ws();
          if (text[at] !== ":") fail("expected :");
          at++;
          obj.fields.push([/** @type {string} */ (key), value()]);
        }
        ws();
        if (text[at] === ",") at++;
        else if (text[at] !== "}") fail("expected , or }");
      }
    }
    if (c === "[") {
      at++;
      /** @type {{ kind: "array", items: any[], open: boolean }} */
      const arr = { kind: "array", items: [], open: false };
      for (;;) {
        ws();
        if (text[at] === "]") return at++, arr;
        const item = value();
        if (item === ANY) arr.open = true;
        else arr.items.push(item);
        ws();
        if (text[at] === ",") at++;
        else if (text[at] !== "]") fail("expected , or ]");
      }
    }
    if (c === '"') return string();
    const literal = /^(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(at));
    if (!literal) fail("expected a value");
    at += /** @type {RegExpExecArray} */ (literal)[0].length;
    return JSON.parse(/** @type {RegExpExecArray} */ (literal)[0]);
  };
  /** A string; with `…` inside, a RegExp. */
  const string = () => {
    const m = /^"((?:[^"\\]|\\.)*)"/.exec(text.slice(at));
    if (!m) fail("expected a string");
    const m1 = /** @type {RegExpExecArray} */ (m);
    at += m1[0].length;
    const s = JSON.parse(`"${m1[1]}"`);
    if (!s.includes("…")) return s;
    return new RegExp(`^${s.split("…").map(escapeRegExp).join("[\\s\\S]*")}$`);
  };
  const result = value();
  ws();
  return { pattern: result, rest: text.slice(at) };
}

function escapeRegExp(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Does `actual` match the pattern? Returns null when it does, else the path and reason. */
function matchJson(pattern, actual, path = "$") {
  if (pattern === ANY) return actual === undefined ? `${path}: missing` : null;
  if (pattern instanceof RegExp) return typeof actual === "string" && pattern.test(actual) ? null : `${path}: ${JSON.stringify(actual)} does not match ${pattern}`;
  if (pattern !== null && typeof pattern === "object" && pattern.kind === "object") {
    if (actual === null || typeof actual !== "object" || Array.isArray(actual)) return `${path}: expected an object, got ${JSON.stringify(actual)}`;
    for (const [key, sub] of pattern.fields) {
      if (!(key in actual)) return `${path}.${key}: missing`;
      const why = matchJson(sub, actual[key], `${path}.${key}`);
      if (why) return why;
    }
    return null;
  }
  if (pattern !== null && typeof pattern === "object" && pattern.kind === "array") {
    if (!Array.isArray(actual)) return `${path}: expected an array, got ${JSON.stringify(actual)}`;
    if (!pattern.open && actual.length !== pattern.items.length) return `${path}: ${actual.length} items, the README shows ${pattern.items.length}`;
    let from = 0;
    for (const [n, item] of pattern.items.entries()) {
      let found = -1;
      let lastWhy = "";
      for (let k = from; k < actual.length && found === -1; k++) {
        const why = matchJson(item, actual[k], `${path}[${k}]`);
        if (!why) found = k;
        else lastWhy = why;
        if (!pattern.open) break;
      }
      if (found === -1) return lastWhy || `${path}: no item matching the README's item ${n}`;
      from = found + 1;
    }
    return null;
  }
  return Object.is(pattern, actual) ? null : `${path}: ${JSON.stringify(actual)}, the README shows ${JSON.stringify(pattern)}`;
}

/** Every JSON document in a step's output (one, several back to back, or among other text). */
function jsonDocuments(output) {
  const docs = [];
  for (let i = 0; i < output.length; i++) {
    if (output[i] !== "{" && output[i] !== "[") continue;
    // the balanced extent from here, strings skipped
    let depth = 0;
    let end = -1;
    for (let k = i, inString = false; k < output.length; k++) {
      const c = output[k];
      if (inString) {
        if (c === "\\") k++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === "{" || c === "[") depth++;
      else if (c === "}" || c === "]") {
        if (--depth === 0) {
          end = k;
          break;
        }
      }
    }
    if (end === -1) continue;
    try {
      docs.push(JSON.parse(output.slice(i, end + 1)));
      i = end;
    } catch {
      /* not JSON: try from the next character */
    }
  }
  return docs;
}

/** Checks one expectation against a step's output and last HTTP status; null when it matches. */
export function checkExpectation(text, output, status) {
  let rest = text.replace(/\s{2,}\(.*\)\s*$/, "").trim();
  const st = /^(\d{3})(?=\s|$)\s*/.exec(rest);
  if (st) {
    if (status !== Number(st[1])) return `HTTP status ${status ?? "(no curl)"}, the README shows ${st[1]}`;
    rest = rest.slice(st[0].length);
  }
  if (!rest) return null;
  const envelope = /^([a-z][a-z0-9_]+)(?:\s+"(.*)")?$/.exec(rest);
  if (st && envelope) {
    const doc = jsonDocuments(output).find((d) => d && typeof d === "object" && d.error);
    if (!doc) return `no error envelope in the output`;
    if (doc.error.code !== envelope[1]) return `error.code ${JSON.stringify(doc.error.code)}, the README shows ${envelope[1]}`;
    if (envelope[2] !== undefined) {
      const re = new RegExp(`^${envelope[2].split("…").map(escapeRegExp).join("[\\s\\S]*")}$`);
      if (!re.test(doc.error.message)) return `error.message ${JSON.stringify(doc.error.message)}, the README shows "${envelope[2]}"`;
    }
    return null;
  }
  if (/^[[{]/.test(rest)) {
    const { pattern, rest: after } = parsePattern(rest);
    if (after.trim()) throw new Error(`text after the JSON pattern (put remarks in parentheses after two spaces): ${after}`);
    const docs = jsonDocuments(output);
    if (!docs.length) return "no JSON in the output";
    const whys = docs.map((d) => matchJson(pattern, d));
    if (whys.some((w) => w === null)) return null;
    return whys[whys.length - 1];
  }
  const re = new RegExp(rest.split("…").map((part) => part.split(/\s+/).map(escapeRegExp).join("\\s*")).join("[\\s\\S]*?"));
  return re.test(output) ? null : "text not found in the output";
}

// ---- running ----

/**
 * Runs the walk-through against `base`. Returns counts and failures; never throws for a mismatch.
 * @param {{ base: string, adminKey: string, readmePath?: string, stepTimeoutMs?: number, env?: Record<string, string>, log?: (s: string) => void }} options
 */
export async function walkReadme({ base, adminKey, readmePath = join(ROOT, "README.md"), stepTimeoutMs = 90_000, env = {}, log = (s) => process.stdout.write(s + "\n") }) {
  const readme = readFileSync(readmePath, "utf8");
  const blocks = extractBlocks(readme);
  const steps = blocks.flatMap((b, i) => parseSteps(b, i));
  const dir = mkdtempSync(join(tmpdir(), "readme-walk-"));
  symlinkSync(join(ROOT, "scripts"), join(dir, "scripts"));
  const shell = spawn("bash", ["--noprofile", "--norc"], {
    cwd: dir,
    detached: true, // its own process group: background jobs (the webhook receiver) die with it
    env: { ...process.env, ...env, B: base, ADMIN_KEY: adminKey, RW_DIR: dir, LC_ALL: "C.UTF-8" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  let shellErr = "";
  let exited = /** @type {number | null | undefined} */ (undefined);
  /** @type {(() => void) | null} */
  let wake = null;
  shell.stdout.on("data", (d) => ((out += d), wake?.()));
  shell.stderr.on("data", (d) => (shellErr += d));
  shell.on("exit", (code) => ((exited = code), wake?.()));
  const send = (s) => shell.stdin.write(s);
  send(`set -euo pipefail\ncurl() { command curl -w '%{stderr}${STATUS_MARK} %{http_code}\\n' "$@"; }\nexport B ADMIN_KEY\n`);

  const result = { blocks: blocks.length, steps: steps.length, commands: 0, expectations: 0, skipped: 0, failures: /** @type {string[]} */ ([]) };
  const started = Date.now();
  try {
    for (const [n, step] of steps.entries()) {
      const where = `README.md:${step.line || step.expectations[0]?.line}`;
      if (step.skip) {
        result.skipped += step.commands;
        log(`- skip ${where} (${step.skip}): ${step.code[0].split("\n")[0]}`);
        continue;
      }
      if (!step.code.length) {
        result.failures.push(`${where}: an expected output with no command before it`);
        continue;
      }
      const outFile = join(dir, `step-${n}.out`);
      const errFile = join(dir, `step-${n}.err`);
      out = "";
      send(`{\n${step.code.join("\n")}\n} >${JSON.stringify(outFile)} 2>${JSON.stringify(errFile)} </dev/null\necho ${DONE_MARK} ${n}\n`);
      const deadline = Date.now() + stepTimeoutMs;
      while (!out.includes(`${DONE_MARK} ${n}`) && exited === undefined && Date.now() < deadline) {
        await new Promise((resolve) => {
          wake = () => resolve(undefined);
          setTimeout(resolve, 200);
        });
      }
      const stdout = existsSync(outFile) ? readFileSync(outFile, "utf8") : "";
      const stderrRaw = existsSync(errFile) ? readFileSync(errFile, "utf8") : "";
      const statuses = [...stderrRaw.matchAll(new RegExp(`${STATUS_MARK} (\\d{3})`, "g"))].map((m) => Number(m[1]));
      const stderr = stderrRaw.replace(new RegExp(`${STATUS_MARK} \\d{3}\\n?`, "g"), "");
      result.commands += step.commands;
      if (!out.includes(`${DONE_MARK} ${n}`)) {
        const why = exited !== undefined ? `the command failed (the shell stopped with status ${exited}, set -e)` : `no end after ${stepTimeoutMs / 1000} s`;
        result.failures.push(`${where}: ${why}\n${indent(step.code.join("\n"))}\n  stdout: ${clip(stdout)}\n  stderr: ${clip(stderr + shellErr)}`);
        break;
      }
      const status = statuses.length ? statuses[statuses.length - 1] : null;
      for (const e of step.expectations) {
        result.expectations++;
        let why;
        try {
          why = checkExpectation(e.text, stdout, status);
        } catch (err) {
          why = `cannot read the expectation: ${err.message}`;
        }
        if (why) result.failures.push(`README.md:${e.line}: ${why}\n  expected: ${e.text}\n  command:\n${indent(step.code.join("\n"))}\n  stdout: ${clip(stdout)}${stderr.trim() ? `\n  stderr: ${clip(stderr)}` : ""}`);
      }
      log(`${step.expectations.length ? "✓" : "·"} ${where} ${step.code[0].split("\n")[0].slice(0, 100)}`);
    }
  } finally {
    try {
      process.kill(-(/** @type {number} */ (shell.pid)), "SIGKILL");
    } catch {
      /* gone */
    }
    rmSync(dir, { recursive: true, force: true });
  }
  result.seconds = Math.round((Date.now() - started) / 100) / 10;
  return result;
}

const clip = (s) => (s.length > 1500 ? `${s.slice(0, 1500)}…(${s.length} chars)` : s).trimEnd();
const indent = (s) => s.replace(/^/gm, "    ");

function devVarsAdminKey() {
  try {
    const m = /^ADMIN_API_KEY\s*=\s*"?([^"\n]+)"?/m.exec(readFileSync(join(ROOT, ".dev.vars"), "utf8"));
    return m?.[1];
  } catch {
    return undefined;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const opt = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  const base = opt("--base") ?? process.env.B ?? `http://127.0.0.1:${process.env.PORT ?? 8787}`;
  const adminKey = opt("--admin-key") ?? process.env.ADMIN_KEY ?? devVarsAdminKey() ?? "dev_admin_key_change_me";
  try {
    const health = await fetch(`${base}/health`);
    if (!health.ok) throw new Error(`status ${health.status}`);
  } catch (e) {
    console.error(`readme:check: no server at ${base} (${e.message}). Start one with \`npm run dev\`, or pass --base URL.`);
    process.exit(1);
  }
  const r = await walkReadme({ base, adminKey, readmePath: opt("--readme") });
  const summary = `${r.blocks} blocks, ${r.steps} steps, ${r.commands} commands run, ${r.skipped} skipped, ${r.expectations} expected outputs checked in ${r.seconds} s`;
  if (r.failures.length) {
    console.error(`\n${r.failures.length} mismatch(es) between README.md and the API:\n\n${r.failures.join("\n\n")}\n\n${summary}`);
    process.exit(1);
  }
  console.log(`\nREADME walk-through OK: ${summary}`);
}
