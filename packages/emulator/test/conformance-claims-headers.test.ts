// The x-amzn-oidc-* headers as docs/emulator-fidelity.md's "Headers added to the target" rows state them, read off a real login: the claims token's encoding, header fields, payload and signature, its key at the key endpoint, its lifetime.
import { createPublicKey, verify } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Browser } from "alb-oidc-target-test-support/browser";
import { startIdpProxy, type IdpProxy } from "./idp-proxy.js";
import { lastEvent, testEmulator, type TestEmulator } from "./setup.js";

let proxy: IdpProxy;
let alb: TestEmulator;
/** What the userinfo endpoint answered at the login, as the emulator received it. */
let userinfo: Record<string, unknown> = {};
let headers: Record<string, string | undefined> = {};
let loggedInAt = 0;

beforeAll(async () => {
  proxy = await startIdpProxy((call, body) => {
    if (call === "userinfo") userinfo = body;
    return body;
  });
  alb = await testEmulator({ adjustConfig: (c) => proxy.route(c) });
  loggedInAt = Math.floor(Date.now() / 1000);
  await new Browser().login(`${alb.url}/`, "alice");
  headers = lastEvent(alb).headers ?? {};
});
afterAll(async () => {
  await alb.stop();
  await proxy.close();
});

function part(i: number): string {
  return (headers["x-amzn-oidc-data"] ?? "").split(".")[i] ?? "";
}

function json(i: 0 | 1): Record<string, unknown> {
  return JSON.parse(Buffer.from(part(i), "base64url").toString("utf8")) as Record<string, unknown>;
}

describe("x-amzn-oidc-identity and x-amzn-oidc-accesstoken", () => {
  it("the identity is the sub the userinfo endpoint answered, in plain text", () => {
    expect(userinfo.sub).toBe("alice");
    expect(headers["x-amzn-oidc-identity"]).toBe(userinfo.sub);
  });

  it("the access token is the token endpoint's, in plain text: the one userinfo accepted", async () => {
    const access = headers["x-amzn-oidc-accesstoken"] ?? "";
    const me = await fetch(alb.config.UserInfoEndpoint, { headers: { authorization: `Bearer ${access}` } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { sub?: unknown }).sub).toBe("alice");
  });
});

describe("x-amzn-oidc-data", () => {
  it("is three base64url parts, each with its = padding (length a multiple of 4)", () => {
    const parts = (headers["x-amzn-oidc-data"] ?? "").split(".");
    expect(parts).toHaveLength(3);
    for (const p of parts) {
      expect(p).toMatch(/^[A-Za-z0-9_-]+={0,2}$/);
      expect(p.length % 4).toBe(0);
    }
  });

  it("has the header fields the ALB writes: alg ES256, a UUID kid, signer, iss, client, exp (and typ)", () => {
    const header = json(0);
    expect(Object.keys(header).sort()).toEqual(["alg", "client", "exp", "iss", "kid", "signer", "typ"]);
    expect(header).toMatchObject({
      typ: "JWT",
      alg: "ES256",
      iss: alb.config.Issuer,
      client: alb.config.ClientId,
      signer: alb.config.LoadBalancerArn,
    });
    expect(header.kid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it("carries the userinfo claims, with exp and iss added, and no aud or iat", () => {
    const payload = json(1);
    const { exp, iss, ...claims } = payload;
    expect(claims).toEqual(userinfo);
    expect(iss).toBe(alb.config.Issuer);
    expect(exp).toBe(json(0).exp);
    expect(payload).not.toHaveProperty("aud");
    expect(payload).not.toHaveProperty("iat");
  });

  it("expires about 60 seconds after it was minted (the lifetime observed at the ALB; AWS documents none)", () => {
    const exp = Number(json(0).exp);
    expect(exp - loggedInAt).toBeGreaterThanOrEqual(59);
    expect(exp - loggedInAt).toBeLessThanOrEqual(62);
  });

  it("is signed ES256 as r||s (64 bytes) over the padded parts, with the P-256 key the key endpoint serves as PEM at /<kid>", async () => {
    const signature = Buffer.from(part(2), "base64url");
    expect(signature).toHaveLength(64);
    const res = await fetch(`${alb.keyServer.url}/${String(json(0).kid)}`);
    expect(res.status).toBe(200);
    const pem = await res.text();
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    const key = createPublicKey(pem);
    expect(key.asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
    const input = Buffer.from(`${part(0)}.${part(1)}`);
    expect(verify("sha256", input, { key, dsaEncoding: "ieee-p1363" }, signature)).toBe(true);
    // The padding is part of the signed input: without it the signature does not hold.
    const unpadded = Buffer.from(`${part(0).replace(/=+$/, "")}.${part(1).replace(/=+$/, "")}`);
    if (!unpadded.equals(input)) expect(verify("sha256", unpadded, { key, dsaEncoding: "ieee-p1363" }, signature)).toBe(false);
  });
});
