// In a real browser (Debian's Chromium via playwright-core): open the app, log in as alice, see her verified claims, log out, be asked to log in again.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/emulator.js";
import { loadEmulatorConfig } from "../../src/emulator/listener/config-file.js";
import { DEMO_USERS } from "../../src/oidc/users.js";
import { REPOSITORY_ROOT } from "../setup.js";
import { launchChromium, type E2eBrowser } from "./chromium.js";

const SCREENSHOTS = "test-results";

let alb: Emulator;
let browser: E2eBrowser;
let context: BrowserContext;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  alb = await startEmulator({
    file: loadEmulatorConfig(`${REPOSITORY_ROOT}/alb.config.json`, true),
    port: 0,
    idpPort: 0,
    writeLog: () => undefined,
  });
  browser = await launchChromium("chromium");
  context = browser.context;
});

afterAll(async () => {
  await browser.close();
  await alb.stop();
});

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `e2e-${name}.png`), fullPage: true });
}

it("logs alice in through the emulator, shows her verified claims, and after logout asks to log in again", async () => {
  const page = await context.newPage();

  await page.goto(`${alb.url}/`);
  await page.waitForSelector('input[name="login"]');
  expect(new URL(page.url()).origin).toBe(new URL(alb.config.Issuer).origin);
  await shot(page, "1-login-page");

  await page.fill('input[name="login"]', "alice");
  await Promise.all([page.waitForURL(`${alb.url}/`), page.click('button[type="submit"]')]);
  // A browser asks for text/html first: the sample answers with a page (name, email, the verified claims, a logout link).
  await shot(page, "2-claims");
  expect(await page.locator("h1").innerText()).toBe(DEMO_USERS.alice?.name);
  expect(await page.locator('a[href="/logout"]').innerText()).toBe("Log out");
  const claims = JSON.parse(await page.locator("pre").innerText()) as Record<string, unknown>;
  expect(claims).toMatchObject({ ...DEMO_USERS.alice, iss: alb.config.Issuer });

  const cookies = await context.cookies(alb.url);
  expect(cookies.map((c) => c.name)).toEqual(["AWSELBAuthSessionCookie-0"]);
  expect(cookies[0]?.httpOnly).toBe(true);
  // Secure, as the ALB sets it: Chromium keeps and sends Secure cookies for http://localhost.
  expect(cookies[0]?.secure).toBe(true);

  // The session is reused: the same page again is answered without a login.
  const again = await page.goto(`${alb.url}/`);
  expect(again?.status()).toBe(200);
  expect(page.url()).toBe(`${alb.url}/`);

  // Logout: the function expires the session cookie and sends the browser to the IdP's end-session page,
  // which signs out and comes back to the application, which sends it to log in again.
  await page.goto(`${alb.url}/logout`);
  await page.waitForSelector('input[name="login"]');
  await shot(page, "3-after-logout");
  expect(new URL(page.url()).origin).toBe(new URL(alb.config.Issuer).origin);
  // The session shard is gone; the only cookie left is the nonce of the new login.
  expect((await context.cookies(alb.url)).map((c) => c.name)).toEqual(["AWSALBAuthNonce"]);
});
