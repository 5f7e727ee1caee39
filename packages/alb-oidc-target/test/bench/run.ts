// `npm run bench [-- --quick] [-- --out <file>]`: builds the bundle, measures it against aws-jwt-verify alone and the ES256 floor, prints a table with one verdict per target, writes the JSON.
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { cpus } from "node:os";
import { createFakeAlb } from "../../src/testing/index.js";
import { buildBundle } from "../dist-bundle.js";
import { runCold } from "./cold.js";
import { currentRuntime, deployedRuntimes, runMemory, type MemoryResult } from "./memory.js";
import { runMicro, type PeerResult } from "./micro.js";
import { round, table, type Spread } from "./stats.js";

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

/** A target of docs/performance.md, judged on the figure exactly as printed. */
interface Verdict {
  readonly figure: string;
  /** The printed figure (a ratio, KB or MB), or null when it could not be measured. */
  readonly value: number | null;
  readonly target: string;
  readonly ok: boolean | null;
}

function judge(figure: string, value: number | null, target: string): Verdict {
  const [op = "", bound = ""] = target.split(" ");
  const limit = Number.parseFloat(bound);
  const ok = value === null ? null : op === "<=" ? value <= limit : value < limit;
  return { figure, value, target, ok };
}

const verdictText = (v: Verdict): string => (v.ok === null ? "not measured" : v.ok ? "ok" : "MISSED");
const us = (ns: number): string => `${(ns / 1000).toFixed(1)} us`;
const ratio = (s: Spread): string => `x${s.median.toFixed(3)}`;
const range = (s: Spread): string => `p10 x${s.p10.toFixed(3)}, p90 x${s.p90.toFixed(3)}`;
const peer = (p: PeerResult | undefined): string =>
  p === undefined ? "-" : typeof p === "string" ? p : `${us(p.ns)} (x${p.vsRaw.toFixed(2)} of the floor)`;

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const plan = o.quick
    ? { rounds: 3, iterations: 50, processes: 6, firstRuns: 2, invocations: 2000 }
    : { rounds: 45, iterations: 500, processes: 15, firstRuns: 5, invocations: 100_000 };
  log(`${o.quick ? "quick" : "full"} run: building dist/index.js`);
  buildBundle();

  // Memory in child processes, one per runtime: the quick run measures this Node (CI runs it on each
  // version with its flags), the full run Node 20 and Node 24 as deployed.
  const memory: MemoryResult[] = [];
  for (const runtime of o.quick ? [currentRuntime()] : await deployedRuntimes(log)) {
    if ("rssGrowthMb" in runtime) {
      memory.push(runtime);
      continue;
    }
    log(`memory: ${plan.invocations} mixed invocations on ${runtime.label}`);
    memory.push(await runMemory(runtime, plan.invocations));
  }

  const alb = await createFakeAlb();
  try {
    log(`per invocation: ${plan.rounds} interleaved rounds x ${plan.iterations} calls`);
    const micro = await runMicro(alb, plan.rounds, plan.iterations, log);
    log(`cold starts: ${plan.processes} fresh processes per bundle`);
    const cold = await runCold(alb, plan.processes, plan.firstRuns, log);

    const bundleKb = round(cold.bundleBytes / 1024, 1);
    const fresh = judge("our handler, fresh token / AlbJwtVerifier.verify alone", micro.freshVsLibrary.median, "<= 1.30");
    const repeat = judge("repeated token (memo) / raw ES256 verify", micro.repeatVsRaw.median, "<= 0.10");
    const init = judge("init: require(dist/index.js) / aws-jwt-verify bundle alone", cold.initVsLibrary.median, "<= 1.35");
    const bundle = judge("dist/index.js (KB)", bundleKb, "<= 64 KB");
    const rss = memory.map((m) => judge(`RSS growth (MB), ${m.label}`, m.rssGrowthMb, "< 20 MB"));
    const verdicts = [fresh, repeat, init, bundle, ...rss];

    const row = (figure: string, value: string, detail = "", v?: Verdict): string[] => [
      figure,
      value,
      detail,
      v?.target ?? "",
      v ? verdictText(v) : "",
    ];
    const rows: string[][] = [
      row("crypto.verify ES256, prepared key (the floor)", us(micro.rawVerifyNs)),
      row("AlbJwtVerifier.verify alone, key cached", us(micro.albJwtVerifierNs)),
      row(
        "our handler, fresh token / AlbJwtVerifier.verify",
        ratio(micro.freshVsLibrary),
        `${range(micro.freshVsLibrary)}; ${us(micro.handlerFreshTokenNs)}`,
        fresh,
      ),
      row(
        "our handler, repeated token (memo) / the floor",
        ratio(micro.repeatVsRaw),
        `${range(micro.repeatVsRaw)}; ${us(micro.handlerRepeatTokenNs)}`,
        repeat,
      ),
      row("our handler, invalid signature", us(micro.handlerRejectNs)),
      row("our handler, another signer (header screen)", us(micro.handlerRejectSignerNs)),
      row("jose jwtVerify", peer(micro.peers.jose)),
      row("fast-jwt", peer(micro.peers["fast-jwt"])),
      row(
        "init: require(dist/index.js) / aws-jwt-verify bundle",
        ratio(cold.initVsLibrary),
        `${range(cold.initVsLibrary)}; ${cold.initMs.toFixed(2)} ms vs ${cold.libraryInitMs.toFixed(2)} ms`,
        init,
      ),
      row("dist/index.js", `${bundleKb.toFixed(1)} KB`, `${(cold.bundleGzipBytes / 1024).toFixed(1)} KB gzip`, bundle),
      row("first invocation (load + key fetch)", `${cold.firstInvocationMs.toFixed(2)} ms`),
      ...memory.map((m, i) =>
        row(
          `RSS growth, ${m.label}`,
          m.rssGrowthMb === null ? "n/a" : `${m.rssGrowthMb.toFixed(1)} MB`,
          m.rssGrowthMb === null ? m.note : `${m.invocations.toLocaleString("en-US")} mixed invocations${m.note ? `; ${m.note}` : ""}`,
          rss[i],
        ),
      ),
    ];

    const result = {
      ...micro,
      bundleBytes: cold.bundleBytes,
      bundleGzipBytes: cold.bundleGzipBytes,
      libraryBundleBytes: cold.libraryBundleBytes,
      initMs: cold.initMs,
      libraryInitMs: cold.libraryInitMs,
      initVsLibrary: cold.initVsLibrary,
      firstInvocationMs: cold.firstInvocationMs,
      memory,
      verdicts,
      quick: o.quick,
      initProcesses: cold.processes,
      durationS: round((Date.now() - started) / 1000, 1),
      node: process.version,
      /** V8 flags this process ran with (the memory runs set their own, see `memory`). */
      nodeOptions: [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)].filter((f) => f.length > 0).join(" "),
      cpu: `${cpus()[0]?.model.trim() ?? "unknown"} x${cpus().length}`,
      date: new Date().toISOString(),
    };

    process.stdout.write(`\n${table(["figure", "value", "spread / detail", "target", "verdict"], rows)}\n\n`);
    process.stdout.write(
      `${result.node} (${result.nodeOptions}) on ${result.cpu}, ${result.date}, ${result.durationS} s${o.quick ? " (quick: figures are indicative only)" : ""}\n`,
    );
    if (o.out) {
      // Relative to where npm was started (`npm run bench` at the root runs this in the package's folder).
      const file = resolve(process.env.INIT_CWD ?? process.cwd(), o.out);
      await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
      process.stdout.write(`wrote ${file}\n`);
    }
  } finally {
    await alb.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
