// The middy middleware with the real @middy/core: principal on the context, refusals and special routes answered without the handler.
import middy from "@middy/core";
import type { ALBEvent, ALBResult, Context } from "aws-lambda";
import { describe, expect, it, vi } from "vitest";
import { albAuth, type AlbAuthContext } from "../../src/integrations/middy.js";
import { body, captureLog, useFakeAlb } from "../helpers.js";

const alb = useFakeAlb();

/** What Lambda passes: a plain context (the middleware adds the principal). */
const context = (id = "mid-1"): AlbAuthContext => ({ awsRequestId: id }) as Context as AlbAuthContext;

function build(inner: (event: ALBEvent, context: AlbAuthContext) => Promise<ALBResult> | ALBResult) {
  const spy = vi.fn(inner);
  const { logs, write } = captureLog();
  const handler = middy<ALBEvent, ALBResult, Error, AlbAuthContext>()
    .use(albAuth({ env: { ...alb.env, ...alb.machineEnv, M2M_PATH_PREFIXES: "/api/" }, writeLog: write }))
    .handler(spy);
  return { handler, spy, logs };
}

const hello = (_e: ALBEvent, c: AlbAuthContext): ALBResult => ({
  statusCode: 200,
  headers: { "x-sub": String(c.principal.sub) },
  body: "ok",
});

describe("alb-oidc-target/middy", () => {
  it("puts the user principal on context.principal and runs the handler", async () => {
    const { handler, spy } = build(hello);
    const res = await handler(alb.userEvent(), context());
    expect(res).toEqual({
      statusCode: 200,
      statusDescription: "200 OK",
      isBase64Encoded: false,
      headers: { "x-sub": "alice" },
      body: "ok",
    });
    expect(spy.mock.calls[0]?.[1].principal).toMatchObject({ type: "user", sub: "alice", claims: { email: "alice@example.com" } });
  });

  it("gives a machine principal with scopes on a machine route", async () => {
    const { handler, spy } = build(hello);
    await handler(alb.machineEvent({ path: "/api/notes", scopes: ["notes:read"] }), context());
    expect(spy.mock.calls[0]?.[1].principal).toMatchObject({ type: "machine", scopes: ["notes:read"] });
  });

  it("answers a refusal with our 401 and never calls the handler", async () => {
    const { handler, spy, logs } = build(hello);
    const res = await handler(alb.userEvent({ token: alb.badUserToken("tampered") }), context());
    expect(res.statusCode).toBe(401);
    expect(body(res)).toEqual({ message: "Token verification failed", error: "invalid_signature" });
    expect(spy).not.toHaveBeenCalled();
    expect(logs[0]).toMatchObject({ status: 401, error: "invalid_signature", requestId: "mid-1" });
  });

  it("answers the health check and logout without the handler", async () => {
    const { handler, spy } = build(hello);
    expect(body(await handler(alb.healthCheckEvent(), context()))).toEqual({ status: "ok" });
    expect((await handler(alb.userEvent({ path: "/logout" }), context())).statusCode).toBe(200);
    expect(spy).not.toHaveBeenCalled();
  });

  it("delivers the handler's result in the event's header mode", async () => {
    const { handler } = build(hello);
    const res = await handler(alb.userEvent({ multiValue: true }), context());
    expect(res.multiValueHeaders).toEqual({ "x-sub": ["alice"] });
    expect(res.headers).toBeUndefined();
  });

  it("answers a thrown error with 500 internal_error and the request id", async () => {
    const { handler, logs } = build(() => {
      throw new Error("handler broke");
    });
    const res = await handler(alb.userEvent(), context("mid-500"));
    expect(res.statusCode).toBe(500);
    expect(body(res)).toEqual({ message: "Internal Server Error", error: "internal_error", requestId: "mid-500" });
    expect(logs[0]).toMatchObject({ level: "error", status: 500, reason: "Error: handler broke" });
  });

  it("answers a malformed handler result with 500 internal_error", async () => {
    const { handler } = build(() => ({ body: "no status" }) as unknown as ALBResult);
    const res = await handler(alb.userEvent(), context("mid-bad"));
    expect(res.statusCode).toBe(500);
    expect(body(res)).toEqual({ message: "Internal Server Error", error: "internal_error", requestId: "mid-bad" });
  });

  it("leaves a response another error middleware already set", async () => {
    const teapot: ALBResult = { statusCode: 418, statusDescription: "418 I'm a teapot", body: "" };
    const spy = vi.fn(() => {
      throw new Error("handled elsewhere");
    });
    const handler = middy<ALBEvent, ALBResult, Error, AlbAuthContext>()
      .use(albAuth({ env: alb.env, writeLog: () => undefined }))
      .use({ onError: (request) => void (request.response = teapot) })
      .handler(spy);
    expect(await handler(alb.userEvent(), context())).toBe(teapot);
  });
});
