// Verifies the ALB-signed x-amzn-oidc-data JWT: cheap header checks first (no key fetch for a token that is not ours), then aws-jwt-verify's AlbJwtVerifier.
import { AlbJwtVerifier } from "aws-jwt-verify";
import {
  AlbJwtInvalidClientIdError,
  AlbJwtInvalidSignerError,
  JwtExpiredError,
  JwtInvalidIssuerError,
  JwtInvalidSignatureAlgorithmError,
  JwtInvalidSignatureError,
  JwtNotBeforeError,
  JwtParseError,
  JwtWithoutValidKidError,
  FailedAssertionError,
} from "aws-jwt-verify/error";
import { AuthError } from "../errors.js";
import { isAlbKid, type AlbKeyCache } from "../keys/alb-keys.js";

/** The verified claims: the IdP's userinfo plus the ALB's `exp` and `iss`. */
export type AlbClaims = Record<string, unknown> & { exp: number; iss: string };

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
}

function decodeHeader(token: string): Record<string, unknown> {
  if (token.length > MAX_TOKEN_CHARS) throw new AuthError("malformed_token", `token longer than ${MAX_TOKEN_CHARS} characters`);
  const dot = token.indexOf(".");
  if (dot <= 0) throw new AuthError("malformed_token", "token is not a JWS compact serialization");
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(token.slice(0, dot), "base64url").toString("utf8"));
  } catch {
    throw new AuthError("malformed_token", "token header is not base64url JSON");
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) {
    throw new AuthError("malformed_token", "token header is not a JSON object");
  }
  return header as Record<string, unknown>;
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

/** Maps aws-jwt-verify's errors to our codes; anything unrecognised is rethrown as a bug. */
function fromLibrary(err: unknown): never {
  if (err instanceof AuthError) throw err;
  if (err instanceof JwtExpiredError) throw new AuthError("expired", "payload exp has passed");
  if (err instanceof JwtNotBeforeError) throw new AuthError("not_yet_valid", "payload nbf is in the future");
  if (err instanceof JwtInvalidIssuerError) throw new AuthError("invalid_issuer", "payload iss is not the configured issuer");
  if (err instanceof AlbJwtInvalidSignerError) throw new AuthError("invalid_signer", "signer is not a trusted load balancer");
  if (err instanceof AlbJwtInvalidClientIdError) throw new AuthError("invalid_client", "client is not a trusted client id");
  if (err instanceof JwtInvalidSignatureAlgorithmError) throw new AuthError("unsupported_algorithm", "alg does not match the key");
  if (err instanceof JwtInvalidSignatureError) throw new AuthError("invalid_signature", "signature does not verify");
  if (err instanceof JwtWithoutValidKidError) throw new AuthError("malformed_token", "kid is not a UUID");
  if (err instanceof JwtParseError || err instanceof FailedAssertionError) {
    throw new AuthError("malformed_token", "token does not parse as an ALB JWT");
  }
  throw err;
}

/**
 * Builds the verifier once per cold start. None of its checks can be switched off.
 * @example
 * const verifier = createAlbTokenVerifier(config, new AlbKeyCache({ endpoint, timeoutMs: 1500 }));
 * const claims = await verifier.verify(headers["x-amzn-oidc-data"]);
 */
export function createAlbTokenVerifier(s: AlbTokenSettings, keys: AlbKeyCache): AlbTokenVerifier {
  const library = AlbJwtVerifier.create(
    {
      albArn: [...s.albArns],
      issuer: s.issuer,
      clientId: [...s.clientIds],
      jwksUri: s.keyEndpoint,
    },
    { jwksCache: keys },
  );
  return {
    async verify(token) {
      const nowS = Date.now() / 1000;
      const kid = checkHeader(decodeHeader(token), s, nowS);
      let payload: Record<string, unknown>;
      try {
        if (!keys.cached(kid)) await keys.get(kid);
        payload = library.verifySync(token);
      } catch (err) {
        fromLibrary(err);
      }
      checkExp(payload.exp, "payload", nowS);
      return payload as AlbClaims;
    },
  };
}
