import { describe, expect, it } from "vitest";
// The file as the repository holds it now (Vite reads it from disk), next to what the Worker serves.
import raw from "../CHANGELOG.md?raw";
import { parseChangelog } from "../src/routes/support/changelog-markdown";
import { changelogHtml, inlineHtml } from "../src/routes/support/changelog-page";
import { prefersJson } from "../src/routes/support/changelog";
import { call } from "./helpers/harness";


/** The file's releases and bullets, read with nothing but line patterns (not the Worker's parser). */
function linesOf(text: string) {
  const releases: { heading: string; bullets: string[] }[] = [];
  let bullet: string[] | null = null;
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith("## ")) releases.push({ heading: line.slice(3).trim(), bullets: [] });
    else if (line.startsWith("- ")) releases.at(-1)!.bullets.push((bullet = [line.slice(2).trim()]).join(" "));
    else if (bullet && /^ {2}\S/.test(line)) {
      bullet.push(line.trim());
      const r = releases.at(-1)!;
      r.bullets[r.bullets.length - 1] = bullet.join(" ");
    } else bullet = null;
  }
  return releases;
}

describe("CHANGELOG.md", () => {
  it("is within the subset /changelog understands, newest first, unreleased on top", () => {
    const log = parseChangelog(raw);
    expect(log.problems).toEqual([]);
    expect(log.releases[0]!.version).toBe("unreleased");
    const dates = log.releases.map((r) => r.date).filter((d): d is string => d !== null);
    expect(dates).toEqual([...dates].sort().reverse());
  });
});

describe("GET /changelog", () => {
  it("answers JSON with Accept: application/json: every release and every change of CHANGELOG.md, in its order", async () => {
    const res = await call("/changelog", { headers: { accept: "application/json" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(res.headers.get("vary")).toContain("Accept");
    expect(res.body.object).toBe("list");
    // Fails when CHANGELOG.md changes and the bundled /changelog does not follow (or drops a line).
    const expected = linesOf(raw);
    expect(res.body.data.map((r: { version: string | null; date: string | null }) => (r.version === "unreleased" ? "Unreleased" : r.date))).toEqual(
      expected.map((r) => r.heading),
    );
    expect(res.body.data.map((r: { changes: { text: string }[] }) => r.changes.map((c) => c.text))).toEqual(expected.map((r) => r.bullets));
    for (const r of res.body.data) {
      expect(r.object).toBe("changelog_release");
      for (const c of r.changes) expect(["added", "changed", "deprecated", "removed", "fixed", "security"]).toContain(c.kind);
    }
    // The entries of issue 17 are there (this helper's own, at least).
    expect(res.body.data[0].changes).toContainEqual(expect.objectContaining({ kind: "added", text: expect.stringContaining("`GET /changelog`") }));
  });

  it("answers an HTML page otherwise, every change in it, escaped, under a CSP that runs nothing", async () => {
    const res = await call("/changelog", { headers: { accept: "text/html,application/xhtml+xml,*/*;q=0.8" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain("script-src");
    expect(res.text).not.toContain("<script");
    for (const r of linesOf(raw)) {
      expect(res.text).toContain(`<h2>${r.heading === "Unreleased" ? "Unreleased" : r.heading}</h2>`);
      for (const b of r.bullets) expect(res.text).toContain(`<li>${inlineHtml(b)}</li>`);
    }
    expect(res.text).toContain("<code>GET /changelog</code>");
  });

  it("sends the pages' security headers: a fresh style nonce matching its one <style>, no framing, nosniff, no referrer; still cacheable", async () => {
    const nonces = new Set<string>();
    for (let i = 0; i < 2; i++) {
      const res = await call("/changelog", { headers: { accept: "text/html" } });
      const csp = res.headers.get("content-security-policy") ?? "";
      const nonce = /style-src 'nonce-([A-Za-z0-9]+)'/.exec(csp)?.[1];
      expect(nonce, csp).toBeDefined();
      expect(csp).toContain("frame-ancestors 'none'");
      expect(res.text).toContain(`<style nonce="${nonce}">`);
      expect(res.text.match(/<style/g)).toHaveLength(1);
      nonces.add(nonce!);
      expect(res.headers.get("x-frame-options")).toBe("DENY");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("referrer-policy")).toBe("no-referrer");
      expect(res.headers.get("cross-origin-opener-policy")).toBe("same-origin");
      expect(res.headers.get("permissions-policy")).toMatch(/camera=\(\)/);
      // A public page: unlike the payment pages (no-store), caches may keep it.
      expect(res.headers.get("cache-control")).toBe("public, max-age=300");
    }
    expect(nonces.size).toBe(2);
  });

  it("chooses JSON only when Accept prefers application/json to text/html", () => {
    expect(prefersJson("application/json")).toBe(true);
    expect(prefersJson("application/json, text/plain, */*")).toBe(true);
    expect(prefersJson("text/html;q=0.5, application/json")).toBe(true);
    expect(prefersJson("text/html, application/json;q=0.9")).toBe(false);
    expect(prefersJson("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")).toBe(false);
    expect(prefersJson("*/*")).toBe(false);
    expect(prefersJson(undefined)).toBe(false);
    expect(prefersJson("application/json;q=0")).toBe(false);
  });

  it("is in the OpenAPI document, without authentication", async () => {
    const op = (await call("/v1/openapi.json")).body.paths["/changelog"]?.get;
    expect(op?.operationId).toBe("getChangelog");
    expect(op.security).toEqual([]);
    expect(Object.keys(op.responses["200"].content).sort()).toEqual(["application/json", "text/html"]);
  });
});

describe("the changelog's markdown subset", () => {
  const SAMPLE = [
    "# Changelog",
    "",
    "Intro with `code`.",
    "",
    "## Unreleased",
    "",
    "### Fixed",
    "- A <script>alert(1)</script> & \"quote\"",
    "  continued on a second line.",
    "- [a link](https://example.com/x?a=1&b=2), [a path](/docs), [no](javascript:alert(1))",
    "",
    "## [1.1.0] - 2026-12-05",
    "",
    "### Added",
    "- One.",
    "",
  ].join("\n");

  it("escapes everything but code spans and http(s) or same-site links", () => {
    const log = parseChangelog(SAMPLE);
    expect(log.problems).toEqual([]);
    expect(log.releases.map((r) => [r.version, r.date])).toEqual([["unreleased", null], ["1.1.0", "2026-12-05"]]);
    expect(log.releases[0]!.changes[0]).toEqual({ kind: "fixed", text: 'A <script>alert(1)</script> & "quote" continued on a second line.' });
    const html = changelogHtml(log);
    expect(html).toContain("<li>A &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quote&quot; continued on a second line.</li>");
    expect(html).toContain('<a href="https://example.com/x?a=1&amp;b=2">a link</a>');
    expect(html).toContain('<a href="/docs">a path</a>');
    expect(html).not.toContain('href="javascript');
    expect(html).toContain("<p>Intro with <code>code</code>.</p>");
    expect(html).toContain("<h2>1.1.0 — 2026-12-05</h2>");
  });

  it("reports what it does not understand instead of dropping it", () => {
    const log = parseChangelog(["# Changelog", "## 2026-12-01", "### Added", "* starred bullet", "#### Deep heading", "- ok", "## 2026-12-02", "### Fixed", "- newer below older", ""].join("\n"));
    expect(log.problems).toEqual([
      'line 4: outside the changelog\'s subset: "* starred bullet"',
      'line 5: outside the changelog\'s subset: "#### Deep heading"',
      "release 2026-12-02 is listed after 2026-12-01: newest first",
    ]);
    expect(parseChangelog("## Unreleased\n- orphan\n").problems).toEqual(["line 2: a change outside a release's ### Added/Changed/Fixed… section", "no '# Title' line", "release unreleased has no change"]);
  });
});
