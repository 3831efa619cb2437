import type { Child } from "hono/jsx";
import { renderShell } from "../../pages/layout";
import { css, palette } from "../../pages/theme";
import type { ChangeKind, Changelog } from "./changelog-markdown";

/**
 * GET /changelog's page: CHANGELOG.md's releases rendered with hono/jsx, which escapes every text
 * and attribute; the only markup is what the subset defines (`code` spans and links), built here as
 * elements, so nothing in the file can turn into raw HTML. The pages' shell and theme, no script.
 */

/** A link target the page may point to: http(s) or a path on this site; anything else stays text. */
const SAFE_HREF = /^(https?:\/\/[^\s"'<>]+|\/[^\s"'<>]*)$/;

/** One change's text: `code` spans and [text](href) links as elements, everything else text. */
function Inline({ text }: { text: string }) {
  const parts: Child[] = [];
  const token = /`([^`]+)`|\[([^\]]+)\]\(([^)\s]+)\)/g;
  let last = 0;
  for (let m = token.exec(text); m; m = token.exec(text)) {
    parts.push(text.slice(last, m.index));
    if (m[1] !== undefined) parts.push(<code>{m[1]}</code>);
    else if (SAFE_HREF.test(m[3]!)) parts.push(<a href={m[3]!}>{m[2]!}</a>);
    else parts.push(m[0]);
    last = token.lastIndex;
  }
  parts.push(text.slice(last));
  return <>{parts}</>;
}

const KIND_LABEL: Record<ChangeKind, string> = {
  added: "Added",
  changed: "Changed",
  deprecated: "Deprecated",
  removed: "Removed",
  fixed: "Fixed",
  security: "Security",
};

/** The page's <main> content: title, introduction, then the releases, changes grouped by kind in the file's order of kinds. */
function ChangelogBody({ log }: { log: Changelog }) {
  return (
    <>
      <h1>{log.title}</h1>
      {log.intro.map((p) => (
        <p>
          <Inline text={p} />
        </p>
      ))}
      {log.releases.map((r) => {
        const unreleased = r.version === "unreleased";
        const heading = unreleased ? "Unreleased" : [r.version, r.date].filter(Boolean).join(" — ");
        const kinds = [...new Set(r.changes.map((c) => c.kind))];
        return (
          <section class="card" id={unreleased ? "unreleased" : (r.date ?? r.version ?? "")}>
            <h2>{heading}</h2>
            {kinds.map((kind) => (
              <>
                <h3>{KIND_LABEL[kind]}</h3>
                <ul>
                  {r.changes
                    .filter((c) => c.kind === kind)
                    .map((c) => (
                      <li>
                        <Inline text={c.text} />
                      </li>
                    ))}
                </ul>
              </>
            ))}
          </section>
        );
      })}
    </>
  );
}

/** One change's text as HTML (what the page shows inside its <li>). */
export function inlineHtml(text: string): string {
  return String(<Inline text={text} />);
}

/** The releases as HTML (the page's <main> content). */
export function changelogHtml(log: Changelog): string {
  return String(<ChangelogBody log={log} />);
}

const STYLE = `${css(palette(null))}
.w{max-width:46rem}
h1{font-size:1.6rem;margin:1.5rem 0 .75rem}
h3{font-size:.95rem;margin:.75rem 0 .25rem;color:var(--mute);text-transform:uppercase;letter-spacing:.04em}
ul{margin:0 0 .5rem;padding-left:1.2rem}
li{margin:.2rem 0;overflow-wrap:anywhere}
code{font:.9em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#eef1f6;border-radius:4px;padding:.05em .3em}
nav{padding:1rem 0 0}`;

/** The whole page; `nonce` is the response's style nonce (publicPageSecurityHeaders). */
export function renderChangelogPage(log: Changelog, nonce: string): string {
  return renderShell({
    lang: "en",
    nonce,
    title: `${log.title} — Paiements API`,
    css: STYLE,
    // A public page: search engines may keep it.
    noindex: false,
    body: (
      <div class="w">
        <nav>
          <a href="/docs">API reference</a> · <a href="/v1/openapi.json">OpenAPI document</a>
        </nav>
        <main>
          <ChangelogBody log={log} />
        </main>
      </div>
    ),
  });
}
