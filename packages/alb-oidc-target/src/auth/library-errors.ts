// aws-jwt-verify as the user (ALB) and machine verifiers both use it: its verify() typed loosely, its error classes -> our stable codes.
import {
  AlbJwtInvalidClientIdError,
  AlbJwtInvalidSignerError,
  FailedAssertionError,
  JwkInvalidKtyError,
  JwkInvalidUseError,
  JwkValidationError,
  JwtExpiredError,
  JwtInvalidAudienceError,
  JwtInvalidIssuerError,
  JwtInvalidSignatureAlgorithmError,
  JwtInvalidSignatureError,
  JwtNotBeforeError,
  JwtParseError,
  JwtWithoutValidKidError,
  KidNotFoundInJwksError,
  WaitPeriodNotYetEndedJwkError,
} from "aws-jwt-verify/error";
import { AuthError } from "../errors.js";

/** An aws-jwt-verify verifier as used here: its generic issuer-config types add nothing. */
export interface Library {
  verify(token: string): Promise<Record<string, unknown>>;
}

/**
 * Rethrows a verification error as an AuthError with a stable code; anything unrecognised is
 * rethrown as it is, a bug that the handler answers with 500.
 */
export function fromLibrary(err: unknown): never {
  if (err instanceof AuthError) throw err;
  if (err instanceof JwtExpiredError) throw new AuthError("expired", "exp has passed");
  if (err instanceof JwtNotBeforeError) throw new AuthError("not_yet_valid", "nbf is in the future");
  if (err instanceof JwtInvalidIssuerError) throw new AuthError("invalid_issuer", "iss is not the configured issuer");
  if (err instanceof JwtInvalidAudienceError) throw new AuthError("invalid_audience", "aud is not an accepted audience");
  if (err instanceof AlbJwtInvalidSignerError) throw new AuthError("invalid_signer", "signer is not a trusted load balancer");
  if (err instanceof AlbJwtInvalidClientIdError) throw new AuthError("invalid_client", "client is not a trusted client id");
  if (err instanceof JwtInvalidSignatureAlgorithmError) throw new AuthError("unsupported_algorithm", "alg does not match the key");
  if (err instanceof JwtInvalidSignatureError) throw new AuthError("invalid_signature", "signature does not verify");
  if (err instanceof KidNotFoundInJwksError) throw new AuthError("unknown_key", "kid is not in the JWKS");
  if (err instanceof WaitPeriodNotYetEndedJwkError) {
    throw new AuthError("unknown_key", "kid is not in the cached JWKS and the refetch cool-down is running");
  }
  if (err instanceof JwkInvalidKtyError || err instanceof JwkInvalidUseError || err instanceof JwkValidationError) {
    throw new AuthError("unknown_key", "the key for this kid is not a signature key");
  }
  if (err instanceof JwtWithoutValidKidError) throw new AuthError("malformed_token", "kid is missing or invalid");
  if (err instanceof JwtParseError || err instanceof FailedAssertionError) throw new AuthError("malformed_token", "token does not parse");
  throw err;
}
