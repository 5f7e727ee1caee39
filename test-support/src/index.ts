// Test helpers every workspace's tests share: one server for the whole test file, the runtime's fake ALB and key server (its public testing kit), log capture, result parsing.
import type { ALBResult } from "aws-lambda";
import {
  createFakeAlb,
  startKeyServer,
  type FakeAlb,
  type FakeAlbOptions,
  type KeyServer,
  type KeyServerOptions,
  type TestKey,
} from "alb-oidc-target/testing";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";

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
 * The fake ALB (the runtime's testing kit) for the whole test file, started before its tests and
 * stopped after them; the returned object forwards to the running one.
 * @example const alb = useFakeAlb(); // then alb.userEvent(), alb.badUserToken("expired"), alb.keyServer ...
 */
export function useFakeAlb(options?: FakeAlbOptions): FakeAlb {
  return useForFile("the fake ALB", () => createFakeAlb(options));
}
