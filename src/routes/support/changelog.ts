import { createRoute, z } from "@hono/zod-openapi";
import source from "../../../CHANGELOG.md";
import type { Router } from "../../lib/openapi";
import type { PageContext } from "../../pages/env";
import { publicPageSecurityHeaders } from "../../pages/security";
import { CHANGE_KINDS, parseChangelog } from "./changelog-markdown";
import { renderChangelogPage } from "./changelog-page";

// Parsed once per isolate: the file is bundled into the Worker (wrangler.toml's Text rule for *.md).
const changelog = parseChangelog(source);

const Change = z.object({
  kind: z.enum(CHANGE_KINDS).openapi({ description: "Keep a Changelog's section of the change.", example: "added" }),
  text: z.string().openapi({ description: "The change, in the file's markdown subset (`code` spans, [links](…)).", example: "`GET /changelog`: the API's changes." }),
});

const Release = z
  .object({
    object: z.literal("changelog_release"),
    version: z.string().nullable().openapi({ description: "`unreleased` for changes not released yet; a version when the release names one; otherwise null.", example: "unreleased" }),
    date: z.string().nullable().openapi({ description: "The release date (YYYY-MM-DD); null while unreleased.", example: "2026-12-05" }),
    changes: z.array(Change),
  })
  .openapi("ChangelogRelease");

const ChangelogList = z.object({ object: z.literal("list"), data: z.array(Release) }).openapi("Changelog");

const route = createRoute({
  method: "get",
  path: "/changelog",
  operationId: "getChangelog",
  tags: ["Ops"],
  summary: "The API's changes, newest first",
  description:
    "No authentication. The repository's CHANGELOG.md: one entry per user-visible change, grouped by release (`Unreleased` on top, then by date, newest first) and by kind (Keep a Changelog's Added, Changed, Deprecated, Removed, Fixed, Security). " +
    "JSON when the request's `Accept` names `application/json`; an HTML page otherwise.",
  security: [],
  responses: {
    200: {
      description: "The changelog.",
      content: { "application/json": { schema: ChangelogList }, "text/html": { schema: z.string() } },
    },
  },
});

/** JSON when Accept names application/json with a higher weight than text/html (absent: 0); a browser's Accept (text/html, then any type) gets the page. */
export function prefersJson(accept: string | undefined): boolean {
  const weight = (type: string) => {
    for (const part of (accept ?? "").split(",")) {
      const [name, ...params] = part.split(";").map((x) => x.trim().toLowerCase());
      if (name !== type) continue;
      const q = params.find((p) => p.startsWith("q="));
      const value = q ? Number(q.slice(2)) : 1;
      return Number.isFinite(value) ? value : 0;
    }
    return 0;
  };
  const json = weight("application/json");
  return json > 0 && json >= weight("text/html");
}

export function registerChangelogRoute(app: Router) {
  // The pages' security headers (CSP with a per-response style nonce, no framing, nosniff, no
  // referrer), without their no-store: the changelog is public and cacheable.
  app.use("/changelog", publicPageSecurityHeaders);
  app.openapi(route, (c) => {
    // Same URL, two representations: caches must keep them apart.
    c.header("Vary", "Accept");
    c.header("Cache-Control", "public, max-age=300");
    if (prefersJson(c.req.header("accept"))) {
      return c.json({ object: "list" as const, data: changelog.releases.map((r) => ({ object: "changelog_release" as const, ...r })) }, 200);
    }
    // The nonce publicPageSecurityHeaders set for this response (a page variable the API's context type does not know).
    return c.html(renderChangelogPage(changelog, (c as unknown as PageContext).get("nonce")), 200);
  });
}
