// Shared by the test suites: a handler wired to a loopback key server (a cold start), the log capture, result parsing, the exact answers (200, 401, 503).
import type { ALBResult } from "aws-lambda";
import { afterEach, beforeEach, expect, vi } from "vitest";
import { createApp, type App } from "../src/app.js";
import { createAlbTokenVerifier } from "../src/auth/alb-token.js";
import { loadConfig, type Env } from "../src/config.js";
import { AuthError, ConfigError } from "../src/errors.js";
import { AlbKeyCache } from "../src/keys/alb-keys.js";
import { DEFAULT_ALB_ARN, DEFAULT_CLIENT_ID, DEFAULT_ISSUER } from "../src/testing/alb-token.js";
import type { KeyServer } from "../src/testing/key-server.js";
import { body, captureLog, header, type CapturedLog } from "alb-oidc-target-test-support";
import { echoApp } from "./echo-app.js";

export { echoApp } from "./echo-app.js";
export { body, captureLog, header, useFakeAlb, useForFile, useKeyServer, type CapturedLog } from "alb-oidc-target-test-support";

export interface Harness extends App, Omit<CapturedLog, "write"> {}

/** Environment for a handler trusting DEFAULT_ALB_ARN / DEFAULT_ISSUER / DEFAULT_CLIENT_ID with keys from `server`. */
export function testEnv(server: Pick<KeyServer, "url">, extra: Record<string, string> = {}): Record<string, string> {
  return {
    LOAD_BALANCER_ARN: DEFAULT_ALB_ARN,
    ISSUER: DEFAULT_ISSUER,
    CLIENT_ID: DEFAULT_CLIENT_ID,
    ALB_PUBLIC_KEY_ENDPOINT: server.url,
    KEY_FETCH_TIMEOUT_MS: "1000",
    ...extra,
  };
}

/** A fresh app (a cold start) against the key server, with its log captured; its app is {@link echoApp}. */
export function harness(server: Pick<KeyServer, "url">, extra: Record<string, string> = {}): Harness {
  const { logs, rawLogs, write } = captureLog();
  return { ...createApp(testEnv(server, extra), { app: echoApp, writeLog: write }), logs, rawLogs };
}

/**
 * The ALB token verifier alone, trusting DEFAULT_ALB_ARN / DEFAULT_ISSUER / DEFAULT_CLIENT_ID, over `keys`
 * (by default a key cache of its own on `server`).
 * @example expect(await codeOf(albVerifier(server).verify(token))).toBe("expired");
 */
export function albVerifier(server: Pick<KeyServer, "url">, keys = new AlbKeyCache({ endpoint: server.url, timeoutMs: 500 })) {
  const settings = { albArns: [DEFAULT_ALB_ARN], issuer: DEFAULT_ISSUER, clientIds: [DEFAULT_CLIENT_ID], keyEndpoint: server.url };
  return createAlbTokenVerifier(settings, keys);
}

/** The ConfigError loading `env` fails with (anything else, or no error, fails the test). */
export function configError(env: Env): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error("expected a ConfigError");
}

export interface CodeOfOptions {
  /** What a promise that resolves gives (default "accepted"). */
  readonly resolved?: string;
  /**
   * Read the `code` of any error (or its text when it has none) instead of AuthError's only: for
   * callers wrapping the verifier, whose errors are not all ours. By default any other error is
   * rethrown, so that a bug never passes for a refusal.
   */
  readonly anyError?: boolean;
}

/**
 * The stable error code a promise is refused with, or `resolved` when it resolves.
 * @example expect(await codeOf(verifier.verify(token))).toBe("expired");
 */
export async function codeOf(p: Promise<unknown>, o: CodeOfOptions = {}): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AuthError) return err.code;
    if (o.anyError) return (err as { code?: string }).code ?? String(err);
    throw err;
  }
  return o.resolved ?? "accepted";
}

/** A result in one word, to tally or compare many: "ok" for a 200, else its error code. */
export function outcomeOf(res: ALBResult): string {
  return res.statusCode === 200 ? "ok" : String(body(res).error);
}

/**
 * Date frozen at `ms` during every test of the file (timers stay real, so servers and retries run):
 * token expiry is exact. Call it at the top of the file or of a describe.
 */
export function useFrozenDate(ms: number): void {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(ms);
  });
  afterEach(() => {
    vi.useRealTimers();
  });
}

/** A 401 exactly as the handler must answer it: status line, JSON body, challenge, no caching. */
export function expectUnauthorized(res: ALBResult, code: string): void {
  expect(res.statusCode).toBe(401);
  expect(res.statusDescription).toBe("401 Unauthorized");
  expect(res.isBase64Encoded).toBe(false);
  expect(body(res)).toEqual({ message: "Token verification failed", error: code });
  expect(header(res, "content-type")).toBe("application/json");
  expect(header(res, "cache-control")).toBe("no-store");
  const challenge =
    code === "missing_token" ? "Bearer" : code === "ambiguous_header" ? 'Bearer error="invalid_request"' : 'Bearer error="invalid_token"';
  expect(header(res, "www-authenticate")).toBe(challenge);
}

/** A 200 for alice. */
export function expectAccepted(res: ALBResult): void {
  expect(res.statusCode).toBe(200);
  expect(res.statusDescription).toBe("200 OK");
  expect(body(res)).toMatchObject({ message: "Token is valid", identity: "alice" });
}

/** A 503 for an outage of the key endpoint (ALB keys or JWKS): retry later, never a 401 that would log the user out. */
export function expectKeysUnavailable(res: ALBResult): void {
  expect(res.statusCode).toBe(503);
  expect(res.statusDescription).toBe("503 Service Unavailable");
  expect(body(res)).toEqual({ error: "keys_unavailable" });
  expect(header(res, "retry-after")).toBe("5");
  expect(header(res, "cache-control")).toBe("no-store");
  expect(header(res, "www-authenticate")).toBeUndefined();
}
