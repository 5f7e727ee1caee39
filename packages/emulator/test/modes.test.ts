// OnUnauthenticatedRequest deny and allow, and the target group's multi-value headers mode.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mintAlbToken, createAlbKey } from "alb-oidc-target/testing";
import { Browser } from "alb-oidc-target-test-support/browser";
import { lastEvent, testEmulator, type TestEmulator } from "./setup.js";

describe("OnUnauthenticatedRequest: deny", () => {
  let alb: TestEmulator;
  beforeAll(async () => {
    alb = await testEmulator({ file: { OnUnauthenticatedRequest: "deny" } });
  });
  afterAll(async () => {
    await alb.stop();
  });

  it("answers 401 to a request without a session, without redirecting or calling the function", async () => {
    const res = await new Browser().fetch(`${alb.url}/api/poll`);
    expect(res.status).toBe(401);
    expect(res.headers.get("location")).toBeNull();
    expect(res.headers.get("x-alb-emulator-error")).toBe("AuthUnauthenticatedRequest");
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(alb.events).toHaveLength(0);
  });

  it("still redirects to the IdP when a session cookie is there but no longer valid", async () => {
    const res = await new Browser().fetch(`${alb.url}/`, { headers: { cookie: "AWSELBAuthSessionCookie-0=expired-or-from-another-run" } });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")?.startsWith(alb.config.AuthorizationEndpoint)).toBe(true);
  });
});

describe("OnUnauthenticatedRequest: allow", () => {
  let alb: TestEmulator;
  beforeAll(async () => {
    alb = await testEmulator({ file: { OnUnauthenticatedRequest: "allow" } });
  });
  afterAll(async () => {
    await alb.stop();
  });

  it("forwards a request without a session to the function with no x-amzn-oidc-* headers", async () => {
    const forged = mintAlbToken({ key: createAlbKey(), issuer: alb.config.Issuer, clientId: alb.config.ClientId });
    const res = await new Browser().fetch(`${alb.url}/`, { headers: { "x-amzn-oidc-data": forged, "x-amzn-oidc-identity": "alice" } });
    // The function's own answer (JSON), not the emulator's: it saw no claims.
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(((await res.json()) as Record<string, unknown>).error).toBe("missing_token");
    const headers = lastEvent(alb).headers ?? {};
    expect(Object.keys(headers).filter((h) => h.startsWith("x-amzn-oidc"))).toEqual([]);
  });
});

describe("multi-value headers mode", () => {
  let alb: TestEmulator;
  beforeAll(async () => {
    alb = await testEmulator({ file: { MultiValueHeaders: true } });
  });
  afterAll(async () => {
    await alb.stop();
  });

  it("logs in and sends the function multi-value events (repeated query keys and headers kept, URL-encoded)", async () => {
    const browser = new Browser();
    const { final } = await browser.login(`${alb.url}/`, "alice");
    expect(final.res.status).toBe(200);
    const res = await browser.fetch(`${alb.url}/items?tag=a%20b&tag=c&x`, { headers: { "x-custom": "one" } });
    expect(res.status).toBe(200);
    const ev = lastEvent(alb);
    expect(ev.headers).toBeUndefined();
    expect(ev.queryStringParameters).toBeUndefined();
    expect(ev.multiValueQueryStringParameters).toEqual({ tag: ["a%20b", "c"], x: [""] });
    expect(ev.multiValueHeaders?.["x-custom"]).toEqual(["one"]);
    expect(ev.multiValueHeaders?.["x-amzn-oidc-identity"]).toEqual(["alice"]);
  });

  it("passes every Set-Cookie of a multi-value result to the client (logout expires all four shards)", async () => {
    const browser = new Browser();
    await browser.login(`${alb.url}/`, "alice");
    const res = await browser.fetch(`${alb.url}/logout`);
    expect(res.status).toBe(302);
    const names = res.headers.getSetCookie().map((c) => c.split("=")[0]);
    expect(names).toEqual([
      "AWSELBAuthSessionCookie-0",
      "AWSELBAuthSessionCookie-1",
      "AWSELBAuthSessionCookie-2",
      "AWSELBAuthSessionCookie-3",
    ]);
  });
});
