// Emulator throughput for a logged-in user, sample function vs an HTTP upstream: autocannon in a separate process on loopback, the emulator in this one.
// Usage: tsx test/bench/targets.ts [seconds=10] [connections=10]   (prints one JSON object)
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { startEmulator } from "../../src/emulator/emulator.js";
import type { TargetOption } from "../../src/emulator/targets/target-group.js";
import { Browser } from "alb-oidc-target-test-support/browser";

interface Figures {
  readonly target: string;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  readonly errors: number;
}

/** A minimal upstream in its own process, so that its work does not share the emulator's event loop. */
async function startUpstream(): Promise<{ url: string; child: ChildProcess }> {
  const code = `require("http").createServer((q, s) => { q.resume(); q.on("end", () => s.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ identity: q.headers["x-amzn-oidc-identity"] }))); }).listen(0, "127.0.0.1", function () { console.log(this.address().port); });`;
  const child = spawn(process.execPath, ["-e", code], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<string>((resolve) => createInterface({ input: child.stdout }).once("line", resolve));
  return { url: `http://127.0.0.1:${port}`, child };
}

function autocannon(url: string, cookie: string, seconds: number, connections: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn("npx", ["autocannon", "-j", "-c", String(connections), "-d", String(seconds), "-H", `cookie=${cookie}`, url], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.on("error", reject);
    child.on("exit", () => {
      try {
        resolve(JSON.parse(out) as Record<string, unknown>);
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  });
}

async function measure(name: string, target: TargetOption, seconds: number, connections: number): Promise<Figures> {
  const alb = await startEmulator({
    port: 0,
    idpPort: 0,
    keyPort: 0,
    writeLog: () => undefined,
    target,
    file: { Scope: "openid profile email" },
  });
  try {
    const browser = new Browser();
    const { final } = await browser.login(`${alb.url}/whoami`, "alice");
    if (final.res.status !== 200) throw new Error(`${name}: login answered ${final.res.status}`);
    const cookie = await browser.jar.getCookieString(`${alb.url}/whoami`);
    const r = await autocannon(`${alb.url}/whoami`, cookie, seconds, connections);
    const latency = r.latency as { p50: number; p99: number };
    return {
      target: name,
      rps: Math.round((r.requests as { average: number }).average),
      p50Ms: latency.p50,
      p99Ms: latency.p99,
      non2xx: r.non2xx as number,
      errors: r.errors as number,
    };
  } finally {
    await alb.stop();
  }
}

const seconds = Number(process.argv[2] ?? 10);
const connections = Number(process.argv[3] ?? 10);
const upstream = await startUpstream();
try {
  const sample = await measure("sample function (Lambda target)", { kind: "sample" }, seconds, connections);
  const proxied = await measure("HTTP upstream (node:http, own process)", { kind: "upstream", url: upstream.url }, seconds, connections);
  process.stdout.write(`${JSON.stringify({ node: process.version, seconds, connections, results: [sample, proxied] }, null, 2)}\n`);
} finally {
  upstream.child.kill();
}
