// Cold starts, outages and unexpected errors through the handler: one key fetch for 50 concurrent requests, 503 then recovery, 500 never a throw.
import { beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { createHandler } from "../../src/handler.js";
import { createWhoami } from "../../src/whoami.js";
import { createLogger } from "../../src/log.js";
import { ALICE, mintAlbToken } from "../../src/testing/alb-token.js";
import { albEvent } from "../../src/testing/events.js";
import { createAlbKey } from "../../src/testing/keys.js";
import { body, harness, header, testEnv, useKeyServer } from "../helpers.js";

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
    expect(() => createApp(env)).toThrow(/^LOAD_BALANCER_ARN is required/);
  });
});

describe("key endpoint outage", () => {
  it("answers 503 keys_unavailable with retry-after while down, then 200 once it is back", async () => {
    const { handler } = harness(server);
    await server.stop();
    for (const multiValue of [false, true]) {
      const down = await handler(event(multiValue));
      expect(down.statusCode).toBe(503);
      expect(down.statusDescription).toBe("503 Service Unavailable");
      expect(body(down)).toEqual({ error: "keys_unavailable" });
      expect(header(down, "retry-after")).toBe("5");
    }
    await server.restart();
    const up = await handler(event());
    expect(up.statusCode).toBe(200);
  });

  it("a 5xx from the endpoint is an outage, not a rejection", async () => {
    const { handler } = harness(server);
    server.setFault((_req, res) => res.writeHead(502).end());
    expect((await handler(event())).statusCode).toBe(503);
  });

  it("a warm instance with the key cached keeps answering 200 during an outage", async () => {
    const { handler } = harness(server);
    expect((await handler(event())).statusCode).toBe(200);
    await server.stop();
    expect((await handler(event())).statusCode).toBe(200);
    expect(server.requests).toHaveLength(1);
  });

  it("a kid the endpoint does not know (404) is 401 unknown_key", async () => {
    const { handler } = harness(server);
    const stranger = createAlbKey();
    const res = await handler(albEvent({ oidc: { data: mintAlbToken({ key: stranger }) } }));
    expect(res.statusCode).toBe(401);
    expect(body(res).error).toBe("unknown_key");
  });
});

describe("unexpected errors", () => {
  it("become a 500 JSON result with the request id, logged, never a throw", async () => {
    const lines: string[] = [];
    const handler = createHandler({
      userTokens: {
        verify: () => Promise.reject(new TypeError("boom at eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.sig")),
      },
      logger: createLogger((l) => lines.push(l)),
      app: createWhoami(),
    });
    const res = await handler(albEvent({ oidc: { data: "x.y.z" } }), { awsRequestId: "req-123" });
    expect(res.statusCode).toBe(500);
    expect(body(res)).toEqual({ message: "Internal Server Error", error: "internal_error", requestId: "req-123" });
    expect(res.body).not.toContain("boom");
    const log = JSON.parse(lines[0] ?? "{}") as Record<string, unknown>;
    expect(log).toMatchObject({ level: "error", requestId: "req-123", status: 500, error: "internal_error" });
    expect(lines[0]).toContain("TypeError: boom");
    expect(lines[0]).not.toContain("eyJzdWIiOiJhbGljZSJ9");
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
