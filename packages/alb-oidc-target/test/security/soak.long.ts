// The soak (npm run test:security only, not npm test): 100,000 invocations in a child process; memory stays flat, nothing rejects unhandled, nothing is left open and the process exits by itself.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const RUNNER = fileURLToPath(new URL("./soak-run.ts", import.meta.url));
/** How long the child may take to exit after its report: only a handle left open would hold it (a hang check, not a speed claim). */
const EXIT_GRACE_MS = 5_000;

interface SoakReport {
  readonly invocations: number;
  readonly wrong: number;
  readonly leaks: number;
  readonly unhandledRejections: number;
  readonly rssGrowthMb: number;
  readonly heapGrowthMb: number;
  readonly gcExposed: boolean;
  readonly keysCached: number;
  readonly openResources: readonly string[];
}

function runSoak(): Promise<{ report: SoakReport; code: number | null; exitAfterReportMs: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", RUNNER], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let reportAt = 0;
    let hung: NodeJS.Timeout | undefined;
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      if (!reportAt && stdout.includes("SOAK ")) {
        reportAt = performance.now();
        hung = setTimeout(() => child.kill("SIGKILL"), EXIT_GRACE_MS);
      }
    });
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(hung);
      const line = stdout.split("\n").find((l) => l.startsWith("SOAK "));
      if (!line) return reject(new Error(`the soak printed no report (exit ${String(code)}): ${stderr.slice(-2000)}`));
      resolve({ report: JSON.parse(line.slice(5)) as SoakReport, code, exitAfterReportMs: performance.now() - reportAt, stderr });
    });
  });
}

it("soak: 100,000 invocations mixing valid and invalid tokens: RSS grows < 20 MB, no unhandled rejection, nothing left open, the process exits by itself", async () => {
  const { report, code, exitAfterReportMs, stderr } = await runSoak();
  console.log(`soak: ${JSON.stringify(report)}`);
  expect(code, stderr.slice(-2000)).toBe(0);
  expect(exitAfterReportMs).toBeLessThan(EXIT_GRACE_MS);
  expect(report.invocations).toBeGreaterThanOrEqual(100_000);
  expect(report.gcExposed).toBe(true);
  expect(report.wrong).toBe(0);
  expect(report.leaks).toBe(0);
  expect(report.unhandledRejections).toBe(0);
  expect(report.rssGrowthMb).toBeLessThan(20);
  // The live heap is the less noisy witness of a leak: RSS also moves with the allocator.
  expect(report.heapGrowthMb).toBeLessThan(5);
  expect(report.keysCached).toBe(2);
  expect(report.openResources).toEqual([]);
}, 180_000);
