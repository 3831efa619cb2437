// Copies the Scalar API reference bundle next to the worker's static assets, so /docs renders
// with no request to a third-party CDN (and works offline in `wrangler dev`).
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const source = join(root, "node_modules/@scalar/api-reference/dist/browser/standalone.js");
mkdirSync(join(root, "public/docs"), { recursive: true });
copyFileSync(source, join(root, "public/docs/scalar.js"));
