// The ALB key cache against a real loopback key server: one fetch per kid, outage vs unknown key, negative cache, flood limit, bound.
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { KeysUnavailableError } from "../../src/errors.js";
import { AlbKeyCache, pemToAlbJwk } from "../../src/keys/alb-keys.js";
import { createAlbKey, createP384Key, createRsaKey } from "../../src/testing/keys.js";
import { codeOf as kitCodeOf, useKeyServer } from "../helpers.js";

const key = createAlbKey();
const server = useKeyServer([key]);
afterEach(() => {
  server.setFault(undefined);
  server.requests.length = 0;
});

function cache(extra: Partial<ConstructorParameters<typeof AlbKeyCache>[0]> = {}): AlbKeyCache {
  return new AlbKeyCache({ endpoint: server.url, timeoutMs: 500, ...extra });
}

/** A key lookup's refusal code; "resolved" when a key came back. */
const codeOf = (p: Promise<unknown>): Promise<string> => kitCodeOf(p, { resolved: "resolved" });

describe("AlbKeyCache", () => {
  it("fetches <endpoint>/<kid> once and serves the key from memory afterwards", async () => {
    const c = cache();
    const jwk = await c.get(key.kid);
    expect(jwk).toMatchObject({ kty: "EC", crv: "P-256", alg: "ES256", use: "sig", kid: key.kid });
    await c.get(key.kid);
    expect(server.requests).toEqual([`/${key.kid}`]);
  });

  it("shares one fetch between 50 concurrent first requests", async () => {
    const c = cache();
    const all = await Promise.all(Array.from({ length: 50 }, () => c.get(key.kid)));
    expect(new Set(all).size).toBe(1);
    expect(server.requests).toHaveLength(1);
  });

  it("never sends a kid that is not a UUID", async () => {
    const c = cache();
    expect(await codeOf(c.get("../../etc/passwd"))).toBe("malformed_token");
    expect(await codeOf(c.get(`${key.kid}?x=1`))).toBe("malformed_token");
    expect(server.requests).toEqual([]);
  });

  it("answers an unknown kid with unknown_key and remembers it for a while", async () => {
    let now = 1_000_000;
    const c = cache({ now: () => now });
    const kid = randomUUID();
    expect(await codeOf(c.get(kid))).toBe("unknown_key");
    expect(await codeOf(c.get(kid))).toBe("unknown_key");
    expect(server.requests).toEqual([`/${kid}`]);
    now += 31_000;
    expect(await codeOf(c.get(kid))).toBe("unknown_key");
    expect(server.requests).toHaveLength(2);
  });

  it.each([
    ["RSA", createRsaKey()],
    ["P-384", createP384Key()],
  ])("refuses a %s key as unknown_key (a key we will not use)", async (_name, other) => {
    server.addKey(other);
    expect(await codeOf(cache().get(other.kid))).toBe("unknown_key");
    server.removeKey(other.kid);
  });

  it("reports an endpoint failure as keys_unavailable and caches nothing", async () => {
    const c = cache();
    server.setFault((_req, res) => res.writeHead(503).end());
    const err = await c.get(key.kid).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KeysUnavailableError);
    expect(server.requests).toHaveLength(2); // one retry within the deadline
    server.setFault(undefined);
    await expect(c.get(key.kid)).resolves.toMatchObject({ kid: key.kid });
  });

  it("reports garbage instead of a PEM as keys_unavailable", async () => {
    server.setFault((_req, res) => res.writeHead(200).end("-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n"));
    expect(await codeOf(cache().get(key.kid))).toBe("keys_unavailable");
  });

  it("gives up within the deadline when the endpoint hangs", async () => {
    server.setFault(() => undefined);
    const started = Date.now();
    expect(await codeOf(cache({ timeoutMs: 200 }).get(key.kid))).toBe("keys_unavailable");
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("rate-limits fetches of new kids", async () => {
    const c = cache({ burst: 3, refillPerSecond: 0.001 });
    const codes = [];
    for (let i = 0; i < 6; i++) codes.push(await codeOf(c.get(randomUUID())));
    expect(codes).toEqual(["unknown_key", "unknown_key", "unknown_key", "keys_unavailable", "keys_unavailable", "keys_unavailable"]);
    expect(server.requests).toHaveLength(3);
  });

  it("holds at most maxUnprovenKeys keys that no genuine token has proven, least recently used evicted first", async () => {
    const keys = Array.from({ length: 5 }, () => createAlbKey());
    for (const k of keys) server.addKey(k);
    const c = cache({ maxUnprovenKeys: 3 });
    for (const k of keys.slice(0, 3)) await c.get(k.kid);
    await c.get(keys[0]?.kid); // used again: now the most recent
    for (const k of keys.slice(3)) await c.get(k.kid);
    expect(c.size).toBe(3);
    expect(c.cached(keys[0]?.kid ?? "")).toMatchObject({ kid: keys[0]?.kid, kty: "EC", crv: "P-256" });
    expect(c.cached(keys[1]?.kid ?? "")).toBeUndefined();
    expect(c.cached(keys[2]?.kid ?? "")).toBeUndefined();
    expect(c.cached(keys[4]?.kid ?? "")).toMatchObject({ kid: keys[4]?.kid, kty: "EC", crv: "P-256" });
  });

  it("never evicts a proven key for unproven ones; proven keys are evicted by last use among themselves", async () => {
    const live = Array.from({ length: 3 }, () => createAlbKey());
    const foreign = Array.from({ length: 20 }, () => createAlbKey());
    for (const k of [...live, ...foreign]) server.addKey(k);
    const c = cache({ maxKeys: 2, maxUnprovenKeys: 2, burst: 100 });
    for (const k of live.slice(0, 2)) {
      await c.get(k.kid);
      c.markVerified(k.kid);
    }
    for (const k of foreign) await c.get(k.kid);
    expect(c.isProven(live[0]?.kid ?? "")).toBe(true);
    expect(c.isProven(live[1]?.kid ?? "")).toBe(true);
    expect(c.size).toBe(4);
    c.markVerified(live[0]?.kid ?? ""); // live[1] is now the least recently used proven key
    await c.get(live[2]?.kid);
    c.markVerified(live[2]?.kid ?? "");
    expect(c.isProven(live[0]?.kid ?? "")).toBe(true);
    expect(c.cached(live[1]?.kid ?? "")).toBeUndefined();
    expect(c.isProven(live[2]?.kid ?? "")).toBe(true);
  });

  it("gives the next fetch the budget allows to the kid refused most often, not to the first kid to ask", async () => {
    let now = 1_000_000;
    const rotated = createAlbKey();
    server.addKey(rotated);
    const c = cache({ burst: 1, refillPerSecond: 1, now: () => now });
    expect(await codeOf(c.get(randomUUID()))).toBe("unknown_key");
    for (let i = 0; i < 3; i++) expect(await codeOf(c.get(rotated.kid))).toBe("keys_unavailable");
    for (let i = 0; i < 20; i++) expect(await codeOf(c.get(randomUUID()))).toBe("keys_unavailable");
    now += 1000;
    server.requests.length = 0;
    expect(await codeOf(c.get(randomUUID()))).toBe("keys_unavailable");
    await expect(c.get(rotated.kid)).resolves.toMatchObject({ kid: rotated.kid });
    expect(server.requests).toEqual([`/${rotated.kid}`]);
  });

  it("re-fetches a once-proven kid from its own budget, which a flood of new kids cannot empty", async () => {
    const a = createAlbKey();
    const b = createAlbKey();
    server.addKey(a);
    server.addKey(b);
    const c = cache({ maxKeys: 1, burst: 2, refillPerSecond: 0.001 });
    await c.get(a.kid);
    c.markVerified(a.kid);
    await c.get(b.kid);
    c.markVerified(b.kid); // evicts a (one proven slot)
    for (let i = 0; i < 5; i++) expect(await codeOf(c.get(randomUUID()))).toBe("keys_unavailable");
    await expect(c.get(a.kid)).resolves.toMatchObject({ kid: a.kid });
    expect(c.isProven(a.kid)).toBe(true);
  });
});

describe("pemToAlbJwk", () => {
  it("accepts only an SPKI public key PEM, not a private key that would yield one", () => {
    const k = createAlbKey();
    expect(pemToAlbJwk(k.kid, Buffer.from(k.publicKeyPem))).toMatchObject({ kid: k.kid, crv: "P-256" });
    const privatePem = k.privateKey.export({ format: "pem", type: "pkcs8" }).toString();
    expect(() => pemToAlbJwk(k.kid, Buffer.from(privatePem))).toThrow(KeysUnavailableError);
  });
});
