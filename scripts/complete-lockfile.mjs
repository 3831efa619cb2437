// Adds to package-lock.json the platform builds of workerd that the lock should list but
// could not: this machine's registry mirror carries only the Linux builds of the workerd
// versions wrangler and the vitest plugin pin, so `npm install` leaves the macOS and Windows
// entries out, and `npm ci` then refuses the lock ("Missing: @cloudflare/workerd-darwin-64").
// The entries are os/cpu-gated optional packages: skipped on Linux, fetched where they apply.
// Run after `npm install` changes the lock: `node scripts/complete-lockfile.mjs`.
import { readFileSync, writeFileSync } from "node:fs";

const PLATFORMS = {
  "@cloudflare/workerd-darwin-64": { os: ["darwin"], cpu: ["x64"] },
  "@cloudflare/workerd-darwin-arm64": { os: ["darwin"], cpu: ["arm64"] },
  "@cloudflare/workerd-windows-64": { os: ["win32"], cpu: ["x64"] },
  "@cloudflare/workerd-linux-64": { os: ["linux"], cpu: ["x64"] },
  "@cloudflare/workerd-linux-arm64": { os: ["linux"], cpu: ["arm64"] },
};

const path = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(path, "utf8"));
let added = 0;
for (const [location, entry] of Object.entries(lock.packages)) {
  if (!location.endsWith("node_modules/workerd")) continue;
  const base = location.slice(0, -"workerd".length);
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const target = `${base}${name}`;
    const platform = PLATFORMS[name];
    if (lock.packages[target] || !platform) continue;
    lock.packages[target] = { version, ...platform, dev: entry.dev, license: "Apache-2.0", optional: true, engines: { node: ">=16" } };
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b))));
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: ${added} platform entr${added === 1 ? "y" : "ies"} added`);
