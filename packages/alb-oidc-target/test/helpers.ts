// Shared by the test suites: a handler wired to a loopback key server (a cold start), the log capture, result parsing, the exact answers (200, 401, 503).
import type { ALBResult } from "aws-lambda";
import { afterAll, afterEach, beforeAll, beforeEach, expect, vi } from "vitest";
import { createApp, type App } from "../src/app.js";
import { createAlbTokenVerifier } from "../src/auth/alb-token.js";
import { loadConfig, type Env } from "../src/config.js";
import { AuthError, ConfigError } from "../src/errors.js";
import { AlbKeyCache } from "../src/keys/alb-keys.js";
import { DEFAULT_ALB_ARN, DEFAULT_CLIENT_ID, DEFAULT_ISSUER } from "../src/testing/alb-token.js";
import { createFakeAlb, type FakeAlb, type FakeAlbOptions } from "../src/testing/index.js";
import { startKeyServer, type KeyServer, type KeyServerOptions } from "../src/testing/key-server.js";
import type { TestKey } from "../src/testing/keys.js";
import { echoApp } from "./echo-app.js";

export { echoApp } from "./echo-app.js";

/** Log lines kept as a handler writes them: pass `write` as its `writeLog`. */
export interface CapturedLog {
  /** Every log line written, parsed. */
  readonly logs: Record<string, unknown>[];
  /** The raw text of every log line (to search for leaked secrets). */
  readonly rawLogs: string[];
  /** Keeps one line (the `writeLog` option). */
  readonly write: (line: string) => void;
}

/**
 * A place for a handler's log lines, raw and parsed.
 * @example const log = captureLog(); withAlbAuth(app, { env, writeLog: log.write }); ... expect(log.logs[0]).toMatchObject({ status: 401 });
 */
export function captureLog(): CapturedLog {
  const rawLogs: string[] = [];
  const logs: Record<string, unknown>[] = [];
  return {
    logs,
    rawLogs,
    write: (line) => {
      rawLogs.push(line);
      logs.push(JSON.parse(line) as Record<string, unknown>);
    },
  };
}

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

/** The JSON body of a result. */
export function body(res: ALBResult): Record<string, unknown> {
  return JSON.parse(res.body ?? "") as Record<string, unknown>;
}

/** A header of a result, from whichever mode it uses. */
export function header(res: ALBResult, name: string): string | undefined {
  return res.headers?.[name]?.toString() ?? res.multiValueHeaders?.[name]?.[0]?.toString();
}

/**
 * One object for the whole test file (or one per test with `each`): `start` before, `stop` after,
 * and a stand-in forwarding to the running one. Call it at the top of the file (or of a describe).
 * @example const alb = useForFile("the emulator", () => testEmulator()); // then alb.url, alb.logs ...
 */
export function useForFile<T extends { stop(): Promise<void> }>(what: string, start: () => Promise<T>, each = false): T {
  let started: T | undefined;
  (each ? beforeEach : beforeAll)(async () => {
    started = await start();
  });
  (each ? afterEach : afterAll)(async () => {
    await started?.stop();
  });
  return new Proxy({} as T, {
    get(_target, prop) {
      if (!started) throw new Error(`${what} starts in beforeAll: use it inside a test or a hook`);
      return Reflect.get(started, prop) as unknown;
    },
  });
}

/**
 * A loopback key server serving `keys` (or started with `options`) for the whole test file: started
 * before its tests, stopped after them; with `each`, a fresh one for every test (nothing carries over). Call it at the top of the file (or of a describe); the
 * returned object forwards to the running server, also after `stop()` and `restart()`.
 * @example const server = useKeyServer([key]); // then server.url, server.requests, server.stop() ...
 */
export function useKeyServer(keys: readonly TestKey[] | KeyServerOptions = [], o: { readonly each?: boolean } = {}): KeyServer {
  const options: KeyServerOptions = Array.isArray(keys) ? { keys } : (keys as KeyServerOptions);
  return useForFile("the key server", () => startKeyServer(options), o.each);
}

/**
 * The fake ALB (the package's testing kit) for the whole test file, started before its tests and
 * stopped after them; the returned object forwards to the running one.
 * @example const alb = useFakeAlb(); // then alb.userEvent(), alb.badUserToken("expired"), alb.keyServer ...
 */
export function useFakeAlb(options?: FakeAlbOptions): FakeAlb {
  return useForFile("the fake ALB", () => createFakeAlb(options));
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
