import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MULTILINE_PATTERN, refusedCharacter, SINGLE_LINE_PATTERN } from "../../src/lib/text";
import { adminHeaders, call, createPartner, expectOk, SEED, seedInvoiceBody, seedWorld, type Tenant } from "../helpers/harness";

/**
 * Issue 10 §7 "Names are not normalized": free-text fields are stored in NFC and refuse control,
 * bidirectional-control and invisible characters and lone surrogates, 400 naming the field,
 * nothing written. (A payee named "Mairie de Lyon\u202E…" would display reversed on the payment
 * page; "Mairie\u200Bde Lyon" looks like another name.)
 */

const REFUSED: [label: string, char: string][] = [
  ["NUL", "\u0000"],
  ["a tab", "\t"],
  ["a newline", "\n"],
  ["a carriage return", "\r"],
  ["ESC", "\u001B"],
  ["DEL", "\u007F"],
  ["a C1 control (NEL)", "\u0085"],
  ["a right-to-left override", "\u202E"],
  ["a left-to-right embedding", "\u202A"],
  ["a right-to-left isolate", "\u2067"],
  ["a pop directional isolate", "\u2069"],
  ["a right-to-left mark", "\u200F"],
  ["a zero-width space", "\u200B"],
  ["a zero-width joiner", "\u200D"],
  ["a word joiner", "\u2060"],
  ["a byte-order mark", "\uFEFF"],
  ["a line separator", "\u2028"],
  ["a lone high surrogate", "\uD800"],
  ["a lone low surrogate", "\uDC00"],
];

/** Rows a refused request must not have added or changed, for this partner. */
async function written(partnerId: string) {
  return env.DB.prepare(
    `SELECT (SELECT count(*) FROM organizations WHERE partner_id = ?1) AS organizations,
            (SELECT count(*) FROM departments WHERE partner_id = ?1) AS departments,
            (SELECT count(*) FROM bank_accounts WHERE partner_id = ?1) AS bank_accounts,
            (SELECT count(*) FROM invoices WHERE partner_id = ?1) AS invoices,
            (SELECT count(*) FROM kyc_verifications WHERE partner_id = ?1) AS kyc,
            (SELECT count(*) FROM audit_logs WHERE partner_id = ?1) AS audit_logs,
            (SELECT max(updated_at) FROM organizations WHERE partner_id = ?1) AS organizations_updated`,
  )
    .bind(partnerId)
    .first();
}

function expectRefused(res: { status: number; body: any; text: string }, param: string) {
  expect(res.status, res.text).toBe(400);
  expect(res.body.error).toMatchObject({ type: "invalid_request_error", code: "invalid_parameter", param });
  expect(res.body.error.message).toMatch(/must not contain/);
}

describe("free-text fields refuse invisible and control characters (400 naming the field, nothing written)", () => {
  it.each(REFUSED)("an organization name with %s", async (_label, char) => {
    const t = await createPartner();
    const before = await written(t.partnerId);
    expectRefused(await call("/v1/organizations", { token: t.token, body: { ...SEED.organization, name: `Mairie${char}de Lyon` } }), "name");
    // At the end too: trimming must not silently drop it (a BOM is JavaScript whitespace).
    expectRefused(await call("/v1/organizations", { token: t.token, body: { ...SEED.organization, name: `Mairie de Lyon${char}` } }), "name");
    expect(await written(t.partnerId)).toEqual(before);
  });

  describe("in every kind of field", () => {
    const SAMPLE: [string, string][] = [
      ["NUL", "\u0000"],
      ["a right-to-left override", "\u202E"],
      ["a zero-width space", "\u200B"],
      ["a lone surrogate", "\uDBFF"],
    ];

    async function world(t: Tenant) {
      const w = await seedWorld(t);
      return { ...w, headers: { "x-entity-id": w.org.id } };
    }

    type Case = { field: string; param: string; send: (t: Tenant, w: Awaited<ReturnType<typeof world>>, bad: string) => Promise<any> };
    const cases: Case[] = [
      { field: "organization address city", param: "address.city", send: (t, _w, bad) => call("/v1/organizations", { token: t.token, body: { ...SEED.organization, address: { ...SEED.organization.address, city: `Ly${bad}on` } } }) },
      { field: "organization display name", param: "branding.display_name", send: (t, w, bad) => call(`/v1/organizations/${w.org.id}`, { method: "PATCH", token: t.token, body: { branding: { display_name: `Ville${bad}de Lyon` } } }) },
      { field: "organization metadata value", param: "metadata.ref", send: (t, w, bad) => call(`/v1/organizations/${w.org.id}`, { method: "PATCH", token: t.token, body: { metadata: { ref: `CRM${bad}4711` } } }) },
      { field: "department name", param: "name", send: (t, w, bad) => call(`/v1/organizations/${w.org.id}/departments`, { token: t.token, body: { ...SEED.department, code: "REG-2", name: `Régie${bad}` } }) },
      { field: "department description", param: "description", send: (t, w, bad) => call(`/v1/departments/${w.dept.id}`, { method: "PATCH", token: t.token, body: { description: `Eau${bad}potable` } }) },
      { field: "bank account holder", param: "account_name", send: (t, w, bad) => call(`/v1/departments/${w.dept.id}/bank_accounts`, { token: t.token, body: { ...SEED.bankAccount, iban: "FR7630006000011234567890189", account_name: `Compte${bad}Eau` } }) },
      { field: "KYC holder name", param: "account_holder_name", send: (t, w, bad) => call(`/v1/departments/${w.dept.id}/kyc`, { token: t.token, body: { account_holder_name: `Mairie${bad}de Lyon` } }) },
      { field: "payer name", param: "payer.name", send: (t, w, bad) => call("/v1/invoices", { token: t.token, headers: w.headers, body: { ...seedInvoiceBody(w.dept.id), payer: { ...seedInvoiceBody(w.dept.id).payer, name: `Jean${bad}Dupont` } } }) },
      { field: "payer address line", param: "payer.address.line1", send: (t, w, bad) => call("/v1/invoices", { token: t.token, headers: w.headers, body: { ...seedInvoiceBody(w.dept.id), payer: { ...seedInvoiceBody(w.dept.id).payer, address: { ...seedInvoiceBody(w.dept.id).payer.address, line1: `15 rue${bad}de la Paix` } } } }) },
      { field: "invoice line description", param: "line_items.0.description", send: (t, w, bad) => call("/v1/invoices", { token: t.token, headers: w.headers, body: { ...seedInvoiceBody(w.dept.id), line_items: [{ ...seedInvoiceBody(w.dept.id).line_items[0], description: `Eau${bad}T1` }] } }) },
      { field: "payment terms", param: "payment_terms", send: (t, w, bad) => call(`/v1/invoices/${w.invoice.id}`, { method: "PATCH", token: t.token, headers: w.headers, body: { payment_terms: `30${bad}jours` } }) },
      { field: "cancellation reason", param: "reason", send: (t, w, bad) => call(`/v1/invoices/${w.invoice.id}/cancel`, { token: t.token, headers: w.headers, body: { reason: `Erreur${bad}` } }) },
      { field: "webhook description", param: "description", send: (t, _w, bad) => call("/v1/webhook_subscriptions", { token: t.token, body: { url: "http://127.0.0.1:9999/hook", events: ["*"], description: `Prod${bad}` } }) },
      { field: "partner name (admin)", param: "name", send: (_t, _w, bad) => call("/v1/admin/partners", { headers: adminHeaders(), body: { name: `Acme${bad}` } }) },
    ];

    it.each(cases.map((c) => [c.field, c] as const))("%s", async (_field, c) => {
      const t = await createPartner();
      const w = await world(t);
      const before = await written(t.partnerId);
      for (const [label, bad] of SAMPLE) {
        const res = await c.send(t, w, bad);
        expect(res.status, `${label}: ${res.text}`).toBe(400);
        expect(res.body.error, label).toMatchObject({ code: "invalid_parameter", param: c.param });
      }
      expect(await written(t.partnerId)).toEqual(before);
    });
  });
});

describe("free text is stored in NFC", () => {
  it("a decomposed é (e + U+0301) is stored and shown as U+00E9; astral characters are fine", async () => {
    const t = await createPartner();
    const decomposed = "Re\u0301gie de l'Eau \u{1F4A7}";
    const org = await expectOk(await call("/v1/organizations", { token: t.token, body: { ...SEED.organization, name: "Mairie de Lyon", address: { ...SEED.organization.address, city: "Saint-E\u0301tienne" } } }), 201);
    expect(org.address.city).toBe("Saint-\u00C9tienne");
    const dept = await expectOk(await call(`/v1/organizations/${org.id}/departments`, { token: t.token, body: { ...SEED.department, name: decomposed } }), 201);
    expect(dept.name).toBe("R\u00E9gie de l'Eau \u{1F4A7}");
    const stored = await env.DB.prepare("SELECT name FROM departments WHERE id = ?").bind(dept.id).first<{ name: string }>();
    expect(stored!.name).toBe("R\u00E9gie de l'Eau \u{1F4A7}");
    expect(stored!.name.length).toBe(decomposed.length - 1);

    // Sealed payer data too: normalized before it is sealed.
    await expectOk(await call(`/v1/departments/${dept.id}/bank_accounts`, { token: t.token, body: SEED.bankAccount }), 201);
    const body = seedInvoiceBody(dept.id);
    const invoice = await expectOk(
      await call("/v1/invoices", { token: t.token, headers: { "x-entity-id": org.id }, body: { ...body, payer: { ...body.payer, name: "Ame\u0301lie Dupont" } } }),
      201,
    );
    expect(invoice.payer.name).toBe("Am\u00E9lie Dupont");
    const read = await expectOk(await call(`/v1/invoices/${invoice.id}`, { token: t.token, headers: { "x-entity-id": org.id } }));
    expect(read.payer.name).toBe("Am\u00E9lie Dupont");
  });

  it("descriptions may span lines (CR LF becomes LF) and hold tabs; names may not", async () => {
    const t = await createPartner();
    const w = await seedWorld(t);
    const updated = await expectOk(await call(`/v1/departments/${w.dept.id}`, { method: "PATCH", token: t.token, body: { description: "Eau potable\r\nAssainissement\tcollectif" } }));
    expect(updated.description).toBe("Eau potable\nAssainissement\tcollectif");
    expectRefused(await call(`/v1/departments/${w.dept.id}`, { method: "PATCH", token: t.token, body: { name: "Régie\nde l'Eau" } }), "name");
  });
});

describe("refusedCharacter", () => {
  it("names the first refused character and its position; accepts well-formed text", () => {
    expect(refusedCharacter("Mairie de Lyon — Régie n°1 \u{1F4A7} 中文 עברית")).toBeNull();
    expect(refusedCharacter("ab\u202Ecd")).toEqual({ index: 2, codePoint: 0x202e, kind: "a bidirectional control character" });
    expect(refusedCharacter("a\u0000")).toMatchObject({ kind: "NUL" });
    expect(refusedCharacter("\uD83D")).toMatchObject({ kind: "a lone surrogate" });
    expect(refusedCharacter("x\uDCA7")).toMatchObject({ index: 1, kind: "a lone surrogate" });
    expect(refusedCharacter("line\nline\tcol", true)).toBeNull();
    expect(refusedCharacter("line\nline", false)).toMatchObject({ kind: "a control character" });
    expect(refusedCharacter("line\u0000", true)).toMatchObject({ kind: "NUL" });
  });

  it("the documented OpenAPI patterns refuse exactly the same characters (every BMP code point but surrogates)", async () => {
    for (const [pattern, multiline] of [
      [SINGLE_LINE_PATTERN, false],
      [MULTILINE_PATTERN, true],
    ] as const) {
      const regex = new RegExp(pattern);
      const disagree: string[] = [];
      for (let c = 0; c <= 0xffff; c++) {
        if (c >= 0xd800 && c <= 0xdfff) continue;
        const char = String.fromCharCode(c);
        // A multi-line field takes a CR (it becomes LF), so its pattern lets CR through.
        const refused = refusedCharacter(char, multiline) !== null && !(multiline && c === 0x0d);
        if (regex.test(char) === refused) disagree.push(c.toString(16));
      }
      expect(disagree, pattern).toEqual([]);
    }
    const doc = (await call("/v1/openapi.json")).body;
    expect(doc.components.schemas.DepartmentCreate.properties.name.pattern).toBe(SINGLE_LINE_PATTERN);
    expect(doc.components.schemas.DepartmentCreate.properties.description.pattern).toBe(MULTILINE_PATTERN);
  });
});
