// Tenancy by construction (issue 10 §5): every service statement on a tenant table goes
// through `scoped()` / `owner()` (src/services/tenancy.ts). Run by `npm test` (node --test).
import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { lintSources, lintTree, tenantTables } from "./tenancy-lint.mjs";

const root = path.resolve(import.meta.dirname, "../..");

test("every service query on a tenant table is scoped by partner, mode and organization", () => {
  const { tables, files, violations } = lintTree(root);
  assert.ok(tables.size >= 14, `tenant tables found in the schema: ${[...tables.keys()].join(", ")}`);
  assert.ok(files.length > 40, "service files scanned");
  const scanned = files.map((f) => path.relative(root, f).split(path.sep).join("/"));
  assert.ok(scanned.includes("src/db/projection/payment-intent.ts"), "the projection of payment intents is scanned");
  assert.ok(scanned.includes("src/durable/payment-intent/recover.ts"), "the PaymentIntent object's D1 reads are scanned");
  assert.deepEqual(
    violations.map((v) => `${v.file}:${v.line} ${v.kind} ${v.table} — ${v.text}`),
    [],
    "statements on tenant tables without scoped()/owner() (or a `// tenancy-exempt: why` comment)",
  );
});

// The checker itself must catch what it is for, or the test above could never fail.
const schema = `
const tenant = { partner_id: text("partner_id").notNull(), livemode: integer("livemode").notNull() };
export const invoices = sqliteTable("invoices", { id: text("id"), ...tenant, organization_id: text("organization_id") });
export const partners = sqliteTable("partners", { id: text("id") });
`;
const tables = tenantTables(schema);
const lint = (source) => lintSources([{ name: "svc.ts", source }], tables).map((v) => `${v.line}:${v.kind}:${v.table}`);

test("the checker reads tenant tables from the schema", () => {
  assert.deepEqual([...tables.keys()], ["invoices"]);
});

test("the checker flags unscoped reads, updates, inserts and raw SQL, and accepts scoped ones", () => {
  assert.deepEqual(lint(`const r = await ctx.db.select().from(invoices).where(eq(invoices.id, id));`), ["1:from:invoices"]);
  assert.deepEqual(lint(`await ctx.db.update(invoices).set({ status: "paid" }).where(eq(invoices.id, id));`), ["1:update:invoices"]);
  assert.deepEqual(lint(`await ctx.db.insert(invoices).values({ id, partner_id: p, livemode: l });`), ["1:insert:invoices"]);
  assert.deepEqual(lint("const g = sql`EXISTS (SELECT 1 FROM ${invoices} WHERE ${invoices.id} = ${id})`;"), ["1:raw sql:invoices"]);
  assert.deepEqual(lint(`await ctx.db.select().from(partners).where(eq(partners.id, id));`), [], "not a tenant table");
  assert.deepEqual(lint(`const r = await ctx.db.select().from(invoices).where(and(scoped(ctx, invoices, org), eq(invoices.id, id)));`), []);
  assert.deepEqual(lint(`await ctx.db.insert(invoices).values({ id, ...owner(ctx) });`), []);
  assert.deepEqual(lint("const g = sql`EXISTS (SELECT 1 FROM ${invoices} WHERE ${scoped(ctx, invoices, org)})`;"), []);
});

test("the checker follows where-variables and helpers, but one scoped query of a batch does not excuse another", () => {
  assert.deepEqual(lint(`const where = and(scoped(ctx, invoices, org), eq(invoices.status, s));\nconst r = await ctx.db.select().from(invoices).where(where);`), []);
  assert.deepEqual(lint(`function invoiceWhere(ctx, org, id) { return and(scoped(ctx, invoices, org), eq(invoices.id, id)); }\nawait ctx.db.select().from(invoices).where(invoiceWhere(ctx, o, i));`), []);
  assert.deepEqual(
    lint(`await ctx.db.batch([\n  ctx.db.select().from(invoices).where(scoped(ctx, invoices, org)),\n  ctx.db.select().from(invoices).where(eq(invoices.id, id)),\n]);`),
    ["3:from:invoices"],
  );
  assert.deepEqual(lint(`// tenancy-exempt: the hourly sweep covers every partner\nconst due = await db.select().from(invoices).where(eq(invoices.status, "issued"));`), []);
  assert.deepEqual(lint(`// tenancy-exempt:\nconst due = await db.select().from(invoices);`), ["2:from:invoices"], "an exemption must say why");
});
