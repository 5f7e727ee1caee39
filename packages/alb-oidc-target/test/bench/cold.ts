// Cold-start costs in fresh node processes: loading dist/index.js against a bundle of aws-jwt-verify alone (both billed as init), the bundle's size, and a first request that fetches its key.
import { execFile } from "node:child_process";
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import type { FakeAlb } from "../../src/testing/index.js";
import { BUNDLE, ROOT, benchEvent } from "./common.js";
import { median, round, spread, type Spread } from "./stats.js";

const LIBRARY_DIR = join(ROOT, ".bench/library");
const LIBRARY_BUNDLE = join(LIBRARY_DIR, "aws-jwt-verify.cjs");

/** Runs a command to completion and gives its stdout; a failure rejects with its stderr (the bench reports no figure for a broken build). */
async function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return (await promisify(execFile)(command, args, { cwd: ROOT, env })).stdout;
}

/**
 * Bundles aws-jwt-verify alone with the same esbuild settings, as a user of the library would ship it:
 * import AlbJwtVerifier and create one verifier at module scope.
 */
async function buildLibraryBundle(): Promise<void> {
  await mkdir(LIBRARY_DIR, { recursive: true });
  const entry = join(LIBRARY_DIR, "entry.mjs");
  await writeFile(
    entry,
    [
      'import { AlbJwtVerifier } from "aws-jwt-verify";',
      "export const verifier = AlbJwtVerifier.create({",
      "  albArn: process.env.LOAD_BALANCER_ARN, issuer: process.env.ISSUER, clientId: process.env.CLIENT_ID,",
      "});",
      "",
    ].join("\n"),
  );
  await build({
    entryPoints: [entry],
    outfile: LIBRARY_BUNDLE,
    bundle: true,
    minify: true,
    platform: "node",
    target: ["node22"],
    format: "cjs",
    legalComments: "none",
    logLevel: "warning",
    nodePaths: [join(ROOT, "node_modules")],
  });
}

/** A child that requires a module and prints how long the require took, in ms. */
const LOAD_SCRIPT = `const t = performance.now(); require(process.env.BENCH_MODULE); process.stdout.write(String(performance.now() - t));`;

/** A child that loads the bundle, answers one request (fetching the key) and prints the total, in ms. */
const FIRST_REQUEST_SCRIPT = `
const t = performance.now();
const { handler } = require(process.env.BENCH_MODULE);
handler(JSON.parse(process.env.BENCH_EVENT), { awsRequestId: "bench" }).then((res) => {
  const ms = performance.now() - t;
  if (res.statusCode !== 200) { process.stderr.write("first request answered " + res.statusCode + " " + res.body); process.exit(1); }
  process.stdout.write(String(ms));
});`;

async function childMs(script: string, env: NodeJS.ProcessEnv): Promise<number> {
  const out = await run(process.execPath, ["-e", script], env);
  const ms = Number(out.trim().split("\n").pop());
  if (!Number.isFinite(ms)) throw new Error(`child printed no timing: ${out.slice(0, 200)}`);
  return ms;
}

export interface ColdResult {
  readonly bundleBytes: number;
  readonly bundleGzipBytes: number;
  readonly initMs: number;
  readonly libraryInitMs: number;
  /** require() of dist/index.js / of the library's bundle, per pair of processes (target: median <= 1.35). */
  readonly initVsLibrary: Spread;
  readonly firstInvocationMs: number;
  readonly libraryBundleBytes: number;
  readonly processes: number;
}

/**
 * Loads both bundles in `processes` fresh processes each, alternating ours and the library's so a
 * slow second hits both; then `firstRuns` processes that serve one request with the log on stdout discarded.
 */
export async function runCold(alb: FakeAlb, processes: number, firstRuns: number, log: (line: string) => void): Promise<ColdResult> {
  await buildLibraryBundle();
  const bundle = await readFile(BUNDLE);
  const libraryBytes = (await stat(LIBRARY_BUNDLE)).size;
  const env = { ...process.env, ...alb.env, NODE_OPTIONS: "" };
  const ours: number[] = [];
  const library: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < processes; i++) {
    const o = await childMs(LOAD_SCRIPT, { ...env, BENCH_MODULE: BUNDLE });
    const l = await childMs(LOAD_SCRIPT, { ...env, BENCH_MODULE: LIBRARY_BUNDLE });
    ours.push(o);
    library.push(l);
    ratios.push(o / l);
  }
  log(`init: ours ${median(ours).toFixed(2)} ms, library ${median(library).toFixed(2)} ms over ${processes} processes each`);
  const first: number[] = [];
  for (let i = 0; i < firstRuns; i++) {
    const event = JSON.stringify(benchEvent(alb, alb.userToken()));
    first.push(await childMs(FIRST_REQUEST_SCRIPT, { ...env, BENCH_MODULE: BUNDLE, BENCH_EVENT: event }));
  }
  return {
    bundleBytes: bundle.length,
    bundleGzipBytes: gzipSync(bundle, { level: 9 }).length,
    initMs: round(median(ours), 2),
    libraryInitMs: round(median(library), 2),
    initVsLibrary: spread(ratios),
    firstInvocationMs: round(median(first), 2),
    libraryBundleBytes: libraryBytes,
    processes,
  };
}
