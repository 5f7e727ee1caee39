// Starts the Python upstream that verifies x-amzn-oidc-data on its own (fixtures/alb_verifier_upstream.py) and hands it the banner's environment lines.
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const SCRIPT = fileURLToPath(new URL("./fixtures/alb_verifier_upstream.py", import.meta.url));

export interface PythonUpstream {
  readonly url: string;
  /** Sends the environment the emulator's banner printed (the verifier's whole configuration). */
  configure(env: { keyEndpoint: string; signer: string; issuer: string; clientId: string }): void;
  stop(): Promise<void>;
}

/** Spawns python3 on the fixture (or another script that prints "PORT <n>" first) and waits for that line. */
export async function startPythonUpstream(script: string = SCRIPT): Promise<PythonUpstream> {
  const child: ChildProcess = spawn("python3", [script], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout ?? process.stdin });
  const port = await new Promise<number>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`python3 exited with ${String(code)} before listening`)));
    lines.once("line", (l) => {
      const m = /^PORT (\d+)$/.exec(l);
      if (m) resolve(Number(m[1]));
      else reject(new Error(`unexpected first line from the Python upstream: ${l}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    configure: (env) => child.stdin?.write(`${JSON.stringify(env)}\n`),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** The value of one `export NAME='value'` line of the banner (the shell's single quotes undone). */
export function bannerEnv(text: string, name: string): string {
  const m = new RegExp(`^\\s+export ${name}='((?:[^']|'\\\\'')*)'$`, "m").exec(text);
  if (m?.[1] === undefined) throw new Error(`the banner has no export ${name}='...' line:\n${text}`);
  return m[1].replaceAll("'\\''", "'");
}
