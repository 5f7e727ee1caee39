// Bring your own logger: the `logger` option (withAlbAuth, createAlbAuth, both middlewares) gets the request line's fields instead of our stdout line, with the real Powertools Logger and console, and never a token, cookie or secret.
import { Logger } from "@aws-lambda-powertools/logger";
import { Router } from "@aws-lambda-powertools/event-handler/http";
import middy from "@middy/core";
import type { ALBEvent, ALBResult, Context } from "aws-lambda";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ConfigError, createAlbAuth, withAlbAuth, type AlbApp, type AlbAuthLogger, type AlbAuthOptions } from "../../src/api.js";
import { albAuth as middyAuth, type AlbAuthContext } from "../../src/integrations/middy.js";
import { albAuth as powertoolsAuth, type AlbAuthEnv } from "../../src/integrations/powertools.js";
import { useFakeAlb } from "../helpers.js";

const alb = useFakeAlb();

const env = () => ({ ...alb.env, ...alb.machineEnv, M2M_PATH_PREFIXES: "/api/" });
const ok: AlbApp = () => ({ statusCode: 200, body: "hi" });

/** Opaque secrets a request carries (not JWT-shaped: only their own values can find them). */
const ACCESS_TOKEN = "ya29.a0AfH6SMBopaqueAccessTokenValue";
const SESSION = "c2Vzc2lvbi1zaGFyZC16ZXJv";
const COOKIE = `AWSELBAuthSessionCookie-0=${SESSION}; lang=en`;

/** Everything the process writes to stdout and stderr while a test runs: where Powertools' Logger and our default line go. */
function captureOutput(): { text: () => string; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const capture = (chunk: unknown): boolean => {
    chunks.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, "write").mockImplementation(capture);
  vi.spyOn(process.stderr, "write").mockImplementation(capture);
  const text = () => chunks.join("");
  return {
    text,
    lines: () =>
      text()
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/** A logger recording its calls, as the option receives them. */
function recordingLogger(): AlbAuthLogger & { calls: [string, string, Record<string, unknown>][] } {
  const calls: [string, string, Record<string, unknown>][] = [];
  return {
    calls,
    info: (message, fields) => calls.push(["info", message, { ...fields }]),
    error: (message, fields) => calls.push(["error", message, { ...fields }]),
  };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("withAlbAuth with Powertools' Logger", () => {
  it("logs each request through the logger, as Powertools writes it, and writes no line of ours", async () => {
    const out = captureOutput();
    const handler = withAlbAuth(ok, { env: env(), logger: new Logger({ serviceName: "notes" }) });
    await handler(alb.userEvent({ path: "/notes" }), { awsRequestId: "req-1" });
    const lines = out.lines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: "INFO",
      message: "request",
      service: "notes",
      requestId: "req-1",
      method: "GET",
      path: "/notes",
      route: "user",
      status: 200,
    });
    expect(typeof lines[0]?.durationMs).toBe("number");
    // Powertools' own fields, not ours: our line has "msg" and "time".
    expect(lines[0]).not.toHaveProperty("msg");
  });

  it("a refused request carrying tokens and cookies: the logger gets the code, and none of them", async () => {
    const out = captureOutput();
    const handler = withAlbAuth(ok, { env: env(), logger: new Logger({ serviceName: "notes" }) });
    const token = alb.badUserToken("tampered");
    const event = alb.userEvent({ token, accessToken: ACCESS_TOKEN, headers: { cookie: COOKIE, authorization: `Bearer ${ACCESS_TOKEN}` } });
    expect((await handler(event, { awsRequestId: "req-2" })).statusCode).toBe(401);
    expect(out.lines()).toEqual([expect.objectContaining({ level: "INFO", status: 401, error: "invalid_signature", route: "user" })]);
    for (const secret of [token, token.split(".")[2] ?? "", ACCESS_TOKEN, SESSION]) expect(out.text()).not.toContain(secret);
  });

  it("an app error whose message holds the request's tokens: logged at ERROR without them", async () => {
    const out = captureOutput();
    const event = alb.userEvent({ accessToken: ACCESS_TOKEN, headers: { cookie: COOKIE } });
    const data = String(event.headers?.["x-amzn-oidc-data"]);
    const handler = withAlbAuth(
      () => {
        throw new Error(`failed for ${data} with ${ACCESS_TOKEN} and ${SESSION}`);
      },
      { env: env(), logger: new Logger({ serviceName: "notes" }) },
    );
    expect((await handler(event, { awsRequestId: "req-3" })).statusCode).toBe(500);
    expect(out.lines()).toEqual([expect.objectContaining({ level: "ERROR", status: 500, error: "internal_error" })]);
    expect(String(out.lines()[0]?.reason)).toMatch(/^Error: failed for \[redacted\] with \[redacted\] and \[redacted\]$/);
    for (const secret of [data.split(".")[1] ?? "", ACCESS_TOKEN, SESSION]) expect(out.text()).not.toContain(secret);
  });
});

describe("console as the logger", () => {
  it("console.info gets a passed request and console.error an app's error, each with the fields", async () => {
    const info = vi.spyOn(console, "info").mockImplementation(() => undefined);
    const error = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const passed = withAlbAuth(ok, { env: env(), logger: console });
    await passed(alb.userEvent(), { awsRequestId: "c-1" });
    expect(info).toHaveBeenCalledWith("request", expect.objectContaining({ requestId: "c-1", status: 200, route: "user" }));
    const broken = withAlbAuth(
      () => {
        throw new Error(`no ${ACCESS_TOKEN}`);
      },
      { env: env(), logger: console },
    );
    await broken(alb.userEvent({ accessToken: ACCESS_TOKEN }), { awsRequestId: "c-2" });
    expect(error).toHaveBeenCalledWith(
      "request",
      expect.objectContaining({ requestId: "c-2", status: 500, reason: "Error: no [redacted]" }),
    );
    expect(JSON.stringify([...info.mock.calls, ...error.mock.calls])).not.toContain(ACCESS_TOKEN);
  });
});

describe("createAlbAuth with a logger", () => {
  it("check's refusals and errorResult's errors reach the logger, without the request's secrets", async () => {
    const logger = recordingLogger();
    const auth = createAlbAuth({ env: env(), logger });
    const refused = await auth.check(alb.userEvent({ token: null, headers: { cookie: COOKIE } }), { awsRequestId: "a-1" });
    expect(refused.result?.statusCode).toBe(401);
    const event = alb.userEvent({ accessToken: ACCESS_TOKEN });
    auth.errorResult(new Error(`boom ${ACCESS_TOKEN}`), event, { awsRequestId: "a-2" });
    expect(logger.calls).toEqual([
      ["info", "request", expect.objectContaining({ requestId: "a-1", status: 401, error: "missing_token" })],
      ["error", "request", expect.objectContaining({ requestId: "a-2", status: 500, reason: "Error: boom [redacted]" })],
    ]);
    expect(JSON.stringify(logger.calls)).not.toContain(SESSION);
    expect(JSON.stringify(logger.calls)).not.toContain(ACCESS_TOKEN);
  });

  it("leaves out the fields a request did not have, and hands no undefined values on", async () => {
    const logger = recordingLogger();
    await createAlbAuth({ env: env(), logger }).check(alb.healthCheckEvent(), { awsRequestId: "h-1" });
    expect(logger.calls).toHaveLength(1);
    expect(Object.keys(logger.calls[0]?.[2] ?? {})).toEqual(["requestId", "method", "path", "route", "status", "durationMs"]);
  });
});

describe("the middlewares with a logger", () => {
  it("middy: a refusal is logged through Powertools' Logger", async () => {
    const out = captureOutput();
    const handler = middy<ALBEvent, ALBResult, Error, AlbAuthContext>()
      .use(middyAuth({ env: env(), logger: new Logger({ serviceName: "mw" }) }))
      .handler(() => ({ statusCode: 200, body: "" }));
    const res = await handler(alb.userEvent({ token: alb.badUserToken("expired") }), { awsRequestId: "m-1" } as AlbAuthContext);
    expect(res.statusCode).toBe(401);
    expect(out.lines()).toEqual([expect.objectContaining({ level: "INFO", service: "mw", requestId: "m-1", error: "expired" })]);
  });

  it("Powertools' Router: a refusal is logged through the logger", async () => {
    const logger = recordingLogger();
    const app = new Router<AlbAuthEnv>({
      logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    });
    app.use(powertoolsAuth({ env: env(), logger }));
    app.get("/me", () => ({ ok: true }));
    const res = await app.resolve(alb.userEvent({ path: "/me", token: null }), { awsRequestId: "p-1" } as Context);
    expect(res.statusCode).toBe(401);
    expect(logger.calls).toEqual([["info", "request", expect.objectContaining({ requestId: "p-1", path: "/me", error: "missing_token" })]]);
  });
});

describe("the option itself", () => {
  it.each<[string, AlbAuthOptions, string]>([
    [
      "without info and error",
      { logger: { info: () => undefined } as never },
      "logger must have info(message, fields) and error(message, fields) methods",
    ],
    [
      "with writeLog",
      { logger: console, writeLog: () => undefined },
      "logger must not be given with writeLog: the logger gets the fields of the line writeLog would get",
    ],
  ])("fails %s, naming the option", (_name, options, message) => {
    expect(() => createAlbAuth({ env: env(), ...options })).toThrow(ConfigError);
    expect(() => createAlbAuth({ env: env(), ...options })).toThrow(message);
  });
});
