// Reading the bearer token of an `Authorization` header (RFC 6750): the one parser the function and the emulator's jwt-validation action share.
import { AuthError } from "../errors.js";
import { MAX_TOKEN_CHARS } from "../limits.js";

/** `Authorization: Bearer ` plus the longest token an ALB header can carry (and some whitespace). */
const MAX_AUTHORIZATION_CHARS = MAX_TOKEN_CHARS + 64;
const TAB = 0x09;
const SPACE = 0x20;

/**
 * The token of an `Authorization: Bearer <token>` value (scheme case-insensitive, RFC 6750).
 * Another scheme, or none, means no bearer credentials: missing_token, answered without an error attribute.
 * Linear in the length, and the length is checked first (a backtracking regex here cost seconds of CPU on 64 K of spaces).
 * @example bearerToken("Bearer eyJhbGciOi...") // "eyJhbGciOi..."
 */
export function bearerToken(authorization: string): string {
  if (authorization.length > MAX_AUTHORIZATION_CHARS) {
    throw new AuthError("malformed_token", `authorization header longer than ${MAX_AUTHORIZATION_CHARS} characters`);
  }
  const value = authorization.trim();
  const end = value.search(/\s/);
  // The scheme, then one or more spaces or tabs, then the token.
  if (end < 0 || value.slice(0, end).toLowerCase() !== "bearer")
    throw new AuthError("missing_token", "no Bearer credentials in authorization");
  let start = end;
  while (start < value.length && (value.charCodeAt(start) === SPACE || value.charCodeAt(start) === TAB)) start++;
  if (start === end) throw new AuthError("missing_token", "no Bearer credentials in authorization");
  const token = value.slice(start);
  if (!/^[A-Za-z0-9\-._~+/]+=*$/.test(token)) throw new AuthError("malformed_token", "bearer token has characters RFC 6750 does not allow");
  return token;
}
