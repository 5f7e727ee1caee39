// What the function receives from the emulator (the ALB event built from the HTTP request) and how its result becomes the response.
import type { ALBEvent, ALBResult } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Browser } from "alb-oidc-target-test-support/browser";
import { lastEvent, testEmulator, type TestEmulator } from "./setup.js";

let alb: TestEmulator;
let browser: Browser;

beforeAll(async () => {
  alb = await testEmulator({ file: { OnUnauthenticatedRequest: "allow" } });
  browser = new Browser();
});
afterAll(async () => {
  await alb.stop();
});

/** Swaps the function for one answer; returns a restore function. */
function answerWith(answer: (ev: ALBEvent) => Promise<ALBResult>): () => void {
  const app = alb.app as { handler: (ev: ALBEvent) => Promise<ALBResult> };
  const real = app.handler;
  app.handler = answer;
  return () => {
    app.handler = real;
  };
}

describe("the ALB event", () => {
  it("carries method, path, the URL-encoded query (last value wins), lower-case headers, x-forwarded-* and a trace id", async () => {
    await browser.fetch(`${alb.url}/a%20b/c?q=x%20y&q=z&empty=`, { headers: { "X-Custom": "Value" } });
    const ev = lastEvent(alb);
    expect(ev.httpMethod).toBe("GET");
    expect(ev.path).toBe("/a%20b/c");
    expect(ev.queryStringParameters).toEqual({ q: "z", empty: "" });
    expect(ev.multiValueHeaders).toBeUndefined();
    expect(ev.requestContext.elb.targetGroupArn).toMatch(/^arn:aws:elasticloadbalancing:/);
    const h = ev.headers ?? {};
    expect(h["x-custom"]).toBe("Value");
    expect(h.host).toBe(`localhost:${alb.port}`);
    expect(h["x-forwarded-for"]).toBe("127.0.0.1");
    expect(h["x-forwarded-proto"]).toBe("http");
    expect(h["x-forwarded-port"]).toBe(String(alb.port));
    expect(h["x-amzn-trace-id"]).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    expect(ev.body).toBe("");
    expect(ev.isBase64Encoded).toBe(false);
  });

  it("passes a JSON body as text and any other body base64-encoded", async () => {
    await browser.fetch(`${alb.url}/post`, { method: "POST", body: '{"a":1}', headers: { "content-type": "application/json" } });
    expect(lastEvent(alb)).toMatchObject({ httpMethod: "POST", body: '{"a":1}', isBase64Encoded: false });
    await browser.fetch(`${alb.url}/post`, {
      method: "POST",
      body: new Uint8Array([0, 1, 2, 255]),
      headers: { "content-type": "image/png" },
    });
    expect(lastEvent(alb)).toMatchObject({ body: "AAEC/w==", isBase64Encoded: true });
  });

  it("refuses a body over 1 MB with 413 before the function is called", async () => {
    const before = alb.events.length;
    const res = await browser.fetch(`${alb.url}/post`, {
      method: "POST",
      body: "x".repeat(1024 * 1024 + 1),
      headers: { "content-type": "text/plain" },
    });
    expect(res.status).toBe(413);
    expect(alb.events.length).toBe(before);
  });
});

describe("the function's result", () => {
  it("becomes the response: status, headers, and a base64 body decoded with its length computed", async () => {
    const restore = answerWith(() =>
      Promise.resolve({
        statusCode: 418,
        statusDescription: "418 I'm a teapot",
        isBase64Encoded: true,
        headers: { "content-type": "application/octet-stream", "x-extra": "1" },
        body: Buffer.from([1, 2, 3]).toString("base64"),
      }),
    );
    try {
      const res = await browser.fetch(`${alb.url}/`);
      expect(res.status).toBe(418);
      expect(res.headers.get("x-extra")).toBe("1");
      expect(res.headers.get("content-length")).toBe("3");
      expect([...new Uint8Array(await res.arrayBuffer())]).toEqual([1, 2, 3]);
    } finally {
      restore();
    }
  });

  it.each<[string, () => Promise<ALBResult>]>([
    ["a result without a status code", () => Promise.resolve({ body: "x" } as unknown as ALBResult)],
    ["a non-string body", () => Promise.resolve({ statusCode: 200, body: { a: 1 } } as unknown as ALBResult)],
    ["a thrown error", () => Promise.reject(new Error("boom"))],
  ])("is a 502 when the function gives %s", async (_name, answer) => {
    const restore = answerWith(answer);
    try {
      const res = await browser.fetch(`${alb.url}/`);
      expect(res.status).toBe(502);
      expect(res.statusText).toBe("Bad Gateway");
      expect(await res.text()).not.toContain("boom");
    } finally {
      restore();
    }
  });
});
