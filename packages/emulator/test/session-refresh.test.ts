// Session refresh as the ALB documents it: once the IdP access token has expired, the refresh_token grant and userinfo again, a new session cookie, the new access token and fresh claims to the function; a refused refresh sends the user back to the IdP (401 under deny); no refresh token, no refresh until SessionTimeout.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { decodePart } from "alb-oidc-target/testing";
import { banner } from "../src/emulator/banner.js";
import { EmulatorConfigError } from "../src/emulator/listener/config-file.js";
import { templateListener } from "../src/emulator/listener/template.js";
import { emulatorOptions } from "../src/start.js";
import { Browser } from "alb-oidc-target-test-support/browser";
import { startIdpProxy, type IdpProxy, type Rewrite } from "./idp-proxy.js";
import { lastEvent, testEmulator, type TestEmulator } from "./setup.js";

/** The embedded provider's access-token lifetime in these tests (IDP_ACCESS_TOKEN_TTL). */
const TTL_S = 2;
const SESSION = "AWSELBAuthSessionCookie-0";

/** Real time passes: a little more than the access token's lifetime, so that it has expired at the provider and at the emulator. */
function pastAccessTokenExpiry(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, TTL_S * 1000 + 150));
}

/** The userinfo answer carries how many times userinfo was called: the profile "changes" between login and refresh. */
const numberedProfile: Rewrite = (call, body) => (call === "userinfo" ? { ...body, profile_version: profileVersion++ } : body);
let profileVersion = 1;

function sessionCookies(res: Response): string[] {
  return res.headers.getSetCookie().filter((c) => c.startsWith(`${SESSION}=`));
}

function headersOf(alb: TestEmulator): Record<string, string | undefined> {
  return lastEvent(alb).headers ?? {};
}

afterEach(() => {
  vi.useRealTimers();
});

describe("a session whose access token has expired", () => {
  let proxy: IdpProxy;
  let alb: TestEmulator;
  beforeAll(async () => {
    proxy = await startIdpProxy(numberedProfile);
    alb = await testEmulator({ idpAccessTokenTtlS: TTL_S, adjustConfig: (c) => proxy.route(c) });
  });
  afterAll(async () => {
    await alb.stop();
    await proxy.close();
  });

  it("is refreshed on the next request: refresh_token grant, userinfo again, a new cookie, the new access token and fresh claims to the function", async () => {
    const browser = new Browser();
    const { final } = await browser.login(`${alb.url}/`, "alice");
    expect(final.res.status).toBe(200);
    const before = headersOf(alb);
    const firstAccess = before["x-amzn-oidc-accesstoken"];
    const version = Number(decodePart(before["x-amzn-oidc-data"] ?? "", 1).profile_version);
    expect(proxy.count("authorization_code")).toBe(1);
    expect(proxy.count("refresh_token")).toBe(0);
    const userinfoCalls = proxy.count("userinfo");
    const [oldCookie] = await browser.jar.getCookies(alb.url);

    await pastAccessTokenExpiry();
    const res = await browser.fetch(`${alb.url}/`);
    expect(res.status).toBe(200);
    expect(proxy.count("refresh_token")).toBe(1);
    expect(proxy.count("userinfo")).toBe(userinfoCalls + 1);
    const after = headersOf(alb);
    expect(after["x-amzn-oidc-identity"]).toBe("alice");
    expect(after["x-amzn-oidc-accesstoken"]).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(after["x-amzn-oidc-accesstoken"]).not.toBe(firstAccess);
    // The claims token is minted again from the fresh userinfo answer, although the previous one has not expired.
    const claims = decodePart(after["x-amzn-oidc-data"] ?? "", 1);
    expect(claims.profile_version).toBe(version + 1);
    expect(decodePart(after["x-amzn-oidc-data"] ?? "", 0)).toMatchObject({ iss: alb.config.Issuer, client: alb.config.ClientId });
    // The function verified it: its answer carries the fresh claim.
    expect((JSON.parse(await res.text()) as { claims: Record<string, unknown> }).claims.profile_version).toBe(version + 1);

    // A new session cookie, Secure and HttpOnly; the cookie itself lives the ALB's 7 days (the session's end is sealed inside).
    const [set] = sessionCookies(res);
    expect(set).toMatch(/; HttpOnly/);
    expect(set).toMatch(/; Secure/);
    expect(set).toMatch(/; Max-Age=604800;/);
    const [newCookie] = await browser.jar.getCookies(alb.url);
    expect(newCookie?.value).not.toBe(oldCookie?.value);
    // Sealed: neither token can be read from it.
    const sealed = Buffer.from(newCookie?.value ?? "", "base64url").toString("latin1");
    expect(sealed).not.toContain(after["x-amzn-oidc-accesstoken"]);
    expect(sealed).not.toContain("alice");

    // The next request carries the new cookie: no second refresh.
    const again = await browser.fetch(`${alb.url}/`);
    expect(again.status).toBe(200);
    expect(sessionCookies(again)).toEqual([]);
    expect(proxy.count("refresh_token")).toBe(1);
    expect(headersOf(alb)["x-amzn-oidc-accesstoken"]).toBe(after["x-amzn-oidc-accesstoken"]);
    expect(alb.logs.join("")).not.toContain(after["x-amzn-oidc-accesstoken"]);
  });

  it("the user logged out at the IdP: the refresh is refused, the session dropped, the browser sent to the IdP and the function not called", async () => {
    const browser = new Browser();
    await browser.login(`${alb.url}/`, "alice");
    // Sign out at the provider only: the emulator's session cookie stays in the browser.
    const signOut = await browser.follow(alb.config.EndSessionEndpoint ?? "missing");
    const signedOut = await browser.submitForm(signOut, { logout: "yes" });
    expect(signedOut.body).toContain("Signed out");
    expect((await browser.jar.getCookies(alb.url)).map((c) => c.key)).toEqual([SESSION]);
    const refreshes = proxy.count("refresh_token");
    const userinfoCalls = proxy.count("userinfo");
    const events = alb.events.length;

    await pastAccessTokenExpiry();
    const res = await browser.fetch(`${alb.url}/private`);
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get("location") ?? "");
    expect(`${location.origin}${location.pathname}`).toBe(alb.config.AuthorizationEndpoint);
    expect(proxy.count("refresh_token")).toBe(refreshes + 1);
    expect(proxy.count("userinfo")).toBe(userinfoCalls);
    expect(alb.events.length).toBe(events);
    // The session is dropped with the answer; the login starts afresh and comes back to /private.
    expect(sessionCookies(res)).toEqual([expect.stringMatching(/^AWSELBAuthSessionCookie-0=; .*Max-Age=0/)]);
    expect((await browser.jar.getCookies(alb.url)).map((c) => c.key)).toEqual(["AWSALBAuthNonce"]);
    const { final } = await browser.login(`${alb.url}/private`, "alice");
    expect(final.url).toBe(`${alb.url}/private`);
    expect(final.res.status).toBe(200);
  });

  it("the provider's access tokens live IDP_ACCESS_TOKEN_TTL seconds, and the banner says so", () => {
    expect(alb.idp?.accessTokenTtlS).toBe(TTL_S);
    expect(banner(alb, "test")).toContain(`Access tokens live ${TTL_S} s (IDP_ACCESS_TOKEN_TTL)`);
  });

  it("the refreshed cookie comes before the function's own Set-Cookie: a refresh on /logout still ends logged out", async () => {
    const browser = new Browser();
    await browser.login(`${alb.url}/`, "alice");
    await pastAccessTokenExpiry();
    const refreshes = proxy.count("refresh_token");
    const res = await browser.fetch(`${alb.url}/logout`);
    expect(res.status).toBe(302);
    expect(proxy.count("refresh_token")).toBe(refreshes + 1);
    const session = sessionCookies(res);
    // The load balancer's refreshed shard first, then the function's four expired shards (its -0 last wins).
    expect(session).toHaveLength(2);
    expect(session[0]).not.toMatch(/Max-Age=0/);
    expect(session[1]).toMatch(/Max-Age=0/);
    expect(await browser.jar.getCookies(alb.url)).toEqual([]);
  });
});

describe("a refused refresh under OnUnauthenticatedRequest: deny", () => {
  // The single-page-app setup: the default rule logs users in, /xhr/* answers 401 instead of redirecting; one IdP, one cookie.
  let alb: TestEmulator;
  beforeAll(async () => {
    alb = await testEmulator({
      idpAccessTokenTtlS: TTL_S,
      listener: templateListener({ path: "test/fixtures/listener.template.json", listenerId: "HttpsListener", embeddedIdp: true, env: {} }),
    });
  });
  afterAll(async () => {
    await alb.stop();
  });

  it("answers 401 instead of sending the browser to the IdP, drops the session and does not call the function", async () => {
    const browser = new Browser();
    const { final } = await browser.login(`${alb.url}/`, "alice");
    expect(final.res.status).toBe(200);
    const ok = await browser.fetch(`${alb.url}/xhr/poll`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("x-alb-emulator-rule")).toBe("XhrRule");
    const signOut = await browser.follow(alb.config.EndSessionEndpoint ?? "missing");
    await browser.submitForm(signOut, { logout: "yes" });
    const events = alb.events.length;

    await pastAccessTokenExpiry();
    const res = await browser.fetch(`${alb.url}/xhr/poll`);
    expect(res.status).toBe(401);
    expect(res.headers.get("location")).toBeNull();
    expect(res.headers.get("x-alb-emulator-error")).toBe("AuthUnauthenticatedRequest");
    expect(res.headers.getSetCookie().filter((c) => c.startsWith("MyAppSession-0="))).toEqual([
      expect.stringMatching(/^MyAppSession-0=; .*Max-Age=0/),
    ]);
    expect(alb.events.length).toBe(events);
    // The session is gone: the next poll is a plain 401, with no refresh attempted.
    expect((await browser.fetch(`${alb.url}/xhr/poll`)).status).toBe(401);
    expect(alb.logs.join("")).not.toContain(lastEvent(alb).headers?.["x-amzn-oidc-accesstoken"] ?? "missing");
  });
});

describe("an IdP that issues no refresh token", () => {
  it("keeps the session, with the same access token, until SessionTimeout; then the user logs in again", async () => {
    const proxy = await startIdpProxy((call, body) => {
      if (call !== "authorization_code") return body;
      const { refresh_token: _dropped, ...rest } = body;
      return rest;
    });
    const alb = await testEmulator({ idpAccessTokenTtlS: 1, file: { SessionTimeout: 30 }, adjustConfig: (c) => proxy.route(c) });
    try {
      const browser = new Browser();
      await browser.login(`${alb.url}/`, "alice");
      const access = headersOf(alb)["x-amzn-oidc-accesstoken"];
      const cookie = await browser.jar.getCookieString(alb.url);

      await pastAccessTokenExpiry();
      const res = await browser.fetch(`${alb.url}/`);
      expect(res.status).toBe(200);
      expect(headersOf(alb)["x-amzn-oidc-accesstoken"]).toBe(access);
      expect(sessionCookies(res)).toEqual([]);
      expect(proxy.calls).toEqual(["authorization_code", "userinfo"]);

      // Past SessionTimeout (only Date moves): the same cookie no longer counts, the browser goes to the IdP.
      vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 31_000 });
      const late = await fetch(`${alb.url}/`, { headers: { cookie }, redirect: "manual" });
      expect(late.status).toBe(302);
      expect(late.headers.get("location")?.startsWith(alb.config.AuthorizationEndpoint)).toBe(true);
      expect(proxy.calls).toEqual(["authorization_code", "userinfo"]);
    } finally {
      vi.useRealTimers();
      await alb.stop();
      await proxy.close();
    }
  });
});

describe("an IdP that cannot be reached when the session needs refreshing", () => {
  it("counts as a failed refresh: the browser is sent to the IdP to log in again, the function not called", async () => {
    const alb = await testEmulator({ idpAccessTokenTtlS: TTL_S });
    try {
      const browser = new Browser();
      await browser.login(`${alb.url}/`, "alice");
      const events = alb.events.length;
      await alb.idp?.stop();
      await pastAccessTokenExpiry();
      const res = await browser.fetch(`${alb.url}/`);
      expect(res.status).toBe(302);
      expect(res.headers.get("location")?.startsWith(alb.config.AuthorizationEndpoint)).toBe(true);
      expect(sessionCookies(res)).toEqual([expect.stringMatching(/Max-Age=0/)]);
      expect(alb.events.length).toBe(events);
      expect(alb.logs.join("")).toContain("session refresh refused");
    } finally {
      await alb.stop();
    }
  });
});

describe("IDP_ACCESS_TOKEN_TTL", () => {
  it("is read as whole seconds; unset, the provider keeps its 3600", () => {
    expect(emulatorOptions([], { IDP_ACCESS_TOKEN_TTL: "30" }).options.idpAccessTokenTtlS).toBe(30);
    expect(emulatorOptions([], {}).options.idpAccessTokenTtlS).toBeUndefined();
  });

  it.each(["0", "1.5", "ten", "86401", "-5"])("refuses %s at start, naming the variable", (raw) => {
    expect(() => emulatorOptions([], { IDP_ACCESS_TOKEN_TTL: raw })).toThrow(EmulatorConfigError);
    expect(() => emulatorOptions([], { IDP_ACCESS_TOKEN_TTL: raw })).toThrow(
      `IDP_ACCESS_TOKEN_TTL must be a whole number of seconds from 1 to 86400, got "${raw}"`,
    );
  });
});
