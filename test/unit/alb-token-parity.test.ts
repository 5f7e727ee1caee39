// Our one-decode verifier against aws-jwt-verify's AlbJwtVerifier on generated payloads: same acceptance, same claims, never a __proto__ key.
import { AlbJwtVerifier } from "aws-jwt-verify";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAlbTokenVerifier, type AlbTokenVerifier } from "../../src/auth/alb-token.js";
import { AuthError } from "../../src/errors.js";
import { AlbKeyCache, pemToAlbJwk } from "../../src/keys/alb-keys.js";
import { DEFAULT_ALB_ARN, DEFAULT_CLIENT_ID, DEFAULT_ISSUER, mintAlbToken } from "../../src/testing/alb-token.js";
import { createAlbKey, createRsaKey } from "../../src/testing/keys.js";
import { startKeyServer, type KeyServer } from "../../src/testing/key-server.js";

const key = createAlbKey();
let server: KeyServer;
let ours: AlbTokenVerifier;
const library = AlbJwtVerifier.create({ albArn: DEFAULT_ALB_ARN, issuer: DEFAULT_ISSUER, clientId: DEFAULT_CLIENT_ID, jwksUri: "unused" });
library.cacheJwks({ keys: [pemToAlbJwk(key.kid, Buffer.from(key.publicKeyPem))] });

function settings(endpoint: string) {
  return { albArns: [DEFAULT_ALB_ARN], issuer: DEFAULT_ISSUER, clientIds: [DEFAULT_CLIENT_ID], keyEndpoint: endpoint };
}

beforeAll(async () => {
  server = await startKeyServer({ keys: [key] });
  ours = createAlbTokenVerifier(settings(server.url), new AlbKeyCache({ endpoint: server.url, timeoutMs: 1000 }));
});
afterAll(async () => {
  await server.stop();
});

type Outcome = { ok: true; claims: unknown } | { ok: false };

function libraryOutcome(token: string): Outcome {
  try {
    return { ok: true, claims: library.verifySync(token) };
  } catch {
    return { ok: false };
  }
}

async function ourOutcome(token: string): Promise<Outcome> {
  try {
    return { ok: true, claims: await ours.verify(token) };
  } catch (err) {
    if (!(err instanceof AuthError)) throw err;
    return { ok: false };
  }
}

/** Does any object in the value carry an own __proto__ or constructor key? */
function hasUnsafeKey(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (!Array.isArray(value) && (Object.hasOwn(value, "__proto__") || Object.hasOwn(value, "constructor"))) return true;
  return Object.values(value).some(hasUnsafeKey);
}

const nowS = (): number => Math.floor(Date.now() / 1000);

/** At most one registered claim the library type-checks while decoding, with a value of any JSON type (often the wrong one). */
const registered = fc.option(
  fc.oneof(
    fc.tuple(fc.constantFrom("sub", "aud", "nbf", "iat", "scope", "jti", "iss", "exp"), fc.jsonValue()),
    fc.tuple(fc.constant("aud"), fc.array(fc.oneof(fc.string(), fc.integer()), { maxLength: 3 })),
    fc.tuple(
      fc.constantFrom("nbf", "iat"),
      fc.integer({ min: -1e6, max: 1e6 }).map((d) => nowS() + d),
    ),
    fc.tuple(fc.constantFrom("sub", "scope", "jti", "aud"), fc.string()),
  ),
  { freq: 2 },
);

/** Raw JSON members that spell a prototype key literally or through \u escapes, at the top or nested. */
const unsafeMember = fc.constantFrom(
  '"__proto__":{"isAdmin":true}',
  '"constructor":{"prototype":{"isAdmin":true}}',
  '"\\u005f_proto__":{"isAdmin":true}',
  '"\\u0063onstructor":1',
  '"nested":{"__proto__":{"isAdmin":true},"ok":1}',
  '"list":[{"constructor":{"prototype":{}}}]',
  '"name":"caf\\u00e9"',
);

const payloadText = fc
  .record({
    extra: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }),
    claim: registered,
    unsafe: fc.array(unsafeMember, { maxLength: 2 }),
  })
  .map(({ extra, claim, unsafe }) => {
    const base: Record<string, unknown> = { ...extra, sub: "alice", iss: DEFAULT_ISSUER, exp: nowS() + 60 };
    // A number for exp is ours to bound (invalid_expiry past 900 s) and the library's to ignore: only vary its type.
    if (claim && !(claim[0] === "exp" && typeof claim[1] === "number")) base[claim[0]] = claim[1];
    const json = JSON.stringify(base);
    return unsafe.length === 0 ? json : `{${unsafe.join(",")},${json.slice(1)}`;
  });

describe("the verifier decides every payload as AlbJwtVerifier.verifySync does", () => {
  it("same acceptance and the same claims for generated payloads, prototype keys always stripped", async () => {
    const seen = { accepted: 0, rejected: 0, unsafeAccepted: 0 };
    await fc.assert(
      fc.asyncProperty(payloadText, async (rawPayload) => {
        const token = mintAlbToken({ key, rawPayload });
        const expected = libraryOutcome(token);
        const actual = await ourOutcome(token);
        expect(actual.ok).toBe(expected.ok);
        if (actual.ok && expected.ok) {
          expect(actual.claims).toStrictEqual(expected.claims);
          expect(hasUnsafeKey(actual.claims)).toBe(false);
          seen.accepted++;
          if (/__proto__|constructor|\\u/.test(rawPayload)) seen.unsafeAccepted++;
        } else seen.rejected++;
      }),
      { numRuns: 300 },
    );
    // The comparison means something only if both answers, and accepted prototype keys, actually occurred.
    expect(seen.accepted).toBeGreaterThan(50);
    expect(seen.rejected).toBeGreaterThan(20);
    expect(seen.unsafeAccepted).toBeGreaterThan(20);
  });

  it.each([
    ["a \\u-escaped __proto__ key", `{"\\u005f_proto__":{"isAdmin":true},"sub":"alice"}`],
    ["a nested constructor key", `{"profile":{"constructor":{"prototype":{"isAdmin":true}}},"sub":"alice"}`],
  ])("%s is stripped exactly as the library strips it", async (_name, member) => {
    const exp = Math.floor(Date.now() / 1000) + 60;
    const token = mintAlbToken({ key, rawPayload: `{"iss":"${DEFAULT_ISSUER}","exp":${exp},${member.slice(1)}` });
    const actual = await ourOutcome(token);
    expect(actual).toStrictEqual(libraryOutcome(token));
    expect(actual.ok && hasUnsafeKey(actual.claims)).toBe(false);
  });

  it("aud as an array of numbers (signed) -> malformed_token, as the library refuses it", async () => {
    const token = mintAlbToken({ key, payload: { aud: [1, 2] } });
    expect(libraryOutcome(token).ok).toBe(false);
    await expect(ours.verify(token)).rejects.toMatchObject({ code: "malformed_token" });
  });
});

describe("claims the library cannot even describe", () => {
  it("nbf beyond the Date range (signed) -> not_yet_valid, where the library throws a RangeError building its message", async () => {
    const token = mintAlbToken({ key, payload: { nbf: 8_640_000_000_000.001 } });
    expect(() => library.verifySync(token)).toThrow(RangeError);
    await expect(ours.verify(token)).rejects.toMatchObject({ code: "not_yet_valid" });
  });
});

describe("the prepared key", () => {
  it("a non-P-256 key planted under the token's kid is refused as unknown_key, never used to verify", async () => {
    const rsa = createRsaKey(key.kid);
    const keys = new AlbKeyCache({ endpoint: server.url, timeoutMs: 1000 });
    const { n, e } = rsa.publicKey.export({ format: "jwk" });
    keys.addJwks("unused", { keys: [{ kty: "RSA", n: n ?? "", e: e ?? "", kid: key.kid, alg: "ES256", use: "sig" }] });
    const verifier = createAlbTokenVerifier(settings(server.url), keys);
    const before = server.requests.length;
    await expect(verifier.verify(mintAlbToken({ key }))).rejects.toMatchObject({ code: "unknown_key" });
    expect(server.requests.length).toBe(before);
  });
});
