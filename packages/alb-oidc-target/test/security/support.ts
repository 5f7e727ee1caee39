// Shared by the security suite: the secrets a browser's request carries, the leak check, the only key path ever asked for.
import type { ALBResult } from "aws-lambda";
import { expect } from "vitest";
import type { UserRequestOptions } from "../../src/testing/events.js";

/** The IdP access token the ALB forwards: it must never be echoed or logged. */
export const ACCESS_TOKEN = "at-0f4c2a9e7b1d4c3a8e5f6a7b8c9d0e1f-secret";
/** The ALB session cookie value a browser sends along: it must never be echoed or logged. */
export const SESSION_COOKIE = "cookie-9a8b7c6d5e4f3a2b1c0d-secret";

/**
 * A browser's request to /whoami after login, for the kit's `userEvent`: it carries the access token and
 * the session cookie above, which the suite looks for in every answer and log line.
 * @example userEvent({ ...BROWSER, token, identity: "bob" })
 */
export const BROWSER = {
  path: "/whoami",
  accessToken: ACCESS_TOKEN,
  headers: { cookie: `AWSELBAuthSessionCookie-0=${SESSION_COOKIE}` },
} as const satisfies UserRequestOptions;

/** The secrets an event carries: the claims JWT (whole and each part long enough to be recognisable), access token, cookie. */
export function secretsOf(token: string | undefined): string[] {
  const out = [ACCESS_TOKEN, SESSION_COOKIE];
  if (token !== undefined && token.length >= 16) {
    out.push(token);
    for (const part of token.split(".")) if (part.length >= 16) out.push(part.replace(/=+$/, "").slice(0, 64));
  }
  return out;
}

/** Fails if any secret appears in the result (body or headers) or in any log line. */
export function expectNoLeak(res: ALBResult, rawLogs: readonly string[], secrets: readonly string[]): void {
  const visible = `${JSON.stringify(res)}\n${rawLogs.join("")}`;
  for (const s of secrets) expect(visible.includes(s), `a secret (${s.slice(0, 12)}...) leaked`).toBe(false);
}

/** Only `/<uuid>` may ever be asked of the key endpoint. */
export const KEY_PATH = /^\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
