// The ALB's jwt-validation action at request time: the bearer token checked with jose (RS256, iss, exp, nbf, iat, additional claims) before the function is called.
import type { IncomingMessage, ServerResponse } from "node:http";
import { errors as joseErrors, jwtVerify, type JWTPayload } from "jose";
import { AuthError } from "alb-oidc-target";
import { bearerToken, type Logger } from "alb-oidc-target/rules";
import { sendAlbError } from "../error-page.js";
import { safeDetail } from "../safe-detail.js";
import { claimMatches } from "./claim-match.js";
import { remoteJwks } from "./jwks.js";
import type { JwtValidationConfig } from "./rule-config.js";

export type JwtValidationOutcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly status: 401; readonly reason: "AuthMissingJwt" | "AuthInvalidJwt"; readonly detail: string }
  | { readonly ok: false; readonly status: 500; readonly reason: "AuthJwksUnavailable"; readonly detail: string };

/** jose errors that a token causes; any other failure is the JWKS endpoint's. */
const TOKEN_ERRORS = [
  joseErrors.JWSInvalid,
  joseErrors.JWTInvalid,
  joseErrors.JWSSignatureVerificationFailed,
  joseErrors.JWTClaimValidationFailed,
  joseErrors.JWTExpired,
  joseErrors.JOSEAlgNotAllowed,
  joseErrors.JOSENotSupported,
  joseErrors.JWKSNoMatchingKey,
  joseErrors.JWKSMultipleMatchingKeys,
];

export interface JwtValidator {
  readonly config: JwtValidationConfig;
  /** Is this raw request path under one of the machine prefixes (case-sensitive, as the ALB's path-pattern matches)? */
  matches(path: string): boolean;
  /** Checks the request's Authorization header values; never throws for a bad token. */
  check(authorization: readonly string[] | undefined): Promise<JwtValidationOutcome>;
}

/**
 * Builds the action once per emulator: the JWKS is fetched on first use and cached, an unknown `kid`
 * refetches it at most every 30 s (jose's cool-down).
 * @example const v = createJwtValidator(config.JwtValidation); const outcome = await v.check(req.headersDistinct.authorization);
 */
export function createJwtValidator(c: JwtValidationConfig): JwtValidator {
  const jwks = remoteJwks(c.JwksEndpoint);
  const invalid = (detail: string): JwtValidationOutcome => ({ ok: false, status: 401, reason: "AuthInvalidJwt", detail });
  return {
    config: c,
    matches: (path) => c.PathPrefixes.some((p) => path.startsWith(p)),
    async check(authorization) {
      if (authorization === undefined || authorization.length === 0)
        return { ok: false, status: 401, reason: "AuthMissingJwt", detail: "no Authorization header" };
      if (authorization.length > 1) return invalid("more than one Authorization header");
      let token: string;
      try {
        token = bearerToken(authorization[0] ?? "");
      } catch (err) {
        if (!(err instanceof AuthError)) throw err;
        if (err.code === "missing_token")
          return { ok: false, status: 401, reason: "AuthMissingJwt", detail: "no Bearer token in Authorization" };
        return invalid(err.message);
      }
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, jwks, { issuer: c.Issuer, algorithms: ["RS256"], requiredClaims: ["exp"] }));
      } catch (err) {
        if (TOKEN_ERRORS.some((E) => err instanceof E)) return invalid((err as Error).message);
        const detail = err instanceof Error ? `${c.JwksEndpoint}: ${err.message}` : `${c.JwksEndpoint}: unusable`;
        return { ok: false, status: 500, reason: "AuthJwksUnavailable", detail };
      }
      // jose only looks at iat with maxTokenAge; the ALB checks it whenever it is present.
      if (typeof payload.iat === "number" && payload.iat > Date.now() / 1000) return invalid('"iat" claim is in the future');
      for (const rule of c.AdditionalClaims) {
        if (!claimMatches(rule, payload[rule.Name]))
          return invalid(`claim "${rule.Name}" does not match ${rule.Format} ${JSON.stringify(rule.Values)}`);
      }
      return { ok: true };
    },
  };
}

/**
 * The action on a request: a valid bearer token goes on unchanged (no session, no claims headers);
 * anything else is answered here, before the target is called, as the ALB does.
 * @returns true when the request goes on to the rule's final action.
 */
export async function validateRequest(jwt: JwtValidator, req: IncomingMessage, res: ServerResponse, logger: Logger): Promise<boolean> {
  const outcome = await jwt.check(req.headersDistinct.authorization);
  if (outcome.ok) return true;
  const detail = safeDetail(outcome.detail);
  logger.error("jwt-validation rejected the request", { status: outcome.status, reason: outcome.reason, detail });
  // RFC 6750: no error attribute when the request simply had no credentials.
  if (outcome.status === 401)
    res.setHeader("www-authenticate", outcome.reason === "AuthMissingJwt" ? "Bearer" : 'Bearer error="invalid_token"');
  sendAlbError(res, outcome.status, outcome.reason, detail);
  return false;
}
