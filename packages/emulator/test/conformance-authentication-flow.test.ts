// The authenticate-oidc flow as docs/emulator-fidelity.md's "Authentication flow" rows state it, driven over HTTP: the authorization request, the client login timeout, the callback path, the client's authentication at the token endpoint.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { Browser } from "alb-oidc-target-test-support/browser";
import { startEmulator, type Emulator } from "../src/emulator/emulator.js";
import { startIdpProxy, type IdpProxy } from "./idp-proxy.js";
import { testEmulator, type TestEmulator } from "./setup.js";

const NONCE = "AWSALBAuthNonce";

afterEach(() => {
  vi.useRealTimers();
});

/** The first answer to a request without a session: the 302 to the IdP, its query, and the nonce cookie's Set-Cookie. */
async function startLogin(alb: Emulator, path = "/"): Promise<{ res: Response; query: URLSearchParams; nonce: string }> {
  const res = await fetch(`${alb.url}${path}`, { redirect: "manual" });
  const location = res.headers.get("location") ?? "";
  const nonce = res.headers.getSetCookie().find((c) => c.startsWith(`${NONCE}=`)) ?? "";
  return { res, query: new URL(location).searchParams, nonce };
}

describe("the authorization request", () => {
  let alb: Emulator;
  beforeAll(async () => {
    // startEmulator itself: the test helper would set a Scope, and this rule must have none.
    alb = await startEmulator({
      port: 0,
      idpPort: 0,
      writeLog: () => undefined,
      file: { AuthenticationRequestExtraParams: { prompt: "login", display: "page" } },
    });
  });
  afterAll(async () => {
    await alb.stop();
  });

  it("asks for the ALB's default Scope, openid, when the rule sets none", async () => {
    const { res, query } = await startLogin(alb);
    expect(res.status).toBe(302);
    expect(query.get("scope")).toBe("openid");
  });

  it("carries AuthenticationRequestExtraParams next to the ALB's own parameters", async () => {
    const { query } = await startLogin(alb);
    expect(query.get("prompt")).toBe("login");
    expect(query.get("display")).toBe("page");
    expect([...query.keys()].sort()).toEqual(["client_id", "display", "prompt", "redirect_uri", "response_type", "scope", "state"]);
  });

  it("sets the AWSALBAuthNonce cookie with the redirect, living the 15 minutes a login may take", async () => {
    const { nonce } = await startLogin(alb);
    expect(nonce).toMatch(/^AWSALBAuthNonce=[A-Za-z0-9_-]+; /);
    expect(nonce).toContain("Max-Age=900");
  });
});

describe("the client login timeout (15 minutes)", () => {
  let alb: TestEmulator;
  beforeAll(async () => {
    alb = await testEmulator();
  });
  afterAll(async () => {
    await alb.stop();
  });

  /** The callback as the IdP would send the browser back after `elapsedS` seconds, with a code the IdP never issued. */
  async function callbackAfter(elapsedS: number): Promise<Response> {
    const { query, nonce } = await startLogin(alb);
    const cookie = nonce.split(";")[0] ?? "";
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + elapsedS * 1000 });
    try {
      const state = query.get("state") ?? "";
      return await fetch(`${alb.url}/oauth2/idpresponse?code=never-issued&state=${encodeURIComponent(state)}`, {
        headers: { cookie },
        redirect: "manual",
      });
    } finally {
      vi.useRealTimers();
    }
  }

  it("within 15 minutes, the login goes on to the code exchange (this code, never issued, fails there: 561)", async () => {
    const res = await callbackAfter(14 * 60);
    expect(res.status).toBe(561);
    expect(res.headers.get("x-alb-emulator-error")).not.toMatch(/Nonce/);
  });

  it("after 15 minutes, the callback is a 401 and the code is never exchanged", async () => {
    const res = await callbackAfter(15 * 60 + 5);
    expect(res.status).toBe(401);
    expect(res.headers.get("x-alb-emulator-error")).toBe("AuthInvalidAWSALBAuthNonce");
  });
});

describe("the callback path", () => {
  let alb: TestEmulator;
  beforeAll(async () => {
    alb = await testEmulator();
  });
  afterAll(async () => {
    await alb.stop();
  });

  it("/oauth2/idpresponse is the load balancer's: answered by it, never forwarded to the function, even with a session", async () => {
    const browser = new Browser();
    await browser.login(`${alb.url}/`, "alice");
    const before = alb.events.length;
    const res = await browser.fetch(`${alb.url}/oauth2/idpresponse`);
    expect(res.status).toBe(401);
    expect(res.headers.get("x-alb-emulator-error")).toBe("AuthMissingAWSALBAuthNonce");
    expect(alb.events.length).toBe(before);
  });
});

describe("the code exchange", () => {
  let proxy: IdpProxy;
  let alb: TestEmulator;
  beforeAll(async () => {
    proxy = await startIdpProxy();
    alb = await testEmulator({ adjustConfig: (c) => proxy.route(c) });
  });
  afterAll(async () => {
    await alb.stop();
    await proxy.close();
  });

  it("sends the code to the token endpoint with the client secret in the form body (client_secret_post), then calls userinfo", async () => {
    const { final } = await new Browser().login(`${alb.url}/`, "alice");
    expect(final.res.status).toBe(200);
    expect(proxy.calls).toEqual(["authorization_code", "userinfo"]);
    expect(proxy.tokenClientAuth).toEqual(["client_secret_post"]);
  });
});
