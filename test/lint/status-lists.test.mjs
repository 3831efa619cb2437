// A status list is written once, in src/domain/ (issue 11 §3): the drizzle schema, the zod
// schemas, the Durable Object, the pages and the SQL use the domain's lists and maps, so a status
// added or a rule changed there reaches every layer. Outside src/domain/ this fails on a list of
// two or more values of one domain status list written out again: an array (`z.enum([…])`,
// `inArray(…, […])`, `[…].includes(s)`), an SQL `IN ('…', '…')`, or a comparison chain
// (`s === "a" || s === "b"`). Run by `npm run lint:code` (node --test), with TypeScript's parser.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import ts from "typescript";

const root = path.resolve(import.meta.dirname, "../..");

/** Lists named `…_STATUSES`, `…_OUTCOMES` or `…_REASONS` in src/domain: name → values. */
const LIST_NAME = /_(STATUSES|OUTCOMES|REASONS)$/;

function parse(name, source) {
  return ts.createSourceFile(name, source, ts.ScriptTarget.Latest, true, name.endsWith("x") ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
}

/** Strips `as const`, `satisfies …` and parentheses. */
function bare(node) {
  while (node && (ts.isAsExpression(node) || ts.isSatisfiesExpression(node) || ts.isParenthesizedExpression(node))) node = node.expression;
  return node;
}

export function domainLists(files) {
  const pending = new Map();
  for (const { name, source } of files) {
    const visit = (n) => {
      if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && LIST_NAME.test(n.name.text) && n.initializer) {
        const init = bare(n.initializer);
        if (init && ts.isArrayLiteralExpression(init)) pending.set(n.name.text, init.elements);
      }
      ts.forEachChild(n, visit);
    };
    visit(parse(name, source));
  }
  // `[...KYC_STATUSES, "unverified"]`: spreads of other lists resolve once those are known.
  const lists = new Map();
  for (let round = 0; round < 5 && lists.size < pending.size; round++) {
    for (const [listName, elements] of pending) {
      if (lists.has(listName)) continue;
      const values = [];
      let known = true;
      for (const e of elements) {
        if (ts.isStringLiteral(e)) values.push(e.text);
        else if (ts.isSpreadElement(e) && ts.isIdentifier(e.expression) && lists.has(e.expression.text)) values.push(...lists.get(e.expression.text));
        else known = false;
      }
      if (known) lists.set(listName, values);
    }
  }
  return lists;
}

/** The domain list every value belongs to, if two or more values are given. */
function listOf(values, lists) {
  if (values.length < 2) return null;
  for (const [name, list] of lists) if (values.every((v) => list.includes(v))) return name;
  return null;
}

const SQL_IN = /\bIN\s*\(\s*('[a-z_]+'(?:\s*,\s*'[a-z_]+')+)\s*\)/gi;

/** `{ file, line, kind, list, text }` for every status list written outside src/domain. */
export function restatedLists(files, lists) {
  const found = [];
  for (const { name, source } of files) {
    const sf = parse(name, source);
    const report = (node, kind, values) => {
      const list = listOf(values, lists);
      if (list) found.push({ file: name, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, kind, list, text: values.join(", ") });
    };
    /** `x === "a"` (or `!==`): [x's text, "a"]. */
    const comparison = (n, op) => {
      n = bare(n);
      if (!ts.isBinaryExpression(n) || n.operatorToken.kind !== op) return null;
      if (ts.isStringLiteral(n.right)) return [n.left.getText(sf), n.right.text];
      if (ts.isStringLiteral(n.left)) return [n.right.getText(sf), n.left.text];
      return null;
    };
    const chain = (n, logical, op) => {
      n = bare(n);
      if (ts.isBinaryExpression(n) && n.operatorToken.kind === logical) {
        const left = chain(n.left, logical, op);
        const right = chain(n.right, logical, op);
        return left && right ? [...left, ...right] : null;
      }
      const c = comparison(n, op);
      return c ? [c] : null;
    };
    const visit = (n) => {
      if (ts.isArrayLiteralExpression(n) && n.elements.length >= 2 && n.elements.every((e) => ts.isStringLiteral(e))) {
        report(n, "array", n.elements.map((e) => e.text));
      }
      if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n) || ts.isTemplateHead(n) || ts.isTemplateMiddle(n) || ts.isTemplateTail(n)) {
        for (const m of n.text.matchAll(SQL_IN)) report(n, "sql in", m[1].split(",").map((v) => v.trim().slice(1, -1)));
      }
      if (ts.isBinaryExpression(n) && !(ts.isBinaryExpression(n.parent) && n.parent.operatorToken.kind === n.operatorToken.kind)) {
        for (const [logical, op] of [
          [ts.SyntaxKind.BarBarToken, ts.SyntaxKind.EqualsEqualsEqualsToken],
          [ts.SyntaxKind.AmpersandAmpersandToken, ts.SyntaxKind.ExclamationEqualsEqualsToken],
        ]) {
          if (n.operatorToken.kind !== logical) continue;
          const terms = chain(n, logical, op);
          // Several comparisons of one expression: `s.status === "a" || s.status === "b"`.
          if (terms && new Set(terms.map(([subject]) => subject)).size === 1) report(n, "comparisons", terms.map(([, value]) => value));
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return found;
}

function sources(folder, keep) {
  const out = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith(".d.ts")) {
        const name = path.relative(root, full).split(path.sep).join("/");
        if (keep(name)) out.push({ name, source: fs.readFileSync(full, "utf8") });
      }
    }
  };
  walk(path.join(root, folder));
  return out;
}

test("every status list is written once, in src/domain/", () => {
  const lists = domainLists(sources("src/domain", () => true));
  for (const expected of ["INVOICE_STATUSES", "INTENT_STATUSES", "REFUND_STATUSES", "PAYMENT_LINK_STATUSES", "PAYMENT_STATUSES", "KYC_STATUSES", "WEBHOOK_DELIVERY_STATUSES"]) {
    assert.ok(lists.has(expected), `${expected} read from src/domain (found: ${[...lists.keys()].join(", ")})`);
  }
  const outside = sources("src", (name) => !name.startsWith("src/domain/"));
  assert.ok(outside.length > 100, "files scanned outside src/domain");
  assert.deepEqual(
    restatedLists(outside, lists).map((f) => `${f.file}:${f.line} ${f.kind} (${f.list}): ${f.text}`),
    [],
    "status lists written outside src/domain/: import the domain's list, map or predicate instead",
  );
});

// The checker itself must catch what it is for, or the test above could never fail.
const lists = domainLists([
  {
    name: "src/domain/x.ts",
    source: `export const INVOICE_STATUSES = ["draft", "issued", "paid"] as const;
export const KYC_STATUSES = ["pending", "verified"] as const;
export const ACCOUNT_VERIFICATION_STATUSES = ["unverified", ...KYC_STATUSES] as const;
export const SCOPES = ["a", "b"] as const;`,
  },
]);
const check = (source) => restatedLists([{ name: "src/services/x.ts", source }], lists).map((f) => `${f.line}:${f.kind}:${f.list}`);

test("the checker reads the domain's lists, spreads included", () => {
  assert.deepEqual([...lists.keys()].sort(), ["ACCOUNT_VERIFICATION_STATUSES", "INVOICE_STATUSES", "KYC_STATUSES"]);
  assert.deepEqual(lists.get("ACCOUNT_VERIFICATION_STATUSES"), ["unverified", "pending", "verified"]);
});

test("the checker flags arrays, SQL IN lists and comparison chains of statuses, and nothing else", () => {
  assert.deepEqual(check(`const PAYABLE = ["issued", "paid"] as const;`), ["1:array:INVOICE_STATUSES"]);
  assert.deepEqual(check(`const s = z.enum(["unverified", "verified"]);`), ["1:array:ACCOUNT_VERIFICATION_STATUSES"]);
  assert.deepEqual(check("const g = sql`${invoices.status} IN ('issued', 'paid')`;"), ["1:sql in:INVOICE_STATUSES"]);
  assert.deepEqual(check(`if (s.status === "draft" || s.status === "paid") x();`), ["1:comparisons:INVOICE_STATUSES"]);
  assert.deepEqual(check(`if (s.status !== "draft" && s.status !== "paid") x();`), ["1:comparisons:INVOICE_STATUSES"]);
  assert.deepEqual(check(`const a = ["issued"];\nconst b = ["issued", "other"];\nconst c = ["test", "live"];`), [], "one status, or not all statuses of one list");
  assert.deepEqual(check(`if (a.status === "draft" || b.status === "paid") x();\nif (s === "draft") y();`), [], "different subjects, or a single comparison");
  assert.deepEqual(check(`const p = inArray(invoices.status, [...OVERDUE]);`), []);
});
