import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";

/**
 * A payer's browser on the hosted payment page (/p/{token}), shared by the page tests: plain GETs
 * and form posts through the real worker, with the CSRF cookie kept between requests like a
 * browser would.
 */

const BASE = env.PUBLIC_BASE_URL; // the page is served where payment_page_url points

export interface Page {
  status: number;
  headers: Headers;
  html: string;
  location: string | null;
}

export class Browser {
  cookies = new Map<string, string>();
  constructor(readonly headers: Record<string, string> = {}) {}

  async request(path: string, init: { method?: string; form?: Record<string, string>; headers?: Record<string, string>; body?: BodyInit } = {}): Promise<Page> {
    const headers: Record<string, string> = { ...this.headers, ...(init.headers ?? {}) };
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    let body = init.body;
    if (init.form) {
      body = new URLSearchParams(init.form).toString();
      headers["content-type"] = "application/x-www-form-urlencoded";
    }
    const res = await exports.default.fetch(new Request(new URL(path, BASE), { method: init.method ?? (body ? "POST" : "GET"), headers, body, redirect: "manual" }));
    for (const c of res.headers.getSetCookie()) {
      const [pair = ""] = c.split(";");
      const i = pair.indexOf("=");
      this.cookies.set(pair.slice(0, i), pair.slice(i + 1));
    }
    const location = res.headers.get("location");
    return { status: res.status, headers: res.headers, html: await res.text(), location: location ? pathOf(location) : null };
  }

  get(path: string, headers?: Record<string, string>) {
    return this.request(path, { headers });
  }

  /** Submits the page's form posting to `action`, its hidden fields plus `fields`. */
  submit(page: Page, action: string, fields: Record<string, string> = {}) {
    return this.request(action, { method: "POST", form: { ...hiddenFields(page.html, action), ...fields } });
  }

  /** GET, following 303s like a browser (at most 5). */
  async follow(res: Page): Promise<Page> {
    let page = res;
    for (let i = 0; i < 5 && page.status === 303 && page.location; i++) page = await this.get(page.location);
    return page;
  }
}

function pathOf(location: string): string {
  const u = new URL(location, BASE);
  expect(u.origin).toBe(new URL(BASE).origin);
  return `${u.pathname}${u.search}`;
}

/** Hidden inputs of the <form> whose action is `action`. */
export function hiddenFields(html: string, action: string): Record<string, string> {
  const start = html.indexOf(`action="${action}"`);
  expect(start, `a form posting to ${action}`).toBeGreaterThan(-1);
  const form = html.slice(start, html.indexOf("</form>", start));
  return Object.fromEntries([...form.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)"\/>/g)].map((m) => [m[1]!, m[2]!]));
}

export function h1(html: string): string {
  const all = [...html.matchAll(/<h1>(.*?)<\/h1>/g)];
  expect(all, "exactly one h1").toHaveLength(1);
  return all[0]![1]!.replaceAll("&#39;", "'");
}

export function text(html: string): string {
  return html
    .replace(/<style[\s\S]*?<\/style>/, "")
    .replace(/<[^>]+>/g, " ")
    .replaceAll("&#39;", "'")
    .replaceAll("&quot;", '"')
    .replace(/[ \t\r\n]+/g, " ");
}
