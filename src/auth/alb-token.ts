// Verifies the ALB-signed x-amzn-oidc-data JWT: decoded once, cheap header checks first (no key fetch for a token that is not ours), then the ES256 signature and aws-jwt-verify's claim checks.
import { verify as verifySignature } from "node:crypto";
import { validateAlbJwtFields } from "aws-jwt-verify/alb-verifier";
import { validateJwtFields } from "aws-jwt-verify/jwt";
import type { JwtHeader, JwtPayload } from "aws-jwt-verify/jwt-model";
import { safeJsonParse } from "aws-jwt-verify/safe-json-parse";
import { fromLibrary } from "./library-errors.js";
import { AuthError } from "../errors.js";
import { isAlbKid, type AlbKeyCache } from "../keys/alb-keys.js";

/** The verified claims: the IdP's userinfo plus the ALB's `exp` and `iss`; read-only, as the memo may share them between requests. */
export type AlbClaims = Readonly<Record<string, unknown> & { exp: number; iss: string }>;

export interface AlbTokenSettings {
  readonly albArns: readonly string[];
  readonly issuer: string;
  readonly clientIds: readonly string[];
  readonly keyEndpoint: string;
}

/** The ALB mints tokens for about 60 s; a signed token claiming to live far longer is refused. */
export const MAX_TOKEN_LIFETIME_S = 900;
/** The ALB caps claims + access token at 11 KB and headers at 16 KB: longer is never an ALB token. */
export const MAX_TOKEN_CHARS = 16 * 1024;

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

/** aws-jwt-verify's own shape check (jwt.js JWT_REGEX): three base64url parts, each with at most two `=`. */
const JWT_SHAPE = /^[A-Za-z0-9_-]+={0,2}\.[A-Za-z0-9_-]+={0,2}\.[A-Za-z0-9_-]+={0,2}$/;

/**
 * Can this JSON text spell a `__proto__` or `constructor` key? Only literally or through a `\u`
 * escape: JSON has no other way to write a letter or an underscore.
 */
function mayHoldUnsafeKey(text: string): boolean {
  return text.includes("__proto__") || text.includes("constructor") || text.includes("\\u");
}

/**
 * Decodes a base64url part to a JSON object exactly as aws-jwt-verify's decomposeUnverifiedJwt does
 * (lenient base64, `__proto__`/`constructor` keys stripped at every depth), but pays for the library's
 * stripping reviver only when the text could hold such a key: otherwise both parse to the same object.
 */
function decodePart(part: string, what: "header" | "payload"): Record<string, unknown> {
  const text = Buffer.from(part, "base64").toString("utf8");
  let value: unknown;
  try {
    value = mayHoldUnsafeKey(text) ? safeJsonParse(text) : JSON.parse(text);
  } catch {
    throw new AuthError("malformed_token", `token ${what} is not base64url JSON`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new AuthError("malformed_token", `token ${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

const isFiniteOrAbsent = (v: unknown): boolean => v === undefined || (typeof v === "number" && Number.isFinite(v));
const isStringOrAbsent = (v: unknown): boolean => v === undefined || typeof v === "string";

/** The payload claim types aws-jwt-verify asserts while decoding (jwt.js assertJwtPayload), kept check for check. */
function checkPayloadTypes(p: Record<string, unknown>): void {
  const aud = p.aud;
  const audOk = aud === undefined || typeof aud === "string" || (Array.isArray(aud) && aud.every((a) => typeof a === "string"));
  if (
    !isFiniteOrAbsent(p.exp) ||
    !isFiniteOrAbsent(p.nbf) ||
    !isFiniteOrAbsent(p.iat) ||
    !isStringOrAbsent(p.iss) ||
    !isStringOrAbsent(p.sub) ||
    !isStringOrAbsent(p.scope) ||
    !isStringOrAbsent(p.jti) ||
    !audOk
  ) {
    throw new AuthError("malformed_token", "a registered payload claim has the wrong type");
  }
}

/** Seconds-since-epoch expiry check shared by header and payload: a token is dead at its `exp`. */
function checkExp(exp: unknown, where: string, nowS: number): void {
  if (typeof exp !== "number" || !Number.isFinite(exp)) throw new AuthError("malformed_token", `${where} exp is not a number`);
  if (exp <= nowS) throw new AuthError("expired", `${where} exp has passed`);
  if (exp > nowS + MAX_TOKEN_LIFETIME_S) throw new AuthError("invalid_expiry", `${where} exp is more than ${MAX_TOKEN_LIFETIME_S}s away`);
}

/** The ALB-specific header fields, checked before any key is fetched and again after the signature. */
function checkHeader(header: Record<string, unknown>, s: AlbTokenSettings, nowS: number): string {
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
  return header.kid;
}

/**
 * Builds the verifier once per cold start. None of its checks can be switched off.
 *
 * It runs every check AlbJwtVerifier.verifySync runs, in the library's own code where the library
 * exports it (validateJwtFields for exp/nbf/iss, validateAlbJwtFields for signer/client,
 * safeJsonParse), but decodes the token once instead of twice and verifies the signature with a
 * KeyObject built once per key: the library's remaining per-token overhead.
 * @example
 * const verifier = createAlbTokenVerifier(config, new AlbKeyCache({ endpoint, timeoutMs: 1500 }));
 * const claims = await verifier.verify(headers["x-amzn-oidc-data"]);
 */
export function createAlbTokenVerifier(s: AlbTokenSettings, keys: AlbKeyCache): AlbTokenVerifier {
  const claimOptions = { issuer: s.issuer, audience: null };
  const albOptions = { albArn: [...s.albArns], clientId: [...s.clientIds] };
  async function verifyUntil(token: string): Promise<VerifiedAlbToken> {
    const nowS = Date.now() / 1000;
    if (token.length > MAX_TOKEN_CHARS) throw new AuthError("malformed_token", `token longer than ${MAX_TOKEN_CHARS} characters`);
    const dot1 = token.indexOf(".");
    if (dot1 <= 0) throw new AuthError("malformed_token", "token is not a JWS compact serialization");
    // The header first: a token that does not claim our signer, client and issuer is refused before anything else.
    const header = decodePart(token.slice(0, dot1), "header");
    const kid = checkHeader(header, s, nowS);
    if (!JWT_SHAPE.test(token)) throw new AuthError("malformed_token", "token is not a JWS compact serialization");
    const dot2 = token.indexOf(".", dot1 + 1);
    const payload = decodePart(token.slice(dot1 + 1, dot2), "payload");
    checkPayloadTypes(payload);
    const key = keys.keyObject(keys.cached(kid) ?? (await keys.get(kid)));
    // ES256 = ECDSA P-256 + SHA-256 with the raw r||s signature (keyObject() only hands out P-256 keys).
    const signatureOk = verifySignature(
      "sha256",
      Buffer.from(token.slice(0, dot2), "latin1"),
      { key, dsaEncoding: "ieee-p1363" },
      Buffer.from(token.slice(dot2 + 1), "base64"),
    );
    if (!signatureOk) throw new AuthError("invalid_signature", "signature does not verify");
    checkExp(payload.exp, "payload", nowS);
    // The library would refuse this too, but builds its message with toISOString, which throws a RangeError (a 500) for an absurd nbf.
    if (typeof payload.nbf === "number" && payload.nbf > nowS) throw new AuthError("not_yet_valid", "payload nbf is in the future");
    try {
      // Both parts are parsed JSON objects, which is all the library's Json types describe.
      validateJwtFields(payload as JwtPayload, claimOptions);
      validateAlbJwtFields(header as JwtHeader, albOptions);
    } catch (err) {
      fromLibrary(err);
    }
    // Both are finite numbers here: checkHeader and checkExp refused anything else.
    return { claims: payload as AlbClaims, expiresAtS: Math.min(header.exp as number, payload.exp as number) };
  }
  return { verifyUntil, verify: async (token) => (await verifyUntil(token)).claims };
}
