// In a real browser (Debian's Chromium) against --upstream: alice logs in through the emulator and a Python HTTP server, verifying the ALB token with its own code, answers with her claims.
import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { banner } from "../../src/emulator/banner.js";
import { startEmulator, type Emulator } from "../../src/emulator/emulator.js";
import { DEMO_USERS } from "../../src/oidc/users.js";
import { bannerEnv, startPythonUpstream, type PythonUpstream } from "../python-upstream.js";
import { launchChromium, type E2eBrowser } from "./chromium.js";

let python: PythonUpstream;
let alb: Emulator;
let browser: E2eBrowser;
let context: BrowserContext;

beforeAll(async () => {
  python = await startPythonUpstream();
  alb = await startEmulator({
    file: { Scope: "openid profile email" },
    target: { kind: "upstream", url: python.url },
    port: 0,
    idpPort: 0,
    keyPort: 0,
    writeLog: () => undefined,
  });
  const printed = banner(alb, "e2e");
  python.configure({
    keyEndpoint: bannerEnv(printed, "ALB_PUBLIC_KEY_ENDPOINT"),
    signer: bannerEnv(printed, "LOAD_BALANCER_ARN"),
    issuer: bannerEnv(printed, "ISSUER"),
    clientId: bannerEnv(printed, "CLIENT_ID"),
  });
  browser = await launchChromium("upstream");
  context = browser.context;
});

afterAll(async () => {
  await browser.close();
  await alb.stop();
  await python.stop();
});

it("logs alice in in front of an HTTP upstream, which verifies her ALB token itself and sets its own cookies", async () => {
  const page = await context.newPage();
  await page.goto(`${alb.url}/dashboard?tab=2`);
  await page.waitForSelector('input[name="login"]');
  expect(new URL(page.url()).origin).toBe(new URL(alb.config.Issuer).origin);
  await page.fill('input[name="login"]', "alice");
  await Promise.all([page.waitForURL(`${alb.url}/dashboard?tab=2`), page.click('button[type="submit"]')]);
  const body = JSON.parse(await page.locator("body").innerText()) as { verified: boolean; claims: Record<string, unknown>; target: string };
  expect(body.verified).toBe(true);
  expect(body.target).toBe("/dashboard?tab=2");
  expect(body.claims).toMatchObject({ ...DEMO_USERS.alice, iss: alb.config.Issuer });
  const names = (await context.cookies(alb.url)).map((c) => c.name).sort();
  expect(names).toEqual(["AWSELBAuthSessionCookie-0", "upstream_a", "upstream_b"]);
});
