// The session cookie as docs/emulator-fidelity.md's "Cookies" rows state it, with a cookie-keeping client: shards over 4K, the cookie's 7-day expiry apart from SessionTimeout, the session's end fixed at login.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { Browser } from "alb-oidc-target-test-support/browser";
import { startIdpProxy, type IdpProxy } from "./idp-proxy.js";
import { lastEvent, testEmulator, type TestEmulator } from "./setup.js";

const WEEK_S = 604800;

afterEach(() => {
  vi.useRealTimers();
});

function sessionSetCookies(res: Response, name = "AWSELBAuthSessionCookie"): string[] {
  return res.headers.getSetCookie().filter((c) => c.startsWith(`${name}-`));
}

/**
 * From the 302 to the IdP on: the login form filled in as alice, redirects followed up to the load
 * balancer's callback; its answer is returned (with the session's Set-Cookie headers), not followed.
 */
async function loginUntilCallbackAnswer(browser: Browser, start: Response): Promise<Response> {
  expect(start.status).toBe(302);
  const page = await browser.follow(start.headers.get("location") ?? "");
  const form = /<form[^>]*action="([^"]+)"/i.exec(page.body)?.[1] ?? "";
  const hidden = [...page.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m): [string, string] => [
    m[1] ?? "",
    m[2] ?? "",
  ]);
  let url = new URL(form.replace(/&amp;/g, "&"), page.url).href;
  let res = await browser.fetch(url, {
    method: "POST",
    body: new URLSearchParams([...hidden, ["login", "alice"]]),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
  while (!url.includes("/oauth2/idpresponse")) {
    url = new URL(res.headers.get("location") ?? "", url).href;
    await res.arrayBuffer();
    res = await browser.fetch(url);
  }
  expect(res.status).toBe(302);
  return res;
}

/** Moves only Date (the emulator reads the time from it), `s` seconds ahead. */
function later(s: number): void {
  vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + s * 1000 });
}

describe("a session larger than 4K", () => {
  let proxy: IdpProxy;
  let alb: TestEmulator;
  /** A profile claim of 3000 characters: sealed with the rest of the session (over 4000 characters of base64url), it needs two shards. */
  const bio = "b".repeat(3000);
  beforeAll(async () => {
    proxy = await startIdpProxy((call, body) => (call === "userinfo" ? { ...body, bio } : body));
    alb = await testEmulator({ adjustConfig: (c) => proxy.route(c) });
  });
  afterAll(async () => {
    await alb.stop();
    await proxy.close();
  });

  it("is set as shards -0 and -1, each name=value under the 4096 bytes browsers keep, and read back whole on the next request", async () => {
    const browser = new Browser();
    const callback = await loginUntilCallbackAnswer(browser, await browser.fetch(`${alb.url}/`));
    const shards = sessionSetCookies(callback);
    expect(shards.map((c) => c.slice(0, c.indexOf("=")))).toEqual(["AWSELBAuthSessionCookie-0", "AWSELBAuthSessionCookie-1"]);
    // Chrome and Firefox limit a cookie's name and value together to 4096 bytes (attributes apart).
    for (const c of shards) expect(Buffer.byteLength(c.slice(0, c.indexOf(";")))).toBeLessThanOrEqual(4096);

    const res = await browser.fetch(`${alb.url}/`);
    expect(res.status).toBe(200);
    expect(sessionSetCookies(res)).toEqual([]);
    expect(lastEvent(alb).headers?.["x-amzn-oidc-identity"]).toBe("alice");
    expect((JSON.parse(await res.text()) as { claims: { bio?: string } }).claims.bio).toBe(bio);
  });
});

describe("the session cookie's expiry under OnUnauthenticatedRequest: deny", () => {
  let alb: TestEmulator;
  beforeAll(async () => {
    alb = await testEmulator({ file: { SessionTimeout: 60, OnUnauthenticatedRequest: "deny" } });
  });
  afterAll(async () => {
    await alb.stop();
  });

  it("the cookie lives 7 days whatever SessionTimeout says; past SessionTimeout the browser still sends it and is sent to the IdP, not denied", async () => {
    const browser = new Browser();
    expect((await browser.fetch(`${alb.url}/`)).status).toBe(401);
    // A session cookie no key opens is an ended session: deny sends it to the IdP, which starts a login.
    await browser.jar.setCookie("AWSELBAuthSessionCookie-0=ended; Path=/", alb.url);
    const callback = await loginUntilCallbackAnswer(browser, await browser.fetch(`${alb.url}/`));
    const [session] = sessionSetCookies(callback);
    expect(session).toMatch(new RegExp(`; Max-Age=${WEEK_S};`));
    expect((await browser.fetch(`${alb.url}/`)).status).toBe(200);

    later(61);
    const late = await browser.fetch(`${alb.url}/`);
    // The ALB: "if the user has expired authentication information, it redirects the client to the IdP authorization endpoint".
    expect(late.status).toBe(302);
    expect(late.headers.get("location")?.startsWith(alb.config.AuthorizationEndpoint)).toBe(true);
  });
});

describe("a refresh", () => {
  let proxy: IdpProxy;
  let alb: TestEmulator;
  beforeAll(async () => {
    proxy = await startIdpProxy();
    alb = await testEmulator({ idpAccessTokenTtlS: 1, file: { SessionTimeout: 60 }, adjustConfig: (c) => proxy.route(c) });
  });
  afterAll(async () => {
    await alb.stop();
    await proxy.close();
  });

  it("does not lengthen the session: with the refreshed cookie, the user logs in again SessionTimeout after the login", async () => {
    const browser = new Browser();
    await browser.login(`${alb.url}/`, "alice");
    const loggedInAt = Date.now();
    // Over two seconds: a session counted again from the refresh would still live at loggedInAt + 60.5 s.
    await new Promise((resolve) => setTimeout(resolve, 2200));
    const refreshed = await browser.fetch(`${alb.url}/`);
    expect(refreshed.status).toBe(200);
    expect(proxy.count("refresh_token")).toBe(1);
    expect(sessionSetCookies(refreshed)).toHaveLength(1);

    vi.useFakeTimers({ toFake: ["Date"], now: loggedInAt + 60_500 });
    const late = await browser.fetch(`${alb.url}/`);
    expect(late.status).toBe(302);
    expect(late.headers.get("location")?.startsWith(alb.config.AuthorizationEndpoint)).toBe(true);
    expect(proxy.count("refresh_token")).toBe(1);
  });
});

describe("a session that would need a fifth shard", () => {
  let proxy: IdpProxy;
  let alb: TestEmulator;
  /** The refresh token the IdP issues: its length decides the session's size (claims and access token stop at 11K). */
  let refreshTokenLength = 0;
  beforeAll(async () => {
    proxy = await startIdpProxy((call, body) =>
      call === "authorization_code" ? { ...body, refresh_token: "r".repeat(refreshTokenLength) } : body,
    );
    alb = await testEmulator({ adjustConfig: (c) => proxy.route(c) });
  });
  afterAll(async () => {
    await alb.stop();
    await proxy.close();
  });

  it("with four shards (16K) the login succeeds; beyond them it is a 500 and no session is set", async () => {
    refreshTokenLength = 10_000;
    const browser = new Browser();
    const four = await loginUntilCallbackAnswer(browser, await browser.fetch(`${alb.url}/`));
    expect(sessionSetCookies(four).length).toBeGreaterThanOrEqual(3);
    expect(sessionSetCookies(four).length).toBeLessThanOrEqual(4);
    expect((await browser.fetch(`${alb.url}/`)).status).toBe(200);

    refreshTokenLength = 13_000;
    const other = new Browser();
    const start = await other.fetch(`${alb.url}/`);
    const page = await other.follow(start.headers.get("location") ?? "");
    const final = await other.submitForm(page, { login: "alice" });
    const callback = final.hops.find((h) => h.url.includes("/oauth2/idpresponse"));
    expect(callback?.status).toBe(500);
    expect(final.res.headers.get("x-alb-emulator-error")).toBe("AuthUserinfoResponseSizeExceeded");
    expect((await other.jar.getCookies(alb.url)).filter((c) => c.key.startsWith("AWSELBAuthSessionCookie"))).toEqual([]);
  });
});
