// Verifies the ALB-signed x-amzn-oidc-data JWT with aws-jwt-verify's AlbJwtVerifier, behind a cheap header screen (no key fetch for a token that is not ours) and with our limits around it.
import { AlbJwtVerifier } from "aws-jwt-verify/alb-verifier";
import type { Jwks, JwksCache, JwkWithKid } from "aws-jwt-verify/jwk";
import type { DecomposedJwt } from "aws-jwt-verify/jwt";
import { checkLength, decodeHeader, decodePart } from "./jws.js";
import { fromLibrary, type Library } from "./library-errors.js";
import type { Config } from "../config.js";
import { AuthError } from "../errors.js";
import { isAlbKid, type AlbKeyCache } from "../keys/alb-keys.js";

/** The verified claims: the IdP's userinfo plus the ALB's `exp` and `iss`; read-only, as the memo may share them between requests. */
export type AlbClaims = Readonly<Record<string, unknown> & { exp: number; iss: string }>;

/** The header the library decoded, as its key lookup receives it. */
type Header = Record<string, unknown>;
/** A header the screen passed: its kid is a UUID and its exp a finite number. */
type ScreenedHeader = Header & { readonly kid: string; readonly exp: number };

export type AlbTokenSettings = Pick<Config, "albArns" | "issuer" | "clientIds" | "keyEndpoint">;

/** The ALB mints tokens for about 60 s; a signed token claiming to live far longer is refused. */
const MAX_TOKEN_LIFETIME_S = 900;
/**
 * Deepest nesting of arrays and objects accepted in the claims. IdPs send two or three levels
 * (`address`, `groups`); thousands of levels overflow the stack of whatever walks them next
 * (freezing for the memo, JSON.stringify for the response), so such a payload is malformed.
 */
const MAX_CLAIMS_DEPTH = 32;

export interface AlbTokenVerifier {
  /**
   * Verifies the token and returns its payload.
   * @throws AuthError with a stable code; KeysUnavailableError when keys cannot be fetched.
   */
  verify(token: string): Promise<AlbClaims>;
  /** The same verification, also saying when the token dies: what a cache of verified tokens needs. */
  verifyUntil?(token: string): Promise<VerifiedAlbToken>;
}

export interface VerifiedAlbToken {
  readonly claims: AlbClaims;
  /** The sooner of the header's and the payload's `exp` (epoch seconds): the token is dead from then on. */
  readonly expiresAtS: number;
}

/** Seconds-since-epoch expiry check shared by header and payload: a token is dead at its `exp`. */
function checkExp(exp: unknown, where: string, nowS: number): void {
  if (typeof exp !== "number" || !Number.isFinite(exp)) throw new AuthError("malformed_token", `${where} exp is not a number`);
  if (exp <= nowS) throw new AuthError("expired", `${where} exp has passed`);
  if (exp > nowS + MAX_TOKEN_LIFETIME_S) throw new AuthError("invalid_expiry", `${where} exp is more than ${MAX_TOKEN_LIFETIME_S}s away`);
}

/** The screen: the ALB-specific header fields, checked before any key is fetched. Returns the header, now known to have a kid and an exp. */
function checkHeader(header: Header, s: AlbTokenSettings, nowS: number): ScreenedHeader {
  if (header.alg !== "ES256") throw new AuthError("unsupported_algorithm", "alg is not ES256");
  if (!isAlbKid(header.kid)) throw new AuthError("malformed_token", "kid is not a UUID");
  if (typeof header.signer !== "string" || !s.albArns.includes(header.signer)) {
    throw new AuthError("invalid_signer", "signer is not a trusted load balancer");
  }
  if (typeof header.client !== "string" || !s.clientIds.includes(header.client)) {
    throw new AuthError("invalid_client", "client is not a trusted client id");
  }
  if (header.iss !== s.issuer) throw new AuthError("invalid_issuer", "header iss is not the configured issuer");
  checkExp(header.exp, "header", nowS);
  return header as ScreenedHeader;
}

/** Refuses claims nested deeper than MAX_CLAIMS_DEPTH, without recursion (the point is not to overflow). */
function checkDepth(payload: Record<string, unknown>): void {
  const stack: [unknown, number][] = [[payload, 1]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [value, depth] = next;
    if (depth > MAX_CLAIMS_DEPTH) throw new AuthError("malformed_token", `claims nest deeper than ${MAX_CLAIMS_DEPTH} levels`);
    for (const child of Object.values(value as object)) {
      if (typeof child === "object" && child !== null) stack.push([child, depth + 1]);
    }
  }
}

/**
 * What the library threw that is not one of its verdicts on the token (a RangeError from building
 * an error message with toISOString for an absurd `nbf` or `exp`, a stack overflow): still a 401.
 */
function notAVerdict(token: string, nowS: number): never {
  let payload: Record<string, unknown> | undefined;
  try {
    const dot1 = token.indexOf(".");
    payload = decodePart(token.slice(dot1 + 1, token.indexOf(".", dot1 + 1)), "payload");
  } catch {
    payload = undefined;
  }
  if (typeof payload?.nbf === "number" && payload.nbf > nowS) throw new AuthError("not_yet_valid", "payload nbf is in the future");
  throw new AuthError("malformed_token", "token claims cannot be handled");
}

/**
 * Our AlbKeyCache behind the header screen: the library decodes the token and asks its jwksCache for
 * the key before it checks anything else, so the screen runs there, on the header the library parsed,
 * and a token that is not ours is refused before any key is looked up or fetched.
 */
function screened(keys: AlbKeyCache, s: AlbTokenSettings): JwksCache {
  return {
    getJwk(uri: string, jwt: DecomposedJwt) {
      checkHeader(jwt.header, s, Date.now() / 1000);
      return keys.getJwk(uri, jwt);
    },
    getCachedJwk(uri: string, jwt: DecomposedJwt) {
      checkHeader(jwt.header, s, Date.now() / 1000);
      return keys.getCachedJwk(uri, jwt);
    },
    addJwks: (uri: string, jwks: Jwks) => keys.addJwks(uri, jwks),
    getJwks: () => keys.getJwks(),
  };
}

/**
 * Lets the library use our KeyObjects. Its own cache (the private `publicKeyCache`, a KeyObjectCache)
 * keeps one KeyObject per (payload `iss`, kid, alg) for ever, built before `iss` is checked: tokens
 * naming a cached kid with a new `iss` each would grow it without bound. Ours are one per key held
 * (and evicted with it), P-256 only. The field is private: package.json pins aws-jwt-verify to the
 * minor version this was checked against (~5.2), and test/unit/alb-token.test.ts fails if an update
 * renames it, changes its methods or stops using it.
 */
function useOurKeyObjects(library: object, keys: AlbKeyCache): void {
  const target = library as { publicKeyCache?: unknown };
  if (target.publicKeyCache === undefined) throw new Error("aws-jwt-verify: AlbJwtVerifier has no publicKeyCache to replace");
  const keyObject = (jwk: JwkWithKid) => keys.keyObject(jwk);
  target.publicKeyCache = { transformJwkToKeyObjectSync: keyObject, transformJwkToKeyObjectAsync: keyObject, clearCache: () => undefined };
}

/**
 * Builds the verifier once per cold start. None of its checks can be switched off.
 *
 * The token is verified by aws-jwt-verify's `AlbJwtVerifier.verify` (signature, `exp`/`nbf`,
 * `iss`, signer, client) with our AlbKeyCache as its `jwksCache`. Around it: the 16 KB cap, a
 * screen of the header before any key is fetched (alg, UUID kid, signer, client, issuer, header
 * `exp`), the 900 s lifetime cap on both `exp`, the claims depth cap, and marking the key proven.
 * @example
 * const verifier = createAlbTokenVerifier(config, new AlbKeyCache({ endpoint, timeoutMs: 1500 }));
 * const claims = await verifier.verify(headers["x-amzn-oidc-data"]);
 */
export function createAlbTokenVerifier(s: AlbTokenSettings, keys: AlbKeyCache): Required<AlbTokenVerifier> {
  const verifier = AlbJwtVerifier.create(
    { albArn: [...s.albArns], issuer: s.issuer, clientId: [...s.clientIds], jwksUri: s.keyEndpoint },
    { jwksCache: screened(keys, s) },
  );
  useOurKeyObjects(verifier, keys);
  const library = verifier as unknown as Library;
  async function verifyUntil(token: string): Promise<VerifiedAlbToken> {
    const nowS = Date.now() / 1000;
    checkLength(token);
    let payload: Record<string, unknown>;
    try {
      payload = await library.verify(token);
    } catch (err) {
      // A token the library refused before its key lookup (unparsable, an empty signature) gets the
      // screen's answer all the same: the screen's verdicts come first, whoever decoded the header.
      if (!(err instanceof AuthError)) checkHeader(decodeHeader(token), s, nowS);
      if (err instanceof RangeError) notAVerdict(token, nowS);
      // node's verify throws rather than answering false for a signature of the wrong length.
      if (err instanceof Error && (err as NodeJS.ErrnoException).code === "ERR_CRYPTO_OPERATION_FAILED") {
        throw new AuthError("invalid_signature", "signature does not parse");
      }
      fromLibrary(err);
    }
    // The screen passed it in the key lookup; read again here for its kid and exp.
    const header = checkHeader(decodeHeader(token), s, nowS);
    checkExp(payload.exp, "payload", nowS);
    checkDepth(payload);
    keys.markVerified(header.kid);
    // Both are finite numbers here: the screen and checkExp refused anything else.
    return { claims: payload as AlbClaims, expiresAtS: Math.min(header.exp, payload.exp as number) };
  }
  return { verifyUntil, verify: async (token) => (await verifyUntil(token)).claims };
}
