// Layers that must not know each other (issue 11 §1): nothing under src/durable imports from
// src/services, nor the reverse — not even `import type`. What both need (the PaymentIntent RPC
// contract, the projection format, the tenant filters) lives in src/domain or src/db. Run by
// `npm test` (node --test), with TypeScript's parser so that every form of import is seen.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import ts from "typescript";

const root = path.resolve(import.meta.dirname, "../..");

/** Folders whose files must import nothing from the other. */
const APART = [["src/durable", "src/services"]];

/** Every module specifier of a file: imports, `import type`, re-exports, `import("…")` types and calls. */
export function specifiers(name, source) {
  const sf = ts.createSourceFile(name, source, ts.ScriptTarget.Latest, true, name.endsWith("x") ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const found = [];
  const visit = (n) => {
    if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) found.push(n.moduleSpecifier.text);
    if (ts.isImportEqualsDeclaration(n) && ts.isExternalModuleReference(n.moduleReference) && ts.isStringLiteral(n.moduleReference.expression)) found.push(n.moduleReference.expression.text);
    if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument) && ts.isStringLiteral(n.argument.literal)) found.push(n.argument.literal.text);
    if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword && n.arguments[0] && ts.isStringLiteral(n.arguments[0])) found.push(n.arguments[0].text);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}

function within(file, folder) {
  return file === folder || file.startsWith(`${folder}/`);
}

/**
 * `file: specifier` for every import that crosses a pair of APART folders, in either direction.
 * `files` are { name, source } with names relative to the repository (`src/durable/x.ts`).
 */
export function crossImports(files, apart = APART) {
  const found = [];
  for (const { name, source } of files) {
    for (const spec of specifiers(name, source)) {
      // Relative specifiers resolve against the file; `src/…` ones (a path alias) are taken as is.
      const target = spec.startsWith(".") ? path.posix.normalize(path.posix.join(path.posix.dirname(name), spec)) : spec;
      for (const [a, b] of apart) {
        if ((within(name, a) && within(target, b)) || (within(name, b) && within(target, a))) found.push(`${name}: ${spec}`);
      }
    }
  }
  return found;
}

function sources(dir) {
  return fs
    .readdirSync(path.join(root, dir), { recursive: true })
    .filter((f) => /\.(ts|tsx)$/.test(f))
    .map((f) => ({ name: path.posix.join(dir, f.split(path.sep).join("/")), source: fs.readFileSync(path.join(root, dir, f), "utf8") }));
}

test("src/durable and src/services import nothing from each other", () => {
  const files = [...sources("src/durable"), ...sources("src/services")];
  assert.ok(files.some((f) => f.name === "src/durable/payment-intent.ts"), "the PaymentIntent object is scanned");
  assert.ok(files.filter((f) => within(f.name, "src/services")).length > 40, "service files scanned");
  assert.deepEqual(crossImports(files), []);
});

// The checker must catch what it is for, or the test above could never fail.
test("the checker catches a planted import in either direction, in every form", () => {
  const planted = [
    { name: "src/services/refunds/refunds.ts", source: 'import type { RefundResult } from "../../durable/payment-intent";' },
    { name: "src/services/context.ts", source: 'import { PaymentIntent } from "../durable/payment-intent";' },
    { name: "src/services/a/b.ts", source: 'export type { X } from "../../durable/payment-intent/store";' },
    { name: "src/services/a/c.ts", source: 'type S = import("../../durable/payment-intent").PaymentIntent;' },
    { name: "src/services/a/d.ts", source: 'const m = await import("../../durable/partner-gate");' },
    { name: "src/durable/payment-intent.ts", source: 'import { project } from "../services/payment-intents/project";' },
    { name: "src/durable/payment-intent/outbox.ts", source: 'import type { ServiceContext } from "../../services/context";' },
    { name: "src/durable/x.ts", source: 'import { scoped } from "src/services/tenancy";' },
  ];
  assert.deepEqual(
    crossImports(planted),
    planted.map((p) => `${p.name}: ${specifiers(p.name, p.source)[0]}`),
  );
});

test("the checker lets each side import what both share", () => {
  const fine = [
    { name: "src/services/refunds/refunds.ts", source: 'import type { RefundResult } from "../../domain/payment-intent-rpc";\nimport { scoped } from "../tenancy";' },
    { name: "src/durable/payment-intent.ts", source: 'import { project } from "../db/projection/payment-intent";\nimport type { Env } from "../env";' },
    // A name that only looks like the other folder.
    { name: "src/durable/payment-intent/store.ts", source: 'import x from "../../services-like/thing";\nimport y from "./services/local";' },
    { name: "src/routes/refunds/create.ts", source: 'import type { IntentResult } from "../../durable/payment-intent";\nimport { createRefund } from "../../services/refunds/refunds";' },
  ];
  assert.deepEqual(crossImports(fine), []);
});

// Services and domain rules know no HTTP (issue 11 §5): the routes build the service context and
// app.ts maps domain errors to statuses, so nothing there imports Hono, the router and its
// OpenAPI helpers, the HTTP side of errors, a route or a middleware. Services declare their
// inputs with zod, whose OpenAPI-aware copy `@hono/zod-openapi` they may import.
const HTTP_FREE = ["src/services", "src/domain"];
const HTTP_SIDE = ["src/routes", "src/middleware", "src/app.ts", "src/lib/openapi.ts", "src/lib/http-errors.ts", "src/pages"];

/** `file: specifier` for every import of an HTTP-free file that reaches Hono or the HTTP side. */
export function httpImports(files) {
  const found = [];
  for (const { name, source } of files) {
    if (!HTTP_FREE.some((folder) => within(name, folder))) continue;
    for (const spec of specifiers(name, source)) {
      const target = spec.startsWith(".") ? path.posix.normalize(path.posix.join(path.posix.dirname(name), spec)) : spec;
      const resolved = target.replace(/\.(ts|tsx|js)$/, "");
      const hono = spec === "hono" || spec.startsWith("hono/");
      if (hono || HTTP_SIDE.some((side) => within(resolved, side.replace(/\.ts$/, "")))) found.push(`${name}: ${spec}`);
    }
  }
  return found;
}

test("src/services and src/domain import nothing from Hono or the HTTP side", () => {
  const files = [...sources("src/services"), ...sources("src/domain")];
  assert.ok(files.some((f) => f.name === "src/services/context.ts"), "the service context is scanned");
  assert.deepEqual(httpImports(files), []);
});

test("the HTTP checker catches a planted import and lets zod through", () => {
  const planted = [
    { name: "src/services/context.ts", source: 'import type { Context } from "hono";' },
    { name: "src/services/a/b.ts", source: 'import { HTTPException } from "hono/http-exception";' },
    { name: "src/services/a/c.ts", source: 'import { serviceContext } from "../../routes/context";' },
    { name: "src/services/a/d.ts", source: 'import { pageParams } from "../../lib/openapi";' },
    { name: "src/domain/x.ts", source: 'import { envelope } from "../lib/http-errors";' },
    { name: "src/domain/y.ts", source: 'import type { PartnerEnv } from "../middleware/auth";' },
  ];
  assert.deepEqual(
    httpImports(planted),
    planted.map((p) => `${p.name}: ${specifiers(p.name, p.source)[0]}`),
  );
  const fine = [
    { name: "src/services/a/e.ts", source: 'import { z } from "@hono/zod-openapi";\nimport { NotFound } from "../../lib/errors";\nimport { AddressSchema } from "../../lib/fields";' },
    { name: "src/routes/x/get.ts", source: 'import type { Context } from "hono";' },
  ];
  assert.deepEqual(httpImports(fine), []);
});
