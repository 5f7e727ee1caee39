// The ALB token verifier on its own: header checks run before any key fetch, and both exp fields bind.
import { afterEach, describe, expect, it, vi } from "vitest";
import { createAlbTokenVerifier } from "../../src/auth/alb-token.js";
import type { DecomposedJwt } from "aws-jwt-verify/jwt";
import { AlbKeyCache } from "../../src/keys/alb-keys.js";
import { DEFAULT_ALB_ARN, DEFAULT_CLIENT_ID, DEFAULT_ISSUER, OTHER_ALB_ARN, mintAlbToken } from "../../src/testing/alb-token.js";
import { createAlbKey } from "../../src/testing/keys.js";
import { codeOf, useKeyServer } from "../helpers.js";

const key = createAlbKey();
const server = useKeyServer([key]);
afterEach(() => {
  vi.useRealTimers();
  server.requests.length = 0;
});

function verifier() {
  const keys = new AlbKeyCache({ endpoint: server.url, timeoutMs: 500 });
  const settings = { albArns: [DEFAULT_ALB_ARN], issuer: DEFAULT_ISSUER, clientIds: [DEFAULT_CLIENT_ID], keyEndpoint: server.url };
  return createAlbTokenVerifier(settings, keys);
}

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

describe("the library call our header screen rides on", () => {
  it("AlbJwtVerifier.verify asks its jwksCache for the key before it returns its promise, with the header it decoded", async () => {
    // createAlbTokenVerifier reads the screened header right after the call; if a new aws-jwt-verify
    // asked later, every token would fall back to decoding its header twice (still correct, slower).
    const { AlbJwtVerifier } = await import("aws-jwt-verify");
    const token = mintAlbToken({ key });
    let seen: Record<string, unknown> | undefined;
    const cache = new AlbKeyCache({ endpoint: server.url, timeoutMs: 500 });
    const library = AlbJwtVerifier.create(
      { albArn: DEFAULT_ALB_ARN, issuer: DEFAULT_ISSUER, clientId: DEFAULT_CLIENT_ID, jwksUri: server.url },
      {
        jwksCache: {
          getJwk(uri: string, jwt: DecomposedJwt) {
            seen = jwt.header;
            return cache.getJwk(uri, jwt);
          },
          getCachedJwk: (uri: string, jwt: DecomposedJwt) => cache.getCachedJwk(uri, jwt),
          addJwks: (uri, jwks) => cache.addJwks(uri, jwks),
          getJwks: () => cache.getJwks(),
        },
      },
    );
    const pending = library.verify(token);
    expect(seen).toMatchObject({ alg: "ES256", signer: DEFAULT_ALB_ARN, client: DEFAULT_CLIENT_ID, iss: DEFAULT_ISSUER });
    await expect(pending).resolves.toMatchObject({ sub: "alice" });
  });
});
