// The e2e suite's browser: Debian's Chromium through playwright-core, headless, in a fresh profile directory removed on close.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export interface E2eBrowser {
  readonly context: BrowserContext;
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

/**
 * Launches Chromium in a new profile directory named after `name` (no network beyond what the page asks for).
 * @example const browser = await launchChromium("login"); const page = await browser.context.newPage();
 */
export async function launchChromium(name: string): Promise<E2eBrowser> {
  const profile = mkdtempSync(join(tmpdir(), `alb-e2e-${name}-`));
  // A fresh profile directory each run (playwright wants it as launchPersistentContext's argument, not as --user-data-dir).
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
