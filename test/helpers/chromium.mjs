// Debian's Chromium for the browser tests, started as the machine requires: headless, no sandbox
// (root), and none of the background connections this closed network would refuse at every start.
import { existsSync } from "node:fs";

export const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
export const chromiumMissing = !existsSync(CHROMIUM);

export async function launchChromium() {
  const { chromium } = await import("playwright-core");
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}
