// The Lambda event as docs/emulator-fidelity.md's "Lambda event" rows state it, built from real requests: which bodies arrive as text (Content-Encoding or type), query keys left URL-encoded, repeated headers and keys in both header modes.
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawRequest } from "./raw-http.js";
import { lastEvent, testEmulator, type TestEmulator } from "./setup.js";

describe("a single-value target group", () => {
  let alb: TestEmulator;
  beforeAll(async () => {
    // allow: the requests reach the function without a login.
    alb = await testEmulator({ file: { OnUnauthenticatedRequest: "allow" } });
  });
  afterAll(async () => {
    await alb.stop();
  });

  async function post(contentType: string | undefined, body: string): Promise<{ body: string; isBase64Encoded: boolean }> {
    const res = await fetch(`${alb.url}/post`, {
      method: "POST",
      body: new TextEncoder().encode(body),
      headers: contentType === undefined ? {} : { "content-type": contentType },
    });
    await res.arrayBuffer();
    const { body: b, isBase64Encoded } = lastEvent(alb);
    return { body: b ?? "", isBase64Encoded };
  }

  it.each(["text/plain", "text/csv; charset=utf-8", "application/json; charset=utf-8", "application/javascript", "application/xml"])(
    "passes a %s body as is",
    async (type) => {
      expect(await post(type, "a,b <x/> é")).toEqual({ body: "a,b <x/> é", isBase64Encoded: false });
    },
  );

  it.each(["application/x-www-form-urlencoded", "application/octet-stream", "image/svg+xml", undefined])(
    "base64-encodes a body of type %s",
    async (type) => {
      expect(await post(type, "a=b&c=d")).toEqual({ body: Buffer.from("a=b&c=d").toString("base64"), isBase64Encoded: true });
    },
  );

  it("base64-encodes any body sent with a Content-Encoding, a JSON one included, its bytes kept", async () => {
    const gzipped = gzipSync('{"a":1}');
    const res = await fetch(`${alb.url}/post`, {
      method: "POST",
      body: gzipped,
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
    });
    await res.arrayBuffer();
    const ev = lastEvent(alb);
    expect(ev.isBase64Encoded).toBe(true);
    expect(Buffer.from(ev.body ?? "", "base64").equals(gzipped)).toBe(true);
  });

  it("keeps the last of two Cookie header lines, as AWS's example shows", async () => {
    const port = Number(new URL(alb.url).port);
    await rawRequest(port, [
      "GET /c HTTP/1.1",
      `host: localhost:${port}`,
      "cookie: name1=value1",
      "cookie: name2=value2",
      "connection: close",
    ]);
    expect(lastEvent(alb).headers?.cookie).toBe("name2=value2");
  });

  it("leaves query keys and values URL-encoded as the client sent them ('+' stays '+'); a key without = has the value ''", async () => {
    const res = await fetch(`${alb.url}/q?a%20b=c%2Fd&plus=a+b&flag&%C3%A9=%C3%A9`);
    await res.arrayBuffer();
    expect(lastEvent(alb).queryStringParameters).toEqual({ "a%20b": "c%2Fd", plus: "a+b", flag: "", "%C3%A9": "%C3%A9" });
  });

  it("keeps the last value of a repeated header and of a repeated query key", async () => {
    const port = new URL(alb.url).port;
    await rawRequest(Number(port), [
      "GET /r?k=1&k=2 HTTP/1.1",
      `host: localhost:${port}`,
      "x-dup: first",
      "x-dup: second",
      "connection: close",
    ]);
    const ev = lastEvent(alb);
    expect(ev.headers?.["x-dup"]).toBe("second");
    expect(ev.queryStringParameters).toEqual({ k: "2" });
    expect(ev.multiValueHeaders).toBeUndefined();
  });
});

describe("a multi-value target group", () => {
  let alb: TestEmulator;
  beforeAll(async () => {
    alb = await testEmulator({ file: { OnUnauthenticatedRequest: "allow", MultiValueHeaders: true } });
  });
  afterAll(async () => {
    await alb.stop();
  });

  it("keeps every value of a repeated header and query key, in order, and sends neither single-value field", async () => {
    const port = new URL(alb.url).port;
    await rawRequest(Number(port), [
      "GET /r?k=1&k=2 HTTP/1.1",
      `host: localhost:${port}`,
      "X-Dup: first",
      "x-dup: second",
      "connection: close",
    ]);
    const ev = lastEvent(alb);
    expect(ev.multiValueHeaders?.["x-dup"]).toEqual(["first", "second"]);
    expect(ev.multiValueQueryStringParameters).toEqual({ k: ["1", "2"] });
    expect(ev.headers).toBeUndefined();
    expect(ev.queryStringParameters).toBeUndefined();
  });
});
