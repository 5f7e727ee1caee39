// withAlbAuth and createAlbAuth: the app is called only after authentication, its result is delivered in the event's header mode, and options win over variables.
import type { ALBResult } from "aws-lambda";
import { describe, expect, it, vi } from "vitest";
import { AuthError, ConfigError, createAlbAuth, withAlbAuth, type AlbApp, type AlbAuthOptions, type Principal } from "../../src/api.js";
import { body, captureLog, useFakeAlb } from "../helpers.js";

const alb = useFakeAlb();

const ok: AlbApp = ({ principal }) => ({
  statusCode: 200,
  headers: { "content-type": "text/plain", "x-sub": String(principal.sub) },
  body: "hi",
});

/** withAlbAuth over the fake ALB with a spy app and captured log lines. */
function build(app: AlbApp = ok, options: AlbAuthOptions = {}) {
  const { logs, rawLogs, write } = captureLog();
  const spy = vi.fn(app);
  const handler = withAlbAuth(spy, { env: { ...alb.env, ...alb.machineEnv, M2M_PATH_PREFIXES: "/api/" }, writeLog: write, ...options });
  return { handler, spy, lines: rawLogs, logs: () => logs };
}

describe("withAlbAuth", () => {
  it("calls the app with the user principal and delivers its result", async () => {
    const { handler, spy } = build();
    const event = alb.userEvent({ path: "/notes" });
    const res = await handler(event, { awsRequestId: "r-1" });
    expect(res).toEqual({
      statusCode: 200,
      statusDescription: "200 OK",
      isBase64Encoded: false,
      headers: { "content-type": "text/plain", "x-sub": "alice" },
      body: "hi",
    });
    expect(spy).toHaveBeenCalledTimes(1);
    const { principal, event: seen, context } = spy.mock.calls[0]?.[0] ?? ({} as never);
    expect(seen).toBe(event);
    expect(context.awsRequestId).toBe("r-1");
    expect(principal).toMatchObject({
      type: "user",
      sub: "alice",
      claims: { sub: "alice", email: "alice@example.com", iss: alb.env.ISSUER },
    });
    expect(principal.type === "user" && principal.accessToken).toMatch(/^fake-alb-/);
  });

  it("gives a machine principal with its scopes on a machine route", async () => {
    let seen: Principal | undefined;
    const { handler } = build(({ principal }) => {
      seen = principal;
      return { statusCode: 204 };
    });
    const res = await handler(alb.machineEvent({ path: "/api/notes", scopes: ["notes:read", "notes:write"], clientId: "reporting" }));
    expect(res.statusCode).toBe(204);
    expect(res.statusDescription).toBe("204 No Content");
    expect(seen).toMatchObject({ type: "machine", clientId: "reporting", sub: "reporting", scopes: ["notes:read", "notes:write"] });
    expect(seen?.claims).toMatchObject({ iss: alb.machineEnv.M2M_ISSUER, client_id: "reporting" });
  });

  it.each([
    ["no token", () => alb.userEvent({ token: null }), "missing_token"],
    ["an expired token", () => alb.userEvent({ token: alb.badUserToken("expired") }), "expired"],
    ["a foreign signer", () => alb.userEvent({ token: alb.badUserToken("foreign-signer") }), "invalid_signer"],
    ["a tampered token", () => alb.userEvent({ token: alb.badUserToken("tampered") }), "invalid_signature"],
  ])("answers %s with 401 and never calls the app", async (_name, event, code) => {
    const { handler, spy, logs } = build();
    const res = await handler(event());
    expect(res.statusCode).toBe(401);
    expect(body(res)).toEqual({ message: "Token verification failed", error: code });
    expect(spy).not.toHaveBeenCalled();
    expect(logs()).toEqual([expect.objectContaining({ msg: "request", status: 401, error: code, route: "user" })]);
  });

  it("answers the health check and logout without calling the app", async () => {
    const { handler, spy } = build();
    const health = await handler(alb.healthCheckEvent());
    expect(health.statusCode).toBe(200);
    expect(body(health)).toEqual({ status: "ok" });
    const logout = await handler(alb.userEvent({ path: "/logout", multiValue: true }));
    expect(logout.statusCode).toBe(200);
    expect(logout.multiValueHeaders?.["set-cookie"]).toHaveLength(4);
    expect(spy).not.toHaveBeenCalled();
  });

  it("turns the app's headers into multiValueHeaders for a multi-value event", async () => {
    const { handler } = build();
    const res = await handler(alb.userEvent({ multiValue: true }));
    expect(res.headers).toBeUndefined();
    expect(res.multiValueHeaders).toEqual({ "content-type": ["text/plain"], "x-sub": ["alice"] });
  });

  it("turns the app's multiValueHeaders into headers for a single-value event (first value)", async () => {
    const { handler } = build(() => ({ statusCode: 201, multiValueHeaders: { "set-cookie": ["a=1", "b=2"], location: ["/n/1"] } }));
    const res = await handler(alb.userEvent());
    expect(res.multiValueHeaders).toBeUndefined();
    expect(res.headers).toEqual({ "set-cookie": "a=1", location: "/n/1" });
    expect(res.statusDescription).toBe("201 Created");
    expect(res.body).toBe("");
  });

  it("keeps a statusDescription the app set", async () => {
    const { handler } = build(() => ({ statusCode: 418, statusDescription: "418 I'm a teapot", body: "tea" }));
    expect((await handler(alb.userEvent())).statusDescription).toBe("418 I'm a teapot");
  });

  it("answers a thrown error with 500 internal_error and the request id, logging the error without tokens", async () => {
    const event = alb.userEvent();
    const token = String(event.headers?.["x-amzn-oidc-data"]);
    const { handler, lines, logs } = build(() => {
      throw new Error(`db down while serving ${token}`);
    });
    const res = await handler(event, { awsRequestId: "req-9" });
    expect(res.statusCode).toBe(500);
    expect(res.statusDescription).toBe("500 Internal Server Error");
    expect(body(res)).toEqual({ message: "Internal Server Error", error: "internal_error", requestId: "req-9" });
    expect(logs()[0]).toMatchObject({ level: "error", status: 500, error: "internal_error", requestId: "req-9" });
    expect(lines.join("")).toContain("db down");
    expect(lines.join("")).not.toContain(token.split(".")[1]?.slice(0, 40));
  });

  it("never logs the request's own access token, authorization or cookie that an app's error message repeats", async () => {
    // Opaque, not JWT-shaped: the pattern scrub cannot see them.
    const accessToken = "ya29.a0AfH6SMBopaqueAccessTokenValue";
    const basic = "dXNlcjpzM2NyM3QtcGFzc3dvcmQ=";
    const session = "c2Vzc2lvbi1zaGFyZC16ZXJv";
    const cookie = `AWSELBAuthSessionCookie-0=${session}; lang=en`;
    const event = alb.userEvent({ accessToken, headers: { authorization: `Basic ${basic}`, cookie } });
    const { handler, lines, logs } = build(() => {
      throw new Error(`upstream refused ${accessToken} (authorization Basic ${basic}, session ${session}, cookies ${cookie})`);
    });
    expect((await handler(event)).statusCode).toBe(500);
    expect(logs()[0]?.reason).toMatch(/^Error: upstream refused \[redacted\]/);
    for (const secret of [accessToken, basic, session, cookie]) expect(lines.join("")).not.toContain(secret);
  });

  it.each([
    ["undefined", undefined],
    ["a string", "hello"],
    ["no statusCode", { body: "x" }],
    ["statusCode 99", { statusCode: 99 }],
    ["a non-string body", { statusCode: 200, body: { a: 1 } }],
    ["headers with an object value", { statusCode: 200, headers: { a: {} } }],
    ["multiValueHeaders with a string", { statusCode: 200, multiValueHeaders: { a: "b" } }],
  ])("answers a malformed result (%s) with 500 internal_error", async (_name, value) => {
    const { handler, logs } = build(() => value as ALBResult);
    const res = await handler(alb.userEvent(), { awsRequestId: "req-m" });
    expect(res.statusCode).toBe(500);
    expect(body(res)).toEqual({ message: "Internal Server Error", error: "internal_error", requestId: "req-m" });
    expect(String(logs()[0]?.reason)).toMatch(/^TypeError: the app/);
  });

  it("lets the app refuse with an AuthError, answered like any refusal", async () => {
    const { handler } = build(() => {
      throw new AuthError("forbidden", "not the owner");
    });
    const res = await handler(alb.userEvent());
    expect(res.statusCode).toBe(403);
    expect(body(res)).toEqual({ message: "Forbidden", error: "forbidden" });
  });

  it("refuses a non-function app", () => {
    expect(() => withAlbAuth(undefined as never)).toThrow(TypeError);
  });
});

describe("options", () => {
  it("win over the variables", async () => {
    const { handler, spy } = build(ok, { clientId: "another-client" });
    const res = await handler(alb.userEvent());
    expect(body(res).error).toBe("invalid_client");
    expect(spy).not.toHaveBeenCalled();
  });

  it("configure everything without variables", async () => {
    const handler = withAlbAuth(ok, {
      env: {},
      loadBalancerArn: alb.env.LOAD_BALANCER_ARN,
      issuer: alb.env.ISSUER,
      clientId: [alb.env.CLIENT_ID, "second"],
      publicKeyEndpoint: alb.env.ALB_PUBLIC_KEY_ENDPOINT,
      writeLog: () => undefined,
    });
    expect((await handler(alb.userEvent())).statusCode).toBe(200);
  });

  it("apply authorization rules (allowedEmailDomains)", async () => {
    const { handler, spy } = build(ok, { allowedEmailDomains: ["example.org"] });
    const res = await handler(alb.userEvent());
    expect(res.statusCode).toBe(403);
    expect(body(res).error).toBe("forbidden");
    expect(spy).not.toHaveBeenCalled();
  });

  it("machine.audience null checks no aud; a list demands one of them", async () => {
    const none = build(ok, { machine: { audience: null } });
    expect((await none.handler(alb.machineEvent({ path: "/api/x", audience: "https://elsewhere.example" }))).statusCode).toBe(200);
    const strict = build(ok, { machine: { audience: ["https://only.example"] } });
    const res = await strict.handler(alb.machineEvent({ path: "/api/x" }));
    expect(body(res).error).toBe("invalid_audience");
  });

  it.each<[AlbAuthOptions, RegExp]>([
    [{ issuer: "http://idp.example.com" }, /^issuer must use https:\/\//],
    [{ issuer: "" }, /^issuer must not be empty/],
    [{ clientId: [] }, /^clientId must hold at least one value/],
    [{ loadBalancerArn: "arn:nope" }, /^loadBalancerArn must hold Application Load Balancer ARNs, got "arn:nope"/],
    [{ keyFetchTimeoutMs: 5 }, /^keyFetchTimeoutMs must be a whole number from 50 to 30000, got "5"/],
    [{ verifiedTokenCache: "yes" as never }, /^verifiedTokenCache must be true or false/],
    [{ machine: { pathPrefixes: ["api/"] } }, /^machine\.pathPrefixes must hold paths starting with "\/"/],
    [{ machine: { jwksUri: "ftp://x" } }, /^machine\.jwksUri must use https:\/\//],
    [{ requiredUserClaims: { groups: [] } }, /^requiredUserClaims must map "groups"/],
  ])("a bad option fails naming the option: %j", (options, message) => {
    const env = { ...alb.env, ...alb.machineEnv, M2M_PATH_PREFIXES: "/api/" };
    let err: unknown;
    try {
      withAlbAuth(ok, { env, ...options });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(message);
  });

  it("a bad variable still fails naming the variable", () => {
    expect(() => withAlbAuth(ok, { env: { ...alb.env, ISSUER: "http://idp.example.com" } })).toThrow(/^ISSUER must use https:\/\//);
  });

  it("reads process.env by default, once, when withAlbAuth runs", async () => {
    for (const [k, v] of Object.entries(alb.env)) vi.stubEnv(k, v);
    const handler = withAlbAuth(ok, { writeLog: () => undefined });
    vi.stubEnv("CLIENT_ID", "changed-later");
    expect((await handler(alb.userEvent())).statusCode).toBe(200);
  });
});

describe("createAlbAuth", () => {
  const env = () => ({ ...alb.env, ...alb.machineEnv, M2M_PATH_PREFIXES: "/api/" });

  it("authenticate resolves the principal", async () => {
    const auth = createAlbAuth({ env: env(), writeLog: () => undefined });
    await expect(auth.authenticate(alb.userEvent())).resolves.toMatchObject({ type: "user", sub: "alice" });
    await expect(auth.authenticate(alb.machineEvent({ path: "/api/a", scopes: "notes:read" }))).resolves.toMatchObject({
      type: "machine",
      scopes: ["notes:read"],
    });
  });

  it("authenticate rejects with an AuthError carrying code and status, also on the health path", async () => {
    const auth = createAlbAuth({ env: env(), writeLog: () => undefined });
    await expect(auth.authenticate(alb.userEvent({ token: alb.badUserToken("wrong-issuer") }))).rejects.toMatchObject({
      name: "AuthError",
      code: "invalid_issuer",
      status: 401,
    });
    await expect(auth.authenticate(alb.healthCheckEvent())).rejects.toMatchObject({ code: "missing_token" });
  });

  it("errorResult gives the ALB result withAlbAuth would answer, in the event's mode", async () => {
    const auth = createAlbAuth({ env: env(), writeLog: () => undefined });
    const event = alb.userEvent({ token: alb.badUserToken("expired"), multiValue: true });
    const err = await auth.authenticate(event).catch((e: unknown) => e);
    const res = auth.errorResult(err, event);
    expect(res.statusCode).toBe(401);
    expect(res.multiValueHeaders?.["www-authenticate"]).toEqual(['Bearer error="invalid_token"']);
    expect(body(res)).toEqual({ message: "Token verification failed", error: "expired" });
    const crash = auth.errorResult(new Error("boom"), event, { awsRequestId: "x-1" });
    expect(body(crash)).toEqual({ message: "Internal Server Error", error: "internal_error", requestId: "x-1" });
  });

  it("errorResult never logs the request's own access token that the error message repeats", () => {
    const log = captureLog();
    const auth = createAlbAuth({ env: env(), writeLog: log.write });
    const accessToken = "ya29.a0AfH6SMBopaqueAccessTokenValue";
    const event = alb.userEvent({ accessToken });
    const res = auth.errorResult(new Error(`db down while serving ${accessToken}`), event, { awsRequestId: "x-2" });
    expect(res.statusCode).toBe(500);
    expect(log.logs[0]).toMatchObject({ status: 500, reason: "Error: db down while serving [redacted]" });
    expect(log.rawLogs.join("")).not.toContain(accessToken);
  });

  it("check answers health and refusals, and hands on principals", async () => {
    const log = captureLog();
    const auth = createAlbAuth({ env: env(), writeLog: log.write });
    const health = await auth.check(alb.healthCheckEvent());
    expect(health.result?.statusCode).toBe(200);
    const refused = await auth.check(alb.userEvent({ token: null }));
    expect(refused.result?.statusCode).toBe(401);
    const passed = await auth.check(alb.userEvent());
    expect(passed.principal?.sub).toBe("alice");
    expect(log.logs.map((l) => l.status)).toEqual([200, 401]);
  });

  it("verifyHeaders verifies a container target's header map", async () => {
    const auth = createAlbAuth({ env: env(), writeLog: () => undefined });
    const event = alb.userEvent();
    const headers = { ...event.headers } as Record<string, string>;
    await expect(auth.verifyHeaders(headers)).resolves.toMatchObject({ type: "user", sub: "alice" });
    await expect(
      auth.verifyHeaders({ ...headers, "x-amzn-oidc-data": [headers["x-amzn-oidc-data"] ?? "", "again"] }),
    ).rejects.toMatchObject({
      code: "ambiguous_header",
    });
    await expect(
      auth.verifyHeaders({ authorization: `Bearer ${alb.machineToken({ scopes: "a" })}` }, { path: "/api/x" }),
    ).resolves.toMatchObject({
      type: "machine",
    });
    await expect(auth.verifyHeaders({})).rejects.toBeInstanceOf(AuthError);
  });
});
