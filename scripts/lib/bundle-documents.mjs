// Bundles the PDF engine (src/documents/pdf/) for Node the way wrangler bundles it for the Worker:
// esbuild, ESM, the worker/browser export conditions, and the font files as binary modules (wrangler
// uses a `Data` rule: an ArrayBuffer; here esbuild's "binary" loader: a Uint8Array — fonts.ts takes
// either). Used by test/documents/pdf-structure.test.mjs and scripts/render-samples.mjs, so what
// they check is the code the Worker runs, not a Node-only variant.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/**
 * Bundles the given modules (paths relative to the repository) into one and imports it: each
 * module's exports under the name given.
 * @param {Record<string, string>} modules e.g. { pdf: "src/documents/pdf/index.ts" }
 * @returns {Promise<Record<string, any>>}
 */
export async function importBundled(modules) {
  const outdir = mkdtempSync(path.join(os.tmpdir(), "documents-bundle-"));
  const outfile = path.join(outdir, "bundle.mjs");
  const contents = Object.entries(modules)
    .map(([name, file]) => `export * as ${name} from ${JSON.stringify(path.join(root, file))};`)
    .join("\n");
  try {
    await build({
      stdin: { contents, resolveDir: root, loader: "js" },
      outfile,
      bundle: true,
      format: "esm",
      platform: "browser",
      conditions: ["workerd", "worker", "browser"],
      mainFields: ["browser", "module", "main"],
      target: "es2022",
      loader: { ".ttf": "binary" },
      logLevel: "error",
    });
    return await import(pathToFileURL(outfile).href);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
