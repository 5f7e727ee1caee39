// The fake ALB's pieces: its tokens are standard ES256 JWS that an independent library (jose) verifies, in the ALB wire format; its events are the ALB's.
import type { ALBEvent } from "aws-lambda";
import { compactVerify, decodeProtectedHeader } from "jose";
import { describe, expect, it } from "vitest";
import { ALICE, DEFAULT_ALB_ARN, DEFAULT_CLIENT_ID, DEFAULT_ISSUER, decodePart, mintAlbToken } from "../../src/testing/alb-token.js";
import { albEvent, healthCheckEvent, userEvent } from "../../src/testing/events.js";
import { createAlbKey } from "../../src/testing/keys.js";
import { startKeyServer } from "../../src/testing/key-server.js";
import { useFakeAlb } from "../helpers.js";

describe("mintAlbToken", () => {
  const key = createAlbKey();

  it("mints a JWS that jose verifies with the public key", async () => {
    const token = mintAlbToken({ key, claims: ALICE, now: Date.now() });
    const { payload } = await compactVerify(token, key.publicKey);
    expect(JSON.parse(Buffer.from(payload).toString())).toMatchObject({ sub: "alice", iss: DEFAULT_ISSUER });
  });

  it("uses the ALB header fields, in the ALB's order, and the ALB payload fields", () => {
    const token = mintAlbToken({ key, claims: ALICE, now: 1_700_000_000_000 });
    expect(Object.keys(decodeProtectedHeader(token))).toEqual(["typ", "kid", "alg", "iss", "client", "signer", "exp"]);
    expect(decodePart(token, 0)).toEqual({
      typ: "JWT",
      kid: key.kid,
      alg: "ES256",
      iss: DEFAULT_ISSUER,
      client: DEFAULT_CLIENT_ID,
      signer: DEFAULT_ALB_ARN,
      exp: 1_700_000_060,
    });
    expect(decodePart(token, 1)).toEqual({ ...ALICE, exp: 1_700_000_060, iss: DEFAULT_ISSUER });
  });

  it("pads every part with = and signs 64 bytes r||s", () => {
    const parts = mintAlbToken({ key, claims: { sub: "ab" } }).split(".");
    expect(parts).toHaveLength(3);
    for (const p of parts) expect(p).toMatch(/^[A-Za-z0-9_-]+={0,2}$/);
    expect(parts.some((p) => p.endsWith("="))).toBe(true);
    expect(Buffer.from(parts[2] ?? "", "base64")).toHaveLength(64);
  });

  it("breaks its own signature when the padding is stripped after signing", async () => {
    const token = mintAlbToken({ key, claims: { sub: "ab" } });
    const stripped = token
      .split(".")
      .map((p) => p.replace(/=+$/, ""))
      .join(".");
    expect(stripped).not.toBe(token);
    await expect(compactVerify(stripped, key.publicKey)).rejects.toThrow();
  });
});

describe("albEvent", () => {
  it("URL-encodes query values and lower-cases header names, last value wins in single-value mode", () => {
    const e = albEvent({ query: { q: "a b&c", tag: ["x", "y"] }, headers: { "X-Custom": ["1", "2"] } });
    expect(e.queryStringParameters).toEqual({ q: "a%20b%26c", tag: "y" });
    expect(e.headers?.["x-custom"]).toBe("2");
    expect(e.multiValueHeaders).toBeUndefined();
  });

  it("keeps all values in multi-value mode and never sets the single-value maps", () => {
    const e = albEvent({ multiValue: true, query: { tag: ["x", "y"] }, headers: { "x-custom": ["1", "2"] } });
    expect(e.multiValueQueryStringParameters).toEqual({ tag: ["x", "y"] });
    expect(e.multiValueHeaders?.["x-custom"]).toEqual(["1", "2"]);
    expect(e.headers).toBeUndefined();
    expect(e.queryStringParameters).toBeUndefined();
  });

  it("passes text bodies as is and base64-encodes the others, as the ALB does", () => {
    const json = albEvent({ method: "POST", headers: { "content-type": "application/json" }, body: '{"a":1}' });
    expect(json).toMatchObject({ body: '{"a":1}', isBase64Encoded: false });
    const bin = albEvent({ method: "POST", headers: { "content-type": "application/octet-stream" }, body: "hi" });
    expect(bin).toMatchObject({ body: "aGk=", isBase64Encoded: true });
  });

  it("adds the forwarding and trace headers", () => {
    const h = albEvent().headers ?? {};
    expect(h["x-forwarded-proto"]).toBe("https");
    expect(h["x-forwarded-port"]).toBe("443");
    expect(h["x-amzn-trace-id"]).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
  });

  it("builds the health check with only the checker's user agent", () => {
    expect(healthCheckEvent("/health").headers).toEqual({ "user-agent": "ELB-HealthChecker/2.0" });
  });
});

describe("userEvent", () => {
  it("carries the token given, identity alice and a random opaque access token by default", () => {
    const token = mintAlbToken({ key: createAlbKey() });
    const e = userEvent({ token, path: "/notes" });
    expect(e.path).toBe("/notes");
    expect(e.headers?.["x-amzn-oidc-data"]).toBe(token);
    expect(e.headers?.["x-amzn-oidc-identity"]).toBe("alice");
    expect(e.headers?.["x-amzn-oidc-accesstoken"]).toMatch(/^fake-alb-[0-9a-f]{32}$/);
    expect(userEvent({ token }).headers?.["x-amzn-oidc-accesstoken"]).not.toBe(e.headers?.["x-amzn-oidc-accesstoken"]);
  });

  it("sends no x-amzn-oidc-* header given null (or no token), in either header mode", () => {
    const e = userEvent({ identity: null, accessToken: null, multiValue: true });
    expect(Object.keys(e.multiValueHeaders ?? {}).filter((k) => k.startsWith("x-amzn-oidc-"))).toEqual([]);
    expect(e.headers).toBeUndefined();
  });

  describe("the fake ALB's userEvent", () => {
    const alb = useFakeAlb();

    it("is the same event, built around its own token", () => {
      const token = alb.userToken();
      const ours = userEvent({ token, identity: "alice", accessToken: "at", method: "POST", query: { q: "1" }, headers: { a: "b" } });
      const kits = alb.userEvent({ token, accessToken: "at", method: "POST", query: { q: "1" }, headers: { a: "b" } });
      const withoutTrace = (e: ALBEvent): unknown => ({ ...e, headers: { ...e.headers, "x-amzn-trace-id": "" } });
      expect(withoutTrace(kits)).toEqual(withoutTrace(ours));
    });
  });
});

describe("startKeyServer", () => {
  it("serves PEMs at /<kid>, 404 otherwise, counts requests, and refuses connections while stopped", async () => {
    const key = createAlbKey();
    const server = await startKeyServer({ keys: [key] });
    try {
      const ok = await fetch(`${server.url}/${key.kid}`);
      expect(ok.status).toBe(200);
      expect(await ok.text()).toBe(key.publicKeyPem);
      expect((await fetch(`${server.url}/nope`)).status).toBe(404);
      expect(server.requests).toEqual([`/${key.kid}`, "/nope"]);
      await server.stop();
      await expect(fetch(`${server.url}/${key.kid}`)).rejects.toThrow();
      await server.restart();
      expect((await fetch(`${server.url}/${key.kid}`)).status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});
