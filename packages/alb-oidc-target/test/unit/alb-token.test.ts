// The ALB token verifier on its own: header checks run before any key fetch, and both exp fields bind.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AlbJwtVerifier } from "aws-jwt-verify/alb-verifier";
import type { JwkWithKid } from "aws-jwt-verify/jwk";
import { KeyObjectCache } from "aws-jwt-verify/jwt-verifier";
import { AlbKeyCache } from "../../src/keys/alb-keys.js";
import { DEFAULT_ALB_ARN, DEFAULT_CLIENT_ID, DEFAULT_ISSUER, OTHER_ALB_ARN, mintAlbToken } from "../../src/testing/alb-token.js";
import { createAlbKey } from "../../src/testing/keys.js";
import { albVerifier, codeOf, useKeyServer } from "../helpers.js";

const key = createAlbKey();
const server = useKeyServer([key]);
afterEach(() => {
  vi.useRealTimers();
  server.requests.length = 0;
});

const verifier = () => albVerifier(server);

describe("createAlbTokenVerifier", () => {
  it.each([
    ["another signer", { signer: OTHER_ALB_ARN }, "invalid_signer"],
    ["another client", { clientId: "x" }, "invalid_client"],
    ["another issuer", { issuer: "https://other.example.com" }, "invalid_issuer"],
    ["an expired header", { headerExp: 1 }, "expired"],
    ["alg ES384", { header: { alg: "ES384" } }, "unsupported_algorithm"],
  ])("refuses a token with %s without fetching any key", async (_name, opts, code) => {
    expect(await codeOf(verifier().verify(mintAlbToken({ key, ...opts })))).toBe(code);
    expect(server.requests).toEqual([]);
  });

  it("refuses header and payload iss that disagree", async () => {
    expect(await codeOf(verifier().verify(mintAlbToken({ key, payloadIssuer: "https://other.example.com" })))).toBe("invalid_issuer");
  });

  it("binds the payload exp too: header fine, payload passed -> expired", async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await codeOf(verifier().verify(mintAlbToken({ key, headerExp: now + 60, payloadExp: now - 1 })))).toBe("expired");
  });

  it("treats a token as dead at exactly its exp", async () => {
    const v = verifier();
    const exp = Math.floor(Date.now() / 1000) + 30;
    const token = mintAlbToken({ key, headerExp: exp, payloadExp: exp });
    expect(await codeOf(v.verify(token))).toBe("accepted");
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(exp * 1000 - 1);
    expect(await codeOf(v.verify(token))).toBe("accepted");
    vi.setSystemTime(exp * 1000);
    expect(await codeOf(v.verify(token))).toBe("expired");
  });

  it("refuses an exp more than 900 s away and a payload nbf in the future", async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await codeOf(verifier().verify(mintAlbToken({ key, expiresIn: 901 })))).toBe("invalid_expiry");
    expect(await codeOf(verifier().verify(mintAlbToken({ key, payload: { nbf: now + 120 } })))).toBe("not_yet_valid");
  });

  it("returns the verified payload", async () => {
    const claims = await verifier().verify(mintAlbToken({ key, claims: { sub: "u1", name: "N" } }));
    expect(claims).toMatchObject({ sub: "u1", name: "N", iss: DEFAULT_ISSUER });
  });
});

describe("the private field our KeyObjects ride on (aws-jwt-verify is pinned to ~5.2 for it)", () => {
  // createAlbTokenVerifier replaces AlbJwtVerifier's private publicKeyCache: the library's keeps a
  // KeyObject per payload iss for ever. Each test here fails when an update of the library changes
  // what that replacement relies on; then check the new version and update the pin.
  const settings = () => ({ albArn: DEFAULT_ALB_ARN, issuer: DEFAULT_ISSUER, clientId: DEFAULT_CLIENT_ID, jwksUri: server.url });

  it("the installed aws-jwt-verify is the minor version this was checked against", () => {
    // The package exports no ./package.json: the first node_modules folder node would look in that holds it.
    const folders = createRequire(import.meta.url).resolve.paths("aws-jwt-verify") ?? [];
    const installed = folders.map((dir) => join(dir, "aws-jwt-verify/package.json")).find((file) => existsSync(file));
    expect(installed).toBeDefined();
    expect((JSON.parse(readFileSync(installed ?? "", "utf8")) as { version: string }).version).toMatch(/^5\.2\./);
  });

  it("AlbJwtVerifier holds a KeyObjectCache in its own publicKeyCache field, with the three methods we stand in for", () => {
    const library = AlbJwtVerifier.create(settings(), { jwksCache: new AlbKeyCache({ endpoint: server.url, timeoutMs: 500 }) });
    const field = (library as unknown as { publicKeyCache?: unknown }).publicKeyCache;
    expect(Object.hasOwn(library, "publicKeyCache")).toBe(true);
    expect(field).toBeInstanceOf(KeyObjectCache);
    for (const method of ["transformJwkToKeyObjectSync", "transformJwkToKeyObjectAsync", "clearCache"]) {
      expect(typeof (field as Record<string, unknown>)[method]).toBe("function");
    }
  });

  it("AlbJwtVerifier.verify gets its KeyObject from publicKeyCache.transformJwkToKeyObjectAsync, with the payload iss", async () => {
    const keys = new AlbKeyCache({ endpoint: server.url, timeoutMs: 500 });
    const library = AlbJwtVerifier.create(settings(), { jwksCache: keys });
    const calls: unknown[][] = [];
    (library as unknown as { publicKeyCache: unknown }).publicKeyCache = {
      transformJwkToKeyObjectSync: () => {
        throw new Error("verify must not take the sync path");
      },
      transformJwkToKeyObjectAsync: (jwk: JwkWithKid, ...rest: unknown[]) => {
        calls.push([jwk.kid, ...rest]);
        return keys.keyObject(jwk);
      },
      clearCache: () => undefined,
    };
    await expect(library.verify(mintAlbToken({ key }))).resolves.toMatchObject({ sub: "alice" });
    expect(calls).toEqual([[key.kid, "ES256", DEFAULT_ISSUER]]);
  });

  it("our verifier's KeyObjects are the ones verify uses: one built for the key, however many tokens", async () => {
    const keys = new AlbKeyCache({ endpoint: server.url, timeoutMs: 500 });
    const ours = albVerifier(server, keys);
    for (let i = 0; i < 3; i++) expect(await codeOf(ours.verify(mintAlbToken({ key })))).toBe("accepted");
    expect(keys.keyObjectsBuilt).toBe(1);
  });
});
