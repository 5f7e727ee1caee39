// The handlers the attack catalogue (attacks.test.ts) runs over: the request flow, a handler built with withAlbAuth, and the built Lambda bundle dist/index.js.
import type { ALBEvent, ALBResult } from "aws-lambda";
import { withAlbAuth } from "../../src/api.js";
import type { TokenMemo } from "../../src/auth/memo.js";
import type { KeyServer } from "../../src/testing/key-server.js";
import { coldStartBundle, readBundle } from "../dist-bundle.js";
import { captureLog, echoApp, harness, testEnv } from "../helpers.js";

/** What the catalogue needs of a cold start: the handler and every log line it wrote. */
export interface AttackHarness {
  readonly handler: (event: ALBEvent) => Promise<ALBResult>;
  readonly rawLogs: string[];
  readonly logs: Record<string, unknown>[];
  /** The request flow (createApp) exposes its memo; a packaged handler does not (its memo is asserted through behaviour only). */
  readonly tokenMemo: TokenMemo | undefined;
}

export interface AttackTarget {
  readonly name: string;
  /** A fresh cold start of this handler against the key server. */
  readonly coldStart: (server: Pick<KeyServer, "url">, extra?: Record<string, string>) => AttackHarness;
}

/** A handler built with the package's withAlbAuth around the tests' echo app. */
function withAlbAuthColdStart(server: Pick<KeyServer, "url">, extra: Record<string, string> = {}): AttackHarness {
  const { logs, rawLogs, write } = captureLog();
  const handler = withAlbAuth(echoApp, { env: testEnv(server, extra), writeLog: write });
  return { handler: (e) => handler(e), rawLogs, logs, tokenMemo: undefined };
}

/** dist/index.js as Lambda loads it, its environment read at load: a fresh evaluation for every cold start. */
function bundleColdStart(): AttackTarget["coldStart"] {
  const source = readBundle();
  return (server, extra = {}) => {
    const { logs, rawLogs, write } = captureLog();
    return { handler: coldStartBundle(source, testEnv(server, extra), write), rawLogs, logs, tokenMemo: undefined };
  };
}

/** Every handler the catalogue attacks. */
export const ATTACK_TARGETS: readonly AttackTarget[] = [
  { name: "the request flow", coldStart: harness },
  { name: "withAlbAuth", coldStart: withAlbAuthColdStart },
  { name: "dist/index.js", coldStart: bundleColdStart() },
];
