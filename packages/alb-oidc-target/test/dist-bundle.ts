// The sample function's Lambda bundle (dist/index.js at the repository root) in tests and the bench: built when missing, and cold-started from its text as Node's CommonJS loader would load it, with its own environment and stdout.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { compileFunction } from "node:vm";
import type { ALBEvent, ALBResult } from "aws-lambda";

/** The repository's root, where `npm run build` writes the sample function's bundle. */
export const REPOSITORY_ROOT = resolve(import.meta.dirname, "../../..");
export const BUNDLE = resolve(REPOSITORY_ROOT, "dist/index.js");

export type BundleHandler = (event: ALBEvent) => Promise<ALBResult>;

/** Builds dist/index.js as `npm run build` at the root does: the sample workspace's build, from the sources of this package. */
export function buildBundle(): void {
  execFileSync("npm", ["run", "--silent", "build", "--workspace=alb-oidc-target-sample"], { cwd: REPOSITORY_ROOT, stdio: "pipe" });
}

/**
 * The bundle's text, built first if there is none (`npm run build` makes it; a fresh clone's `npm test`
 * builds it here). Read it once per test file: the bundle test rebuilds dist/ while other files run.
 */
export function readBundle(): string {
  if (!existsSync(BUNDLE)) buildBundle();
  return readFileSync(BUNDLE, "utf8");
}

/**
 * A cold start of the bundle: its text evaluated afresh in the wrapper Node's CommonJS loader uses,
 * seeing `env` over this process's environment and writing its log lines to `write` (Lambda's stdout).
 * Nothing global is swapped, so instances may serve requests at the same time.
 * @example const handler = coldStartBundle(readBundle(), env, log.write);
 */
export function coldStartBundle(source: string, env: Readonly<Record<string, string>>, write: (line: string) => void): BundleHandler {
  const processEnv = { ...process.env, ...env };
  const stdout = {
    write: (chunk: string | Uint8Array): boolean => {
      write(chunk.toString());
      return true;
    },
  };
  // The bundle reaches the environment and stdout through the free variable `process`: this one.
  const ownProcess = new Proxy(process, {
    get: (target, prop) => (prop === "env" ? processEnv : prop === "stdout" ? stdout : (Reflect.get(target, prop) as unknown)),
  });
  const module = { exports: {} as { handler?: BundleHandler } };
  const params = ["module", "exports", "require", "__filename", "__dirname", "process"];
  const factory = compileFunction(source, params, { filename: BUNDLE }) as (...args: unknown[]) => void;
  factory(module, module.exports, createRequire(BUNDLE), BUNDLE, dirname(BUNDLE), ownProcess);
  const { handler } = module.exports;
  if (!handler) throw new Error("dist/index.js exports no handler");
  return handler;
}
