// Cold starts and unexpected errors through the handler: one key fetch for 50 concurrent requests, a config error at cold start, 500 never a throw.
import { beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { createHandler } from "../../src/handler.js";
import { createLogger } from "../../src/log.js";
import { ALICE, mintAlbToken } from "../../src/testing/alb-token.js";
import { albEvent } from "../../src/testing/events.js";
import { createAlbKey } from "../../src/testing/keys.js";
import { body, captureLog, echoApp, harness, testEnv, useKeyServer } from "../helpers.js";

const key = createAlbKey();
const server = useKeyServer([key]);
beforeEach(async () => {
  server.setFault(undefined);
  await server.restart();
  server.requests.length = 0;
});

const event = (multiValue = false) => albEvent({ multiValue, oidc: { data: mintAlbToken({ key, claims: ALICE }), identity: "alice" } });

describe("cold start", () => {
  it("50 concurrent first requests share exactly one key fetch and all succeed", async () => {
    const { handler } = harness(server);
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => handler(event(i % 2 === 0))));
    expect(results.map((r) => r.statusCode)).toEqual(Array(50).fill(200));
    expect(server.requests).toEqual([`/${key.kid}`]);
  });

  it("a configuration error fails the cold start naming the variable", () => {
    const env = Object.fromEntries(Object.entries(testEnv(server)).filter(([k]) => k !== "LOAD_BALANCER_ARN"));
    expect(() => createApp(env, { app: echoApp })).toThrow(/^LOAD_BALANCER_ARN is required/);
  });
});

// Outages of the key endpoint (503 and recovery, 5xx, a warm instance, an unknown kid) are in test/security/key-faults.test.ts.

describe("unexpected errors", () => {
  it("become a 500 JSON result with the request id, logged, never a throw", async () => {
    const log = captureLog();
    const handler = createHandler({
      userTokens: {
        verify: () => Promise.reject(new TypeError("boom at eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.sig")),
      },
      logger: createLogger(log.write),
      app: echoApp,
    });
    const res = await handler(albEvent({ oidc: { data: "x.y.z" } }), { awsRequestId: "req-123" });
    expect(res.statusCode).toBe(500);
    expect(body(res)).toEqual({ message: "Internal Server Error", error: "internal_error", requestId: "req-123" });
    expect(res.body).not.toContain("boom");
    expect(log.logs[0]).toMatchObject({ level: "error", requestId: "req-123", status: 500, error: "internal_error" });
    expect(log.rawLogs[0]).toContain("TypeError: boom");
    expect(log.rawLogs[0]).not.toContain("eyJzdWIiOiJhbGljZSJ9");
  });

  it.each([null, undefined, 42, "event", [], { headers: null, multiValueHeaders: 7 }])(
    "answer a malformed event %j with 401",
    async (bad) => {
      const { handler } = harness(server);
      const res = await handler(bad as never);
      expect(res.statusCode).toBe(401);
      expect(body(res).error).toBe("missing_token");
    },
  );
});

describe("the request log", () => {
  it("writes one JSON line per request with id, method, path, status, code and duration", async () => {
    const { handler, logs } = harness(server);
    await handler(albEvent({ method: "POST", path: "/orders", oidc: { data: "garbage" } }), { awsRequestId: "r-1" });
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({
      level: "info",
      msg: "request",
      requestId: "r-1",
      method: "POST",
      path: "/orders",
      status: 401,
      error: "malformed_token",
    });
    expect(typeof logs[0]?.durationMs).toBe("number");
  });
});
