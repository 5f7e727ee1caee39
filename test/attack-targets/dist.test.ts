// The attack catalogue against the built Lambda bundle dist/index.js, each attempt a fresh cold start of the bundle as Lambda loads it (CommonJS, env read at load).
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { compileFunction } from "node:vm";
import type { ALBEvent, ALBResult } from "aws-lambda";
import { testEnv } from "../helpers.js";
import { capture, useTarget } from "./target.js";

const BUNDLE = resolve(import.meta.dirname, "../../dist/index.js");
if (!existsSync(BUNDLE)) execFileSync(process.execPath, ["esbuild.config.mjs"], { stdio: "pipe" });
// Read once: the bundle test rebuilds dist/ in parallel, and a cold start per attempt must not race it.
const source = readFileSync(BUNDLE, "utf8");
const requireFromDist = createRequire(BUNDLE);

type Handler = (e: ALBEvent) => Promise<ALBResult>;

/** Evaluates the bundle as a fresh CommonJS module: a cold start. */
function coldStart(env: Record<string, string>): Handler {
  const saved = process.env;
  process.env = { ...saved, ...env };
  try {
    const module = { exports: {} as { handler?: Handler } };
    // The bundle's own text, wrapped the way Node's CommonJS loader wraps a module.
    const factory = compileFunction(source, ["module", "exports", "require", "__filename", "__dirname"], { filename: BUNDLE }) as (
      m: typeof module,
      e: typeof module.exports,
      r: NodeJS.Require,
      f: string,
      d: string,
    ) => void;
    factory(module, module.exports, requireFromDist, BUNDLE, resolve(BUNDLE, ".."));
    if (!module.exports.handler) throw new Error("dist/index.js exports no handler");
    return module.exports.handler;
  } finally {
    process.env = saved;
  }
}

useTarget((server, extra = {}) => {
  const log = capture();
  const handler = coldStart(testEnv(server, extra));
  return {
    handler: async (e) => {
      // The bundle logs to stdout, as on Lambda: capture its lines for the leak checks.
      const write = process.stdout.write.bind(process.stdout);
      const capturing = (chunk: string | Uint8Array): boolean => {
        log.write(chunk.toString());
        return true;
      };
      process.stdout.write = capturing;
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
});

await import("../security/attacks.test.js");
