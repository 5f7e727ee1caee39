// The login flow through the emulator with a cookie-keeping client: verified claims, session reuse, cookies, re-minting, spoofed headers, logout.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { DEMO_USERS } from "../src/oidc/users.js";
import { decodePart, mintAlbToken, createAlbKey } from "alb-oidc-target/testing";
import { Browser } from "alb-oidc-target-test-support/browser";
import { lastEvent, testEmulator, type TestEmulator } from "./setup.js";

let alb: TestEmulator;

beforeAll(async () => {
  alb = await testEmulator();
});
afterAll(async () => {
  await alb.stop();
});
afterEach(() => {
  vi.useRealTimers();
});

function json(body: string): Record<string, unknown> {
  return JSON.parse(body) as Record<string, unknown>;
}

describe("logging in as a demo user", () => {
  it("redirects to the IdP, shows the login form, and ends on the original URL with alice's verified claims", async () => {
    const browser = new Browser();
    const { loginPage, final } = await browser.login(`${alb.url}/whoami?tab=1`, "alice");

    const [first] = loginPage.hops;
    expect(first?.status).toBe(302);
    const auth = new URL(first?.location ?? "");
    expect(`${auth.origin}${auth.pathname}`).toBe(alb.config.AuthorizationEndpoint);
    expect(Object.fromEntries(auth.searchParams)).toEqual({
      client_id: alb.config.ClientId,
      redirect_uri: `${alb.url}/oauth2/idpresponse`,
      response_type: "code",
      scope: "openid profile email",
      state: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/) as unknown,
    });
    expect(loginPage.res.status).toBe(200);
    expect(loginPage.body).toMatch(/<input[^>]*name="login"/);

    const callback = final.hops.find((h) => h.url.startsWith(`${alb.url}/oauth2/idpresponse`));
    expect(callback?.status).toBe(302);
    expect(callback?.location).toBe("/whoami?tab=1");
    expect(final.url).toBe(`${alb.url}/whoami?tab=1`);
    expect(final.res.status).toBe(200);
    expect(final.res.headers.get("content-type")).toBe("application/json");
    const body = json(final.body);
    expect(body.message).toBe("Token is valid");
    expect(body.identity).toBe("alice");
    expect(body.claims).toEqual({ ...DEMO_USERS.alice, iss: alb.config.Issuer, exp: expect.any(Number) as unknown });
  });

  it("reuses the session: the same request again is answered without any redirect", async () => {
    const browser = new Browser();
    await browser.login(`${alb.url}/`, "bob");
    const before = alb.events.length;
    const again = await browser.follow(`${alb.url}/`);
    expect(again.hops).toHaveLength(1);
    expect(again.res.status).toBe(200);
    expect(json(again.body).identity).toBe("bob");
    expect(alb.events.length).toBe(before + 1);
  });

  it("accepts any other user name, with an unverified email", async () => {
    const { final } = await new Browser().login(`${alb.url}/`, "carol");
    expect(final.res.status).toBe(200);
    expect(json(final.body).claims).toMatchObject({ sub: "carol", name: "carol", email: "carol@example.net", email_verified: false });
  });

  it("sets the session as an HttpOnly, Secure -0 shard (as the ALB, also on plain-http localhost), and clears the nonce cookie", async () => {
    const browser = new Browser();
    const { final } = await browser.login(`${alb.url}/`, "alice");
    const callback = final.hops.find((h) => h.url.includes("/oauth2/idpresponse"));
    // The ALB's callback answers with a redirect back to the page the login started from.
    expect(callback?.status).toBe(302);
    expect(new URL(callback?.location ?? "", alb.url).pathname).toBe("/");
    const cookies = await browser.jar.getCookies(alb.url);
    const names = cookies.map((c) => c.key).sort();
    expect(names).toEqual(["AWSELBAuthSessionCookie-0"]);
    const session = cookies[0];
    expect(session?.httpOnly).toBe(true);
    expect(session?.secure).toBe(true);
    expect(session?.path).toBe("/");
    // Sealed: neither the claims nor the access token can be read from it.
    expect(Buffer.from(session?.value ?? "", "base64url").toString("latin1")).not.toContain("alice");
  });

  it("forwards the three x-amzn-oidc-* headers: the access token, the sub and an ES256 ALB token from the loopback key server", async () => {
    await new Browser().login(`${alb.url}/`, "alice");
    const headers = lastEvent(alb).headers ?? {};
    expect(headers["x-amzn-oidc-identity"]).toBe("alice");
    expect(headers["x-amzn-oidc-accesstoken"]).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    const data = headers["x-amzn-oidc-data"] ?? "";
    const header = decodePart(data, 0);
    expect(header).toMatchObject({
      typ: "JWT",
      alg: "ES256",
      iss: alb.config.Issuer,
      client: alb.config.ClientId,
      signer: alb.config.LoadBalancerArn,
    });
    expect(header.kid).toMatch(/^[0-9a-f-]{36}$/);
    expect(alb.keyServer.requests).toContain(`/${String(header.kid)}`);
  });

  it("never puts the access token or the claims token in a response body or a log line", async () => {
    const { final } = await new Browser().login(`${alb.url}/`, "alice");
    const headers = lastEvent(alb).headers ?? {};
    const access = headers["x-amzn-oidc-accesstoken"] ?? "missing";
    const signature = (headers["x-amzn-oidc-data"] ?? "").split(".")[2] ?? "missing";
    expect(final.body).not.toContain(access);
    expect(final.body).not.toContain(signature);
    expect(alb.logs.join("")).not.toContain(access);
    expect(alb.logs.join("")).not.toContain(signature);
    expect(alb.logs.join("")).not.toContain(alb.config.ClientSecret);
  });
});

describe("the claims token", () => {
  it("is reused while valid and re-minted once it expires, as the ALB does", async () => {
    const short = await testEmulator({ claimsTokenLifetimeS: 5 });
    try {
      const browser = new Browser();
      await browser.login(`${short.url}/`, "alice");
      const first = lastEvent(short).headers?.["x-amzn-oidc-data"];
      await browser.follow(`${short.url}/`);
      expect(lastEvent(short).headers?.["x-amzn-oidc-data"]).toBe(first);
      expect(short.claimsTokens.minted).toBe(1);

      // Only Date is faked: sockets and timers keep working, the clock (ours and the verifier's) moves 6 s on.
      vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 6000 });
      const later = await browser.follow(`${short.url}/`);
      expect(later.res.status).toBe(200);
      const second = lastEvent(short).headers?.["x-amzn-oidc-data"];
      expect(second).not.toBe(first);
      expect(short.claimsTokens.minted).toBe(2);
      expect(Number(decodePart(second ?? "", 1).exp)).toBe(Math.floor(Date.now() / 1000) + 5);
    } finally {
      vi.useRealTimers();
      await short.stop();
    }
  });
});

describe("client-supplied x-amzn-oidc-* headers", () => {
  it("are dropped: a forged identity and a token from another key never reach the function", async () => {
    const browser = new Browser();
    await browser.login(`${alb.url}/`, "alice");
    const forged = mintAlbToken({
      key: createAlbKey(),
      claims: { sub: "admin" },
      issuer: alb.config.Issuer,
      clientId: alb.config.ClientId,
    });
    const res = await browser.follow(`${alb.url}/`, {
      headers: { "x-amzn-oidc-identity": "admin", "x-amzn-oidc-data": forged, "x-amzn-oidc-accesstoken": "forged-access" },
    });
    expect(res.res.status).toBe(200);
    expect(json(res.body).identity).toBe("alice");
    const headers = lastEvent(alb).headers ?? {};
    expect(headers["x-amzn-oidc-identity"]).toBe("alice");
    expect(headers["x-amzn-oidc-data"]).not.toBe(forged);
    expect(headers["x-amzn-oidc-accesstoken"]).not.toBe("forged-access");
  });

  it("are dropped for a request without a session too: it is sent to log in", async () => {
    const forged = mintAlbToken({ key: createAlbKey(), issuer: alb.config.Issuer, clientId: alb.config.ClientId });
    const before = alb.events.length;
    const res = await new Browser().fetch(`${alb.url}/`, { headers: { "x-amzn-oidc-data": forged } });
    expect(res.status).toBe(302);
    expect(alb.events.length).toBe(before);
  });
});

describe("logout", () => {
  it("expires the session cookie, ends the IdP session and the next visit asks to log in again", async () => {
    const browser = new Browser();
    await browser.login(`${alb.url}/`, "alice");
    const out = await browser.follow(`${alb.url}/logout`);
    const [first] = out.hops;
    expect(first?.status).toBe(302);
    expect(first?.location?.startsWith(alb.config.EndSessionEndpoint ?? "missing")).toBe(true);
    expect(await browser.jar.getCookies(alb.url)).toEqual([]);
    // The IdP's sign-out page posts its form by itself in a browser; here we submit it.
    const done = await browser.submitForm(out, { logout: "yes" });
    expect(done.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/interaction\//);
    expect(done.body).toMatch(/<input[^>]*name="login"/);
  });
});
