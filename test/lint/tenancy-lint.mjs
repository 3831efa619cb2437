// Tenancy lint: every statement of src/services that reads or writes a tenant table (one with
// `partner_id` and `livemode` columns in src/db/schema.ts) must filter it through `scoped(…, T…)`
// (reads, updates, deletes) or take its owner columns from `owner(…)` (inserts). Raw SQL that
// names a tenant table (`${T}` in an sql`…` template) must carry `${scoped(…, T…)}` in the same
// template. A statement that legitimately spans tenants (a scheduled job sweeping every
// partner, a row located by the id of a row already checked) says why on the line above:
// `// tenancy-exempt: <reason>`.
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";

/** Tables with partner_id and livemode, read from the drizzle schema. */
export function tenantTables(schemaSource) {
  const sf = ts.createSourceFile("schema.ts", schemaSource, ts.ScriptTarget.Latest, true);
  const tables = new Map();
  const visit = (node) => {
    if (ts.isVariableDeclaration(node) && node.initializer && ts.isCallExpression(node.initializer)) {
      const call = node.initializer;
      if (ts.isIdentifier(call.expression) && call.expression.text === "sqliteTable" && call.arguments[1] && ts.isObjectLiteralExpression(call.arguments[1])) {
        // `...tenant` spreads partner_id and livemode (the schema's shared column group).
        const columns = call.arguments[1].properties.flatMap((p) =>
          ts.isSpreadAssignment(p) && ts.isIdentifier(p.expression) && p.expression.text === "tenant"
            ? ["partner_id", "livemode"]
            : p.name && ts.isIdentifier(p.name) ? [p.name.text] : [],
        );
        if (columns.includes("partner_id") && columns.includes("livemode")) {
          tables.set(node.name.getText(sf), { organization: columns.includes("organization_id") });
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return tables;
}

const READS = new Set(["from", "update", "delete", "innerJoin", "leftJoin"]);

/**
 * Violations in the given files ({ name, source }[]): [{ file, line, table, kind, text }].
 * A query is checked on its own builder chain (`db.select().from(T).where(…)`), so one scoped
 * query of a batch does not excuse another; names used in it (a `where` variable, a helper such
 * as `invoiceWhere(…)`) are followed to their definitions, across the files given.
 */
export function lintSources(sources, tables) {
  const files = sources.map(({ name, source }) => ({
    name,
    lines: source.split("\n"),
    sf: ts.createSourceFile(name, source, ts.ScriptTarget.Latest, true, name.endsWith("x") ? ts.ScriptKind.TSX : ts.ScriptKind.TS),
  }));
  const functions = new Map();
  for (const f of files) {
    const collect = (n) => {
      if (ts.isFunctionDeclaration(n) && n.name && n.body) push(functions, n.name.text, n.body);
      if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer && (ts.isArrowFunction(n.initializer) || ts.isFunctionExpression(n.initializer))) push(functions, n.name.text, n.initializer.body);
      ts.forEachChild(n, collect);
    };
    collect(f.sf);
  }
  const violations = [];
  for (const f of files) violations.push(...lintFile(f, tables, functions));
  return violations;
}

function push(map, key, value) {
  if (!map.has(key)) map.set(key, []);
  map.get(key).push(value);
}

function lintFile({ name, lines, sf }, tables, functions) {
  const violations = [];
  const variables = new Map();
  const collect = (n) => {
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer) push(variables, n.name.text, n.initializer);
    if (ts.isParameter(n) && ts.isIdentifier(n.name) && n.initializer) push(variables, n.name.text, n.initializer);
    ts.forEachChild(n, collect);
  };
  collect(sf);

  /** Does `root` (or what its names refer to) call `fn`, with `table` among its arguments when given? */
  const reaches = (root, fn, table, seen = new Set()) => {
    let found = false;
    const walk = (n) => {
      if (found) return;
      if (ts.isCallExpression(n)) {
        const callee = calleeName(n);
        if (callee === fn && (table === null || n.arguments.some((a) => ts.isIdentifier(a) && a.text === table))) {
          found = true;
          return;
        }
        if (ts.isIdentifier(n.expression) && !seen.has(`f:${callee}`)) {
          seen.add(`f:${callee}`);
          for (const body of functions.get(callee) ?? []) if (!found && reaches(body, fn, table, seen)) found = true;
        }
      }
      if (ts.isIdentifier(n) && !ts.isPropertyAccessExpression(n.parent) && !seen.has(`v:${n.text}`)) {
        seen.add(`v:${n.text}`);
        for (const init of variables.get(n.text) ?? []) if (!found && reaches(init, fn, table, seen)) found = true;
      }
      if (ts.isPropertyAccessExpression(n)) walk(n.expression);
      else ts.forEachChild(n, walk);
    };
    walk(root);
    return found;
  };
  const exempt = (node) => {
    const line = sf.getLineAndCharacterOfPosition(chainOf(node).getStart(sf)).line;
    if (/\/\/\s*tenancy-exempt:\s*\S/.test(lines[line] ?? "")) return true;
    for (let l = line - 1; l >= 0 && l >= line - 4; l--) {
      if (/\/\/\s*tenancy-exempt:\s*\S/.test(lines[l])) return true;
      if (!/^\s*(\/\/|\*|\/\*)/.test(lines[l])) break;
    }
    return false;
  };
  const report = (node, table, kind) => {
    if (exempt(node)) return;
    const { line } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
    violations.push({ file: name, line: line + 1, table, kind, text: lines[line].trim() });
  };

  const visit = (node) => {
    if (ts.isCallExpression(node)) {
      const callee = calleeName(node);
      const tableArg = (i) => {
        const a = node.arguments[i];
        return a && ts.isIdentifier(a) && tables.has(a.text) ? a.text : null;
      };
      if (ts.isPropertyAccessExpression(node.expression) && READS.has(callee)) {
        const table = tableArg(0);
        if (table && !reaches(chainOf(node), "scoped", table)) report(node, table, callee);
      } else if (ts.isPropertyAccessExpression(node.expression) && callee === "insert") {
        const table = tableArg(0);
        if (table && !reaches(chainOf(node), "owner", null)) report(node, table, "insert");
      } else if (callee === "insertWhere") {
        const table = tableArg(1);
        if (table && !reaches(node, "owner", null)) report(node, table, "insert");
      }
    }
    if (ts.isTaggedTemplateExpression(node) && ts.isIdentifier(node.tag) && node.tag.text === "sql" && ts.isTemplateExpression(node.template)) {
      for (const span of node.template.templateSpans) {
        const e = span.expression;
        if (ts.isIdentifier(e) && tables.has(e.text) && !reaches(node.template, "scoped", e.text)) report(node, e.text, "raw sql");
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return violations;
}

function calleeName(call) {
  const e = call.expression;
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  return "";
}

/** The outermost call of a query builder chain: `db.select().from(T).where(…).orderBy(…)`. */
function chainOf(node) {
  let n = node;
  for (;;) {
    const p = n.parent;
    if (p && ts.isPropertyAccessExpression(p) && p.expression === n) n = p;
    else if (p && ts.isCallExpression(p) && p.expression === n) n = p;
    else return n;
  }
}

/** Where code queries tenant tables: every statement there goes through scoped()/owner(). */
export const LINTED_DIRS = ["src/services", "src/db/projection", "src/durable"];

export function lintTree(root) {
  const tables = tenantTables(fs.readFileSync(path.join(root, "src/db/schema.ts"), "utf8"));
  const files = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (/\.tsx?$/.test(entry.name) && entry.name !== "tenancy.ts") files.push(p);
    }
  };
  // The projection of payment intents and the Durable Objects query tenant tables too (outside
  // src/services, so that neither imports the other).
  for (const dir of LINTED_DIRS) walk(path.join(root, dir));
  const sources = files.map((f) => ({ name: path.relative(root, f), source: fs.readFileSync(f, "utf8") }));
  return { tables, files, violations: lintSources(sources, tables) };
}
