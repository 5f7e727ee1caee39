// Resident memory growth over many mixed invocations of one warm instance of dist/index.js, on the Node versions the function is deployed on, with their V8 flags.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { PACKAGE_DIR, ROOT } from "./common.js";
import { round } from "./stats.js";

/** Node 24 functions run with this flag (the CDK construct sets it in NODE_OPTIONS); Node 20 functions with none. */
const NODE24_V8_FLAGS = "--max-semi-space-size=2";

/** A Node binary to measure on, as a function is deployed with it. */
export interface Runtime {
  readonly label: string;
  readonly node: string;
  readonly nodeOptions: string;
}

export interface MemoryResult {
  readonly label: string;
  /** RSS after the run minus RSS after warm-up, in MB (target < 20); null when it could not be measured. */
  readonly rssGrowthMb: number | null;
  readonly invocations: number;
  readonly note: string;
}

const major = (version: string): number => Number(version.replace(/^v/, "").split(".")[0]);

/** This process's Node, with the NODE_OPTIONS it runs with (the quick bench in CI sets them per version). */
export function currentRuntime(): Runtime {
  const nodeOptions = process.env.NODE_OPTIONS ?? "";
  return { label: `Node ${major(process.version)}${nodeOptions ? ` (${nodeOptions})` : ""}`, node: process.execPath, nodeOptions };
}

/** Node 20 and Node 24 as deployed: this process's binary when it is that version, else the official one scripts/ci-node.sh installs from the npm registry. */
export async function deployedRuntimes(log: (line: string) => void): Promise<(Runtime | MemoryResult)[]> {
  const out: (Runtime | MemoryResult)[] = [];
  for (const version of [20, 24]) {
    const nodeOptions = version === 24 ? NODE24_V8_FLAGS : "";
    const label = `Node ${version}${nodeOptions ? ` (${nodeOptions})` : ""}`;
    if (major(process.version) === version) {
      out.push({ label, node: process.execPath, nodeOptions });
      continue;
    }
    log(`memory: installing Node ${version} (scripts/ci-node.sh)`);
    try {
      const { stdout } = await promisify(execFile)("bash", [join(ROOT, "scripts/ci-node.sh"), String(version)], { cwd: ROOT });
      out.push({ label, node: stdout.trim(), nodeOptions });
    } catch (err) {
      const why = err instanceof Error ? (err.message.split("\n")[0] ?? "") : String(err);
      out.push({ label, rssGrowthMb: null, invocations: 0, note: `no Node ${version} binary: ${why}` });
    }
  }
  return out;
}

/** Runs memory-run.ts on `runtime` for `invocations` requests, after a warm-up of as many (at most 20,000). */
export async function runMemory(runtime: Runtime, invocations: number): Promise<MemoryResult> {
  const { stdout } = await promisify(execFile)(
    runtime.node,
    ["--expose-gc", "--import", "tsx", join(PACKAGE_DIR, "test/bench/memory-run.ts")],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_OPTIONS: runtime.nodeOptions,
        BENCH_INVOCATIONS: String(invocations),
        BENCH_WARMUP: String(Math.min(invocations, 20_000)),
      },
    },
  );
  const report = JSON.parse(stdout) as { rssGrowthBytes: number; gcExposed: boolean };
  return {
    label: runtime.label,
    rssGrowthMb: round(report.rssGrowthBytes / (1024 * 1024), 1),
    invocations,
    note: report.gcExposed ? "" : "no --expose-gc: RSS includes uncollected garbage",
  };
}
