import { env } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import { DrizzleQueryError } from "drizzle-orm/errors";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createDb } from "../../src/db/client";
import { describeError, log, logLine, redactPath } from "../../src/lib/log";

/** The log helper (issue 10 §2): JSON lines that never carry bound parameters, page tokens, secrets or bodies. */

const EMAIL = "jean.dupont@example.com";
const IBAN = "FR7612345678901234567890123";
const TOKEN = "q7Zk2mWc9XbR4tLp8VnY3sHd6FgJ1aQe";

afterEach(() => {
  vi.restoreAllMocks();
});

/** Everything the helper wrote to the console during `run`, parsed. */
function captured(run: () => void): Record<string, unknown>[] {
  const lines: string[] = [];
  for (const method of ["log", "warn", "error"] as const) vi.spyOn(console, method).mockImplementation((line: unknown) => void lines.push(String(line)));
  run();
  return lines.map((l) => JSON.parse(l));
}

describe("log", () => {
  it("writes one JSON line with level, message, request_id and the fields", () => {
    const [line] = captured(() => log.warn("event publish deferred to the relay", { request_id: "req_abc", event_ids: ["evt-1"], attempts: 2 }));
    expect(line).toEqual({ level: "warn", message: "event publish deferred to the relay", request_id: "req_abc", event_ids: ["evt-1"], attempts: 2 });
  });

  it("a drizzle query error: the SQL stays, the bound parameters (an email, an IBAN) and the driver's cause values go", () => {
    const cause = new Error(`D1_ERROR: UNIQUE constraint failed: invoices.payer_email_hash (${EMAIL}): SQLITE_CONSTRAINT`);
    const err = new DrizzleQueryError('insert into "invoices" ("id", "payer") values (?, ?)', ["inv-1", `{"email":"${EMAIL}","iban":"${IBAN}"}`], cause);
    const line = captured(() => log.error("unhandled error", { request_id: "req_1", error: err }))[0]!;
    const text = JSON.stringify(line);
    expect(text).not.toContain(EMAIL);
    expect(text).not.toContain(IBAN);
    expect(text).not.toContain("inv-1");
    expect(line).toMatchObject({ level: "error", message: "unhandled error", request_id: "req_1" });
    expect(line.error).toBe('Error: Failed query: insert into "invoices" ("id", "payer") values (?, ?)\nparams: [redacted]');
    expect(line.cause).toBe("Error: D1_ERROR: UNIQUE constraint failed: invoices.payer_email_hash ([email]): SQLITE_CONSTRAINT");
    expect(Array.isArray(line.stack)).toBe(true);
  });

  it("a real failed query through drizzle on D1 logs no bound value", async () => {
    const error = await createDb(env.DB)
      .run(sql`SELECT * FROM no_such_table WHERE email = ${EMAIL} AND iban = ${IBAN}`)
      .then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(String(error)).toContain(EMAIL); // what a naive String(err) would have logged
    const text = JSON.stringify(captured(() => log.error("query failed", { error })));
    expect(text).toContain("no_such_table");
    expect(text).not.toContain(EMAIL);
    expect(text).not.toContain(IBAN);
  });

  it("a payment page path keeps its shape but not its token, in a path field, a message or a URL", () => {
    expect(redactPath(`/p/${TOKEN}/card/3ds`)).toBe("/p/[token]/card/3ds");
    expect(redactPath(`/p/${TOKEN}`)).toBe("/p/[token]");
    expect(redactPath("/v1/invoices/inv-1")).toBe("/v1/invoices/inv-1");
    const lines = captured(() => {
      log.error("payment page: unhandled error", { path: redactPath(`/p/${TOKEN}/bank`) });
      log.error(`GET /p/${TOKEN}/qr.svg failed`, { url: `https://pay.example/p/${TOKEN}?lang=fr` });
      log.error("raw path", { path: `/p/${TOKEN}/pay` });
    });
    expect(JSON.stringify(lines)).not.toContain(TOKEN);
    expect(lines[0]!.path).toBe("/p/[token]/bank");
    expect(lines[1]).toMatchObject({ message: "GET /p/[token]/qr.svg failed", url: "https://pay.example/p/[token]?lang=fr" });
  });

  it("secrets and card numbers in any string are masked; bodies, headers and secret-named fields are never written", () => {
    const secrets = [
      "whsec_8f7d6c5b4a39281706f5e4d3c2b1a09f",
      "cs_test_Q2xpZW50U2VjcmV0MTIzNDU2Nzg5MA",
      "sk_live_U2VjcmV0S2V5QWJjZGVmZ2hpams",
      "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJwdG4ifQ.c2lnbmF0dXJl",
      "FR76 3000 6000 0112 3456 7890 189",
      IBAN,
      "4242 4242 4242 4242",
      "4000000000003220",
      EMAIL,
    ];
    const [line] = captured(() =>
      log.info(`retry with ${secrets[0]}`, {
        note: secrets.join(" | "),
        nested: { list: [`Bearer ${secrets[1]}`, { deep: secrets[2] }] },
        body: { payer: { email: EMAIL } },
        headers: { authorization: `Bearer ${secrets[3]}` },
        client_secret: "anything",
        password: "hunter2",
        token: TOKEN,
      }),
    );
    const text = JSON.stringify(line);
    for (const s of [...secrets, "hunter2", TOKEN, "anything"]) expect(text).not.toContain(s);
    expect(line).toMatchObject({ body: "[redacted]", headers: "[redacted]", client_secret: "[redacted]", password: "[redacted]", token: "[redacted]" });
  });

  it("a field cannot pass itself off as the line's level or message; non-errors thrown are described too", () => {
    expect(JSON.parse(logLine("info", "m", { message: "other", level: "debug" }))).toEqual({ level: "info", message: "m", field_message: "other", field_level: "debug" });
    expect(describeError(`failed: params: ${EMAIL}`)).toEqual({ error: "failed: params: [redacted]" });
  });
});
