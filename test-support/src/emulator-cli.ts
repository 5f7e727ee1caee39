// The emulator's CLI as a user starts it, from its sources (as `npm start` does): a child process on free ports, ready once its banner says so; stopped with Ctrl-C (SIGINT).
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);
const CLI = join(dirname(require.resolve("alb-oidc-target-emulator/package.json")), "src/cli.ts");
const TSX = pathToFileURL(require.resolve("tsx")).href;

/** A running `alb-oidc-target-emulator`: what its banner printed, the listener's URL, and how to stop it. */
export interface CliProcess {
  /** Everything printed on stdout up to and including the banner's last line. */
  readonly banner: string;
  /** The application's URL (the ALB listener), without a trailing slash. */
  readonly url: string;
  /** Ctrl-C: resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts the CLI with `args` on free ports (PORT=0: the embedded provider and the key server follow)
 * and resolves once the banner is printed; rejects with what it printed if it exits first.
 * @example const cli = await startCli(["--handler", "test/fixtures/plain-handler.mjs"]); ... expect(await cli.stop()).toBe(0);
 */
export async function startCli(args: readonly string[], o: { readonly cwd?: string } = {}): Promise<CliProcess> {
  const child = spawn(process.execPath, ["--conditions=alb-oidc-target-source", "--import", TSX, CLI, ...args], {
    cwd: o.cwd,
    env: { ...process.env, PORT: "0" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  const banner = await new Promise<string>((done, fail) => {
    let out = "";
    void exited.then((code) => fail(new Error(`exited with ${String(code)}: ${out}`)));
    createInterface({ input: child.stdout }).on("line", (l) => {
      out += `${l}\n`;
      if (l.includes("Ctrl-C stops everything.")) done(out);
    });
  });
  const url = /Application \(ALB listener\):\s+(\S+?)\/?\n/.exec(banner)?.[1] ?? "";
  return {
    banner,
    url,
    stop: () => {
      if (child.exitCode !== null) return exited;
      child.kill("SIGINT");
      return exited;
    },
  };
}
