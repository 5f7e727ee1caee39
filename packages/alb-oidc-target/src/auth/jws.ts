// A compact JWS read before it is verified, by the user and the machine verifiers alike: its size, then a part as a JSON object; anything else is malformed_token.
import { safeJsonParse } from "aws-jwt-verify/safe-json-parse";
import { AuthError } from "../errors.js";
import { isPlainObject } from "../guards.js";
import { MAX_TOKEN_CHARS } from "../limits.js";

/** Refuses a token longer than an ALB header carries, before anything parses it. @throws AuthError malformed_token */
export function checkLength(token: string): void {
  if (token.length > MAX_TOKEN_CHARS) throw new AuthError("malformed_token", `token longer than ${MAX_TOKEN_CHARS} characters`);
}

/** Decodes a base64url part to a JSON object (lenient base64, `__proto__` stripped, as aws-jwt-verify does). @throws AuthError malformed_token */
export function decodePart(part: string, what: "header" | "payload"): Record<string, unknown> {
  let value: unknown;
  try {
    value = safeJsonParse(Buffer.from(part, "base64").toString("utf8"));
  } catch {
    throw new AuthError("malformed_token", `token ${what} is not base64url JSON`);
  }
  if (!isPlainObject(value)) throw new AuthError("malformed_token", `token ${what} is not a JSON object`);
  return value;
}

/** The token's header, decoded. @throws AuthError malformed_token */
export function decodeHeader(token: string): Record<string, unknown> {
  const dot = token.indexOf(".");
  if (dot <= 0) throw new AuthError("malformed_token", "token is not a JWS compact serialization");
  return decodePart(token.slice(0, dot), "header");
}
