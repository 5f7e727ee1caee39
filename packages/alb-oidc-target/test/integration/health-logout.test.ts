// Health checks and logout through the handler: no authentication and no key endpoint for either, nothing revealed, and the session cookie shards expired in both header modes.
import { describe, expect, it } from "vitest";
import { ALICE, mintAlbToken } from "../../src/testing/alb-token.js";
import { albEvent, healthCheckEvent } from "../../src/testing/events.js";
import { createAlbKey } from "../../src/testing/keys.js";
import { DEFAULT_M2M_ISSUER } from "../../src/testing/machine-token.js";
import { body, harness, header, useKeyServer } from "../helpers.js";

const key = createAlbKey();
const server = useKeyServer([key], { each: true });

const EXPIRED = (name: string, shard: number): string => `${name}-${shard}=; Max-Age=0; Path=/; Secure; HttpOnly`;

describe("health checks", () => {
  it.each([false, true])("the ALB health checker gets 200 {status: ok} and nothing else (multi-value %s)", async (multiValue) => {
    const { handler, logs } = harness(server);
    const res = await handler(healthCheckEvent("/health", multiValue));
    expect(res.statusCode).toBe(200);
    expect(res.statusDescription).toBe("200 OK");
    expect(res.body).toBe('{"status":"ok"}');
    const headers = multiValue ? res.multiValueHeaders : res.headers;
    expect(headers).toEqual(
      multiValue
        ? { "content-type": ["application/json"], "cache-control": ["no-store"] }
        : { "content-type": "application/json", "cache-control": "no-store" },
    );
    expect(server.requests).toEqual([]);
    expect(logs[0]).toMatchObject({ route: "health", status: 200 });
  });

  it("answers while the key endpoint and the JWKS are down", async () => {
    await server.stop();
    const { handler } = harness(server, {
      M2M_PATH_PREFIXES: "/",
      M2M_ISSUER: DEFAULT_M2M_ISSUER,
      M2M_JWKS_URI: `${server.url}/jwks.json`,
      M2M_AUDIENCE: "none",
    });
    expect((await handler(healthCheckEvent())).statusCode).toBe(200);
  });

  it("follows HEALTH_CHECK_PATH", async () => {
    const { handler } = harness(server, { HEALTH_CHECK_PATH: "/healthz" });
    expect((await handler(healthCheckEvent("/healthz"))).statusCode).toBe(200);
    const res = await handler(healthCheckEvent("/health"));
    expect(res.statusCode).toBe(401);
    expect(body(res).error).toBe("missing_token");
  });

  it.each([
    ["another user agent", albEvent({ path: "/health", headers: { "user-agent": "curl/8.5.0" } })],
    ["no user agent", albEvent({ path: "/health", headers: { "user-agent": [] } })],
    ["a POST", albEvent({ method: "POST", path: "/health", headers: { "user-agent": "ELB-HealthChecker/2.0" } })],
    ["a HEAD", albEvent({ method: "HEAD", path: "/health", headers: { "user-agent": "ELB-HealthChecker/2.0" } })],
    ["a look-alike path", albEvent({ path: "/health/", headers: { "user-agent": "ELB-HealthChecker/2.0" } })],
    ["another checker version", albEvent({ path: "/health", headers: { "user-agent": "ELB-HealthChecker/1.0" } })],
    ["two user agents", albEvent({ path: "/health", multiValue: true, headers: { "user-agent": ["ELB-HealthChecker/2.0", "x"] } })],
  ])("%s on the health path is authenticated as usual (401 missing_token)", async (_name, event) => {
    const { handler } = harness(server);
    const res = await handler(event);
    expect(res.statusCode).toBe(401);
    expect(body(res)).toEqual({ message: "Token verification failed", error: "missing_token" });
  });

  it("a signed-in user on the health path with another agent gets the user answer", async () => {
    const { handler } = harness(server);
    const res = await handler(albEvent({ path: "/health", oidc: { data: mintAlbToken({ key, claims: ALICE }), identity: "alice" } }));
    expect(res.statusCode).toBe(200);
    expect(body(res).identity).toBe("alice");
  });
});

describe("logout", () => {
  it("in multi-value mode expires all four session cookie shards and answers 200 JSON", async () => {
    const { handler, logs } = harness(server);
    const res = await handler(albEvent({ path: "/logout", multiValue: true }));
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('{"message":"Logged out"}');
    expect(res.headers).toBeUndefined();
    expect(res.multiValueHeaders?.["set-cookie"]).toEqual([0, 1, 2, 3].map((i) => EXPIRED("AWSELBAuthSessionCookie", i)));
    expect(res.multiValueHeaders?.["cache-control"]).toEqual(["no-store"]);
    expect(server.requests).toEqual([]);
    expect(logs[0]).toMatchObject({ route: "logout", status: 200 });
  });

  it("in single-value mode can set one cookie only: it expires shard -0", async () => {
    const { handler } = harness(server);
    const res = await handler(albEvent({ path: "/logout" }));
    expect(res.statusCode).toBe(200);
    expect(res.multiValueHeaders).toBeUndefined();
    expect(res.headers?.["set-cookie"]).toBe(EXPIRED("AWSELBAuthSessionCookie", 0));
  });

  it("uses SESSION_COOKIE_NAME and LOGOUT_PATH", async () => {
    const { handler } = harness(server, { SESSION_COOKIE_NAME: "MySession", LOGOUT_PATH: "/auth/signout" });
    const res = await handler(albEvent({ path: "/auth/signout", multiValue: true }));
    expect(res.multiValueHeaders?.["set-cookie"]).toEqual([0, 1, 2, 3].map((i) => EXPIRED("MySession", i)));
    const old = await handler(albEvent({ path: "/logout", multiValue: true }));
    expect(old.statusCode).toBe(401);
    expect(old.multiValueHeaders?.["set-cookie"]).toBeUndefined();
  });

  it.each([false, true])("redirects 302 to IDP_LOGOUT_URL with the cookies expired (multi-value %s)", async (multiValue) => {
    const { handler } = harness(server, { IDP_LOGOUT_URL: "https://idp.example.com/session/end" });
    const res = await handler(albEvent({ path: "/logout", multiValue }));
    expect(res.statusCode).toBe(302);
    expect(res.statusDescription).toBe("302 Found");
    expect(res.body).toBe("");
    expect(header(res, "location")).toBe("https://idp.example.com/session/end");
    expect(header(res, "set-cookie")).toBe(EXPIRED("AWSELBAuthSessionCookie", 0));
    expect(header(res, "content-type")).toBeUndefined();
    if (multiValue) expect(res.multiValueHeaders?.["set-cookie"]).toHaveLength(4);
  });

  it("adds POST_LOGOUT_REDIRECT_URI and the client id, keeping a query the URL already has", async () => {
    const { handler } = harness(server, {
      IDP_LOGOUT_URL: "https://idp.example.com/logout?ui_locales=ja",
      POST_LOGOUT_REDIRECT_URI: "https://app.example.com/bye",
    });
    const res = await handler(albEvent({ path: "/logout" }));
    expect(header(res, "location")).toBe(
      "https://idp.example.com/logout?ui_locales=ja&post_logout_redirect_uri=https%3A%2F%2Fapp.example.com%2Fbye&client_id=alb-oidc-target-client",
    );
  });

  it("does not add a second client_id", async () => {
    const { handler } = harness(server, {
      IDP_LOGOUT_URL: "https://auth.example.com/logout?client_id=abc",
      POST_LOGOUT_REDIRECT_URI: "https://app.example.com/",
    });
    const location = new URL(header(await handler(albEvent({ path: "/logout" })), "location") ?? "");
    expect(location.searchParams.getAll("client_id")).toEqual(["abc"]);
    expect(location.searchParams.get("post_logout_redirect_uri")).toBe("https://app.example.com/");
  });

  it("needs no token, no key endpoint, and never echoes the cookie it clears", async () => {
    await server.stop();
    const { handler, rawLogs } = harness(server);
    const cookie = "AWSELBAuthSessionCookie-0=c2VjcmV0LXNlc3Npb24tdmFsdWU; AWSELBAuthSessionCookie-1=bW9yZS1zZWNyZXQ";
    const res = await handler(albEvent({ path: "/logout", multiValue: true, headers: { cookie } }));
    expect(res.statusCode).toBe(200);
    expect(JSON.stringify(res)).not.toContain("c2VjcmV0LXNlc3Npb24tdmFsdWU");
    expect(rawLogs.join("")).not.toContain("c2VjcmV0LXNlc3Npb24tdmFsdWU");
  });

  it("is not mistaken for a machine route even under a machine prefix", async () => {
    const { handler } = harness(server, {
      LOGOUT_PATH: "/api/logout",
      M2M_PATH_PREFIXES: "/api/",
      M2M_ISSUER: DEFAULT_M2M_ISSUER,
      M2M_JWKS_URI: `${server.url}/jwks.json`,
      M2M_AUDIENCE: "none",
    });
    const res = await handler(albEvent({ path: "/api/logout", multiValue: true }));
    expect(res.statusCode).toBe(200);
    expect(server.requests).toEqual([]);
  });
});
