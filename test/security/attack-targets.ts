// The handlers the attack catalogue (attacks.test.ts) runs over: the sample flow, a handler built with withAlbAuth, and the built Lambda bundle dist/index.js.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { compileFunction } from "node:vm";
import type { ALBEvent, ALBResult } from "aws-lambda";
import { withAlbAuth } from "../../src/api.js";
import type { TokenMemo } from "../../src/auth/memo.js";
import type { KeyServer } from "../../src/testing/key-server.js";
import { captureLog, harness, testEnv } from "../helpers.js";

/** What the catalogue needs of a cold start: the handler and every log line it wrote. */
export interface AttackHarness {
  readonly handler: (event: ALBEvent) => Promise<ALBResult>;
  readonly rawLogs: string[];
  readonly logs: Record<string, unknown>[];
  /** The sample flow exposes its memo; a packaged handler does not (its memo is asserted through behaviour only). */
  readonly tokenMemo: TokenMemo | undefined;
}

export interface AttackTarget {
  readonly name: string;
  /** A fresh cold start of this handler against the key server. */
  readonly coldStart: (server: Pick<KeyServer, "url">, extra?: Record<string, string>) => AttackHarness;
}

/** A handler built with the package's withAlbAuth and an app that echoes the principal as the sample does. */
function withAlbAuthColdStart(server: Pick<KeyServer, "url">, extra: Record<string, string> = {}): AttackHarness {
  const { logs, rawLogs, write } = captureLog();
  const handler = withAlbAuth(
    ({ event, principal }) => ({
      statusCode: 200,
      statusDescription: "200 OK",
      body: JSON.stringify({ message: "Token is valid", identity: principal.sub, claims: principal.claims }),
      // The answer in the event's header mode, as an ALB target must give it.
      ...(event.multiValueHeaders
        ? { multiValueHeaders: { "content-type": ["application/json"] } }
        : { headers: { "content-type": "application/json" } }),
    }),
    { env: testEnv(server, extra), writeLog: write },
  );
  return { handler: (e) => handler(e), rawLogs, logs, tokenMemo: undefined };
}

const BUNDLE = resolve(import.meta.dirname, "../../dist/index.js");

/** dist/index.js as Lambda loads it (CommonJS, its environment read at load): evaluated afresh for every cold start. */
function bundleColdStart(): AttackTarget["coldStart"] {
  // `npm run build` makes it; a fresh clone's `npm test` builds it here.
  if (!existsSync(BUNDLE)) execFileSync(process.execPath, ["esbuild.config.mjs"], { stdio: "pipe" });
  // Read once: the bundle test rebuilds dist/ in parallel, and a cold start per attempt must not race it.
  const source = readFileSync(BUNDLE, "utf8");
  const requireFromDist = createRequire(BUNDLE);
  type Handler = (e: ALBEvent) => Promise<ALBResult>;
  type Factory = (m: { exports: { handler?: Handler } }, e: object, r: NodeJS.Require, f: string, d: string) => void;

  return (server, extra = {}) => {
    const saved = process.env;
    process.env = { ...saved, ...testEnv(server, extra) };
    const module = { exports: {} as { handler?: Handler } };
    try {
      // The bundle's own text, wrapped the way Node's CommonJS loader wraps a module.
      const factory = compileFunction(source, ["module", "exports", "require", "__filename", "__dirname"], { filename: BUNDLE }) as Factory;
      factory(module, module.exports, requireFromDist, BUNDLE, resolve(BUNDLE, ".."));
    } finally {
      process.env = saved;
    }
    const { handler } = module.exports;
    if (!handler) throw new Error("dist/index.js exports no handler");
    const log = captureLog();
    return {
      handler: async (e) => {
        // The bundle logs to stdout, as on Lambda: its lines are captured for the leak checks.
        const write = process.stdout.write.bind(process.stdout);
        process.stdout.write = (chunk: string | Uint8Array): boolean => {
          log.write(chunk.toString());
          return true;
        };
        try {
          return await handler(e);
        } finally {
          process.stdout.write = write;
        }
      },
      rawLogs: log.rawLogs,
      logs: log.logs,
      tokenMemo: undefined,
    };
  };
}

/** Every handler the catalogue attacks. */
export const ATTACK_TARGETS: readonly AttackTarget[] = [
  { name: "the sample flow", coldStart: harness },
  { name: "withAlbAuth", coldStart: withAlbAuthColdStart },
  { name: "dist/index.js", coldStart: bundleColdStart() },
];
