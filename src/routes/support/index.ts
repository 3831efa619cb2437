import type { Router } from "../../lib/openapi";
import { registerChangelogRoute } from "./changelog";
import { docsPage } from "./docs";

/**
 * The paths seed 001 names for people, outside /v1: the reference (/docs, with /api-docs and the
 * site root sending there) and the changelog. Redirects keep the query string (a `#fragment` never
 * reaches the server; browsers carry it over a redirect themselves).
 */
export function registerSupportRoutes(app: Router) {
  const toDocs = (url: string) => {
    const at = url.indexOf("?");
    return at >= 0 ? `/docs${url.slice(at)}` : "/docs";
  };
  app.get("/", (c) => c.redirect(toDocs(c.req.url), 302));
  app.get("/api-docs", (c) => c.redirect(toDocs(c.req.url), 301));
  app.get("/docs", docsPage);
  registerChangelogRoute(app);
}
