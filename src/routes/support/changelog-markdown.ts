/**
 * CHANGELOG.md, read as the restricted Keep-a-Changelog subset it is written in (rendered by
 * changelog-page.tsx, where hono/jsx escapes everything). No markdown library: the file is ours,
 * and a subset we define (and test) cannot smuggle raw HTML into the page. The subset, line by line:
 *
 * - `# Title` once, then free paragraphs (the introduction);
 * - `## Unreleased` or `## YYYY-MM-DD` (optionally `## [1.2.0] - YYYY-MM-DD`): a release, newest first;
 * - `### Added` | `Changed` | `Deprecated` | `Removed` | `Fixed` | `Security`: the kind of the bullets below;
 * - `- text`: one change; lines indented by two spaces continue it;
 * - inline: `code` spans and [links](https://… or /path); nothing else is markup (no raw HTML: escaped).
 *
 * Anything else is a problem reported by `parseChangelog` (test/docs-changelog.test.ts fails on any),
 * not an exception: a bad line must not take the Worker down with it.
 */

export const CHANGE_KINDS = ["added", "changed", "deprecated", "removed", "fixed", "security"] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

export interface ChangelogRelease {
  /** `unreleased`, or the version in brackets when the heading names one; null for a dated release without a version. */
  version: string | null;
  /** The release date (YYYY-MM-DD); null while unreleased. */
  date: string | null;
  changes: { kind: ChangeKind; text: string }[];
}

export interface Changelog {
  title: string;
  intro: string[];
  releases: ChangelogRelease[];
  /** Lines outside the subset (`line N: …`); empty for a well-kept file. */
  problems: string[];
}

const RELEASE = /^## (?:(Unreleased)|(?:\[([0-9A-Za-z.+-]+)\] - )?(\d{4}-\d{2}-\d{2}))$/;
const KIND = /^### (Added|Changed|Deprecated|Removed|Fixed|Security)$/;

export function parseChangelog(source: string): Changelog {
  const out: Changelog = { title: "", intro: [], releases: [], problems: [] };
  let release: ChangelogRelease | null = null;
  let kind: ChangeKind | null = null;
  let change: { kind: ChangeKind; text: string } | null = null;
  let paragraph: string[] = [];
  const endParagraph = () => {
    if (paragraph.length) out.intro.push(paragraph.join(" "));
    paragraph = [];
  };
  source.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/\s+$/, "");
    const where = `line ${i + 1}`;
    if (line === "") {
      change = null;
      endParagraph();
      return;
    }
    if (change && /^ {2}\S/.test(line)) {
      change.text += ` ${line.trim()}`;
      return;
    }
    change = null;
    let m: RegExpExecArray | null;
    if (line.startsWith("# ") && !out.title && !release) {
      out.title = line.slice(2).trim();
    } else if ((m = RELEASE.exec(line))) {
      endParagraph();
      release = { version: m[1] ? "unreleased" : (m[2] ?? null), date: m[3] ?? null, changes: [] };
      kind = null;
      out.releases.push(release);
    } else if ((m = KIND.exec(line))) {
      if (!release) out.problems.push(`${where}: "${line}" before any release heading`);
      kind = m[1]!.toLowerCase() as ChangeKind;
    } else if (line.startsWith("- ")) {
      if (!release || !kind) {
        out.problems.push(`${where}: a change outside a release's ### Added/Changed/Fixed… section`);
        return;
      }
      change = { kind, text: line.slice(2).trim() };
      release.changes.push(change);
    } else if (out.title && !release && !line.startsWith("#")) {
      paragraph.push(line.trim());
    } else {
      out.problems.push(`${where}: outside the changelog's subset: "${line.slice(0, 60)}"`);
    }
  });
  endParagraph();
  if (!out.title) out.problems.push("no '# Title' line");
  // Newest first: unreleased on top, then dates descending.
  out.releases.forEach((r, i) => {
    if (r.version === "unreleased" && i !== 0) out.problems.push(`"## Unreleased" must be the first release`);
    const prev = out.releases[i - 1];
    if (prev?.date && r.date && r.date >= prev.date) out.problems.push(`release ${r.date} is listed after ${prev.date}: newest first`);
    if (!r.changes.length) out.problems.push(`release ${r.date ?? r.version} has no change`);
  });
  return out;
}
