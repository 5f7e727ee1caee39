// Shared test setup: a handler wired to a loopback key server (a cold start), a captured log, and result parsing.
import type { ALBResult } from "aws-lambda";
import { afterAll, beforeAll } from "vitest";
import { createApp, type App } from "../src/app.js";
import { DEFAULT_ALB_ARN, DEFAULT_CLIENT_ID, DEFAULT_ISSUER } from "../src/testing/alb-token.js";
import { createFakeAlb, type FakeAlb } from "../src/testing/fake-alb.js";
import { startKeyServer, type KeyServer } from "../src/testing/key-server.js";
import type { TestKey } from "../src/testing/keys.js";

export interface Harness extends App {
  /** Every log line written, parsed. */
  readonly logs: Record<string, unknown>[];
  /** The raw text of every log line (to search for leaked secrets). */
  readonly rawLogs: string[];
}

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

/** A fresh app (a cold start) against the key server, with its log captured. */
export function harness(server: Pick<KeyServer, "url">, extra: Record<string, string> = {}): Harness {
  const rawLogs: string[] = [];
  const logs: Record<string, unknown>[] = [];
  const app = createApp(testEnv(server, extra), {
    writeLog: (l) => {
      rawLogs.push(l);
      logs.push(JSON.parse(l) as Record<string, unknown>);
    },
  });
  return { ...app, logs, rawLogs };
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
 * A loopback key server serving `keys` for the whole test file: started before its tests, stopped
 * after them. Call it at the top of the file; the returned object forwards to the running server.
 * @example const server = useKeyServer([key]); // then server.url, server.requests, server.stop() ...
 */
export function useKeyServer(keys: readonly TestKey[]): KeyServer {
  let started: KeyServer | undefined;
  beforeAll(async () => {
    started = await startKeyServer({ keys });
  });
  afterAll(async () => {
    await started?.stop();
  });
  return new Proxy({} as KeyServer, {
    get(_target, prop) {
      if (!started) throw new Error("the key server starts in beforeAll: use it inside a test or a hook");
      return Reflect.get(started, prop) as unknown;
    },
  });
}

/**
 * The fake ALB (the package's testing kit) for the whole test file, started before its tests and
 * stopped after them; the returned object forwards to the running one.
 * @example const alb = useFakeAlb(); // then alb.userEvent(), alb.badUserToken("expired"), alb.keyServer ...
 */
export function useFakeAlb(): FakeAlb {
  let started: FakeAlb | undefined;
  beforeAll(async () => {
    started = await createFakeAlb();
  });
  afterAll(async () => {
    await started?.stop();
  });
  return new Proxy({} as FakeAlb, {
    get(_target, prop) {
      if (!started) throw new Error("the fake ALB starts in beforeAll: use it inside a test or a hook");
      return Reflect.get(started, prop) as unknown;
    },
  });
}
