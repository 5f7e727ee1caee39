// `npm run bench [-- --quick] [-- --out <file>]`: builds the bundle, measures every invocation against the ES256 floor and its peers, prints a table, writes the JSON.
import { cpus } from "node:os";
import { writeFile } from "node:fs/promises";
import { buildBundle, runCold } from "./cold.js";
import { runEmulator } from "./emulator.js";
import { runMemory } from "./memory.js";
import { peerErrors, runMicro, startBenchEnv, type PeerResult } from "./micro.js";
import { round, table } from "./stats.js";

interface Options {
  readonly quick: boolean;
  readonly out: string | undefined;
}

function parseArgs(argv: readonly string[]): Options {
  let quick = false;
  let out: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--quick") quick = true;
    else if (arg === "--out") {
      out = argv[++i];
      if (!out) throw new Error("--out needs a file name");
    } else if (arg?.startsWith("--out=")) out = arg.slice("--out=".length);
    else throw new Error(`unknown argument ${String(arg)} (use --quick and/or --out <file>)`);
  }
  return { quick, out };
}

const log = (line: string): void => void process.stderr.write(`bench: ${line}\n`);

/** The targets, checked against this run (reported, never asserted: the machine is noisy). */
function verdict(ok: boolean): string {
  return ok ? "ok" : "MISSED";
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const plan = o.quick
    ? { rounds: 3, iterations: 50, processes: 10, firstRuns: 2, invocations: 2000, emulatorSeconds: 1 }
    : { rounds: 45, iterations: 500, processes: 15, firstRuns: 5, invocations: 100_000, emulatorSeconds: 5 };
  log(`${o.quick ? "quick" : "full"} run: building dist/index.js`);
  await buildBundle();
  const b = await startBenchEnv();
  try {
    // Memory first, while the process holds nothing but the bench's own setup: a clean baseline.
    log(`memory: ${plan.invocations} mixed invocations`);
    const memory = await runMemory(b, plan.invocations);
    log(`per-invocation: ${plan.rounds} interleaved rounds x ${plan.iterations} calls`);
    const micro = await runMicro(b, plan.rounds, plan.iterations, log);
    log(`cold starts: ${plan.processes} fresh processes per bundle`);
    const cold = await runCold(b, plan.processes, plan.firstRuns, log);
    log("emulator throughput");
    const emulator = await runEmulator(plan.emulatorSeconds, log).catch((err: unknown) => ({
      rps: null,
      note: `the emulator could not be measured: ${err instanceof Error ? err.message : String(err)}`,
    }));

    const result = {
      rawVerifyNs: micro.rawVerifyNs,
      albJwtVerifierNs: micro.albJwtVerifierNs,
      minimalHandlerNs: micro.minimalHandlerNs,
      handlerFreshTokenNs: micro.handlerFreshTokenNs,
      handlerRepeatTokenNs: micro.handlerRepeatTokenNs,
      handlerRejectNs: micro.handlerRejectNs,
      handlerRejectSignerNs: micro.handlerRejectSignerNs,
      freshVsLibrary: micro.freshVsLibrary,
      minimalVsLibrary: micro.minimalVsLibrary,
      rejectVsStacks: micro.rejectVsStacks,
      rejectSignerVsStacks: micro.rejectSignerVsStacks,
      freshVsRaw: micro.freshVsRaw,
      repeatVsRaw: micro.repeatVsRaw,
      albJwtVerifierVsRaw: micro.albJwtVerifierVsRaw,
      minimalHandlerVsRaw: micro.minimalHandlerVsRaw,
      bundleBytes: cold.bundleBytes,
      bundleGzipBytes: cold.bundleGzipBytes,
      initMs: cold.initMs,
      libraryInitMs: cold.libraryInitMs,
      initVsLibrary: cold.initVsLibrary,
      libraryBundleBytes: cold.libraryBundleBytes,
      firstInvocationMs: cold.firstInvocationMs,
      rssGrowthMb: memory.rssGrowthMb,
      emulatorRps: emulator.rps,
      emulatorNote: emulator.note,
      peers: micro.peers,
      peerErrors,
      memoHitRate: micro.memoHitRate,
      quick: o.quick,
      rounds: micro.rounds,
      iterationsPerRound: micro.iterations,
      initProcesses: cold.processes,
      mixedInvocations: memory.invocations,
      gcExposed: memory.gcExposed,
      durationS: round((Date.now() - started) / 1000, 1),
      node: process.version,
      /** V8 flags in force (Node 24 functions run with --max-semi-space-size=2). */
      nodeOptions: [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)].filter((f) => f.length > 0).join(" "),
      cpu: `${cpus()[0]?.model.trim() ?? "unknown"} x${cpus().length}`,
      date: new Date().toISOString(),
    };

    const us = (ns: number): string => `${(ns / 1000).toFixed(1)} us`;
    const peer = (p: PeerResult | undefined): string =>
      p === undefined ? "-" : typeof p === "string" ? p : `${us(p.ns)} (x${p.vsRaw.toFixed(2)})`;
    const rows: string[][] = [
      ["crypto.verify ES256, prepared key (floor)", us(result.rawVerifyNs), "x1.00", ""],
      ["AlbJwtVerifier.verify, key cached", us(result.albJwtVerifierNs), `x${result.albJwtVerifierVsRaw.toFixed(2)}`, ""],
      ["minimal handler (AlbJwtVerifier + JSON)", us(result.minimalHandlerNs), `x${result.minimalHandlerVsRaw.toFixed(2)}`, ""],
      [
        "our handler, fresh token",
        us(result.handlerFreshTokenNs),
        `x${result.freshVsRaw.toFixed(2)}`,
        `<= 1.30: ${verdict(result.freshVsRaw <= 1.3)}`,
      ],
      [
        "our handler, repeated token (memo)",
        us(result.handlerRepeatTokenNs),
        `x${result.repeatVsRaw.toFixed(3)}`,
        `<= 0.10: ${verdict(result.repeatVsRaw <= 0.1)}`,
      ],
      [
        "our handler, fresh token vs AlbJwtVerifier alone",
        "",
        `x${result.freshVsLibrary.toFixed(3)} (minimal x${result.minimalVsLibrary.toFixed(3)})`,
        `<= 1.10: ${verdict(result.freshVsLibrary <= 1.1)}`,
      ],
      ["our handler, invalid signature", us(result.handlerRejectNs), `x${result.rejectVsStacks.toFixed(2)} vs with stacks`, ""],
      [
        "our handler, another signer (screen)",
        us(result.handlerRejectSignerNs),
        `x${result.rejectSignerVsStacks.toFixed(2)} vs with stacks`,
        "",
      ],
      ["jose jwtVerify", peer(result.peers.jose), "", ""],
      ["fast-jwt", peer(result.peers["fast-jwt"]), "", ""],
      [
        "bundle dist/index.js",
        `${(result.bundleBytes / 1024).toFixed(1)} KB`,
        `${(result.bundleGzipBytes / 1024).toFixed(1)} KB gzip`,
        `<= 64 KB: ${verdict(result.bundleBytes <= 64 * 1024)}`,
      ],
      [
        "init (require dist/index.js)",
        `${result.initMs.toFixed(2)} ms`,
        `x${result.initVsLibrary.toFixed(2)} vs library`,
        `<= x1.30: ${verdict(result.initVsLibrary <= 1.3)}`,
      ],
      [
        "init (aws-jwt-verify bundle alone)",
        `${result.libraryInitMs.toFixed(2)} ms`,
        `${(result.libraryBundleBytes / 1024).toFixed(1)} KB`,
        "",
      ],
      ["first invocation (load + key fetch)", `${result.firstInvocationMs.toFixed(2)} ms`, "", ""],
      [
        "RSS growth",
        `${result.rssGrowthMb.toFixed(1)} MB`,
        `${result.mixedInvocations} mixed`,
        `< 20 MB: ${verdict(result.rssGrowthMb < 20)}`,
      ],
      [
        "emulator, logged-in user",
        result.emulatorRps === null ? "n/a" : `${result.emulatorRps} req/s`,
        "",
        result.emulatorRps === null ? "" : `>= 2000: ${verdict(result.emulatorRps >= 2000)}`,
      ],
    ];
    process.stdout.write(`\n${table(["measure", "value", "ratio / detail", "target"], rows)}\n\n`);
    process.stdout.write(
      `${result.node} (${result.nodeOptions}) on ${result.cpu}, ${result.date}, ${result.durationS} s${o.quick ? " (quick: figures are indicative only)" : ""}\n`,
    );
    if (result.emulatorNote) process.stdout.write(`emulator: ${result.emulatorNote}\n`);
    if (o.out) {
      await writeFile(o.out, `${JSON.stringify(result, null, 2)}\n`);
      process.stdout.write(`wrote ${o.out}\n`);
    }
  } finally {
    await b.server.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
