// The soak itself, run in its own process by soak.long.ts: 100,000 invocations of one warm handler mixing valid and invalid tokens; prints one JSON report line and must then exit by itself.
import { randomUUID } from "node:crypto";
import type { ALBEvent } from "aws-lambda";
import { createApp } from "../../src/app.js";
import { OTHER_ALB_ARN, mintAlbToken, tamper } from "../../src/testing/alb-token.js";
import { userEvent } from "../../src/testing/events.js";
import { createAlbKey } from "../../src/testing/keys.js";
import { startKeyServer } from "../../src/testing/key-server.js";
import { echoApp, testEnv } from "../helpers.js";
import { ACCESS_TOKEN, BROWSER, SESSION_COOKIE } from "./support.js";

const INVOCATIONS = Number(process.env.SOAK_INVOCATIONS ?? 100_000);
/** Long enough for V8 and the allocator to reach their steady size (RSS jumps ~20 MB in the first ~20,000 and is then flat). */
const WARMUP = 20_000;
/** Requests in flight at once: enough to exercise single-flight and interleaving, as a busy instance would not (Lambda is one at a time). */
const CONCURRENCY = 8;
/** Fresh valid tokens every this many invocations: ~8,000 distinct ones during warm-up, so the verified-token memo (4,096 entries) is full and evicting before RSS is measured. */
const REMINT_EVERY = 48;

let unhandled = 0;
process.on("unhandledRejection", () => {
  unhandled++;
});

const gc = (globalThis as { gc?: () => void }).gc;
/** RSS and live heap after full collections, in MB. */
function memory(): { rss: number; heap: number } {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss / 1024 / 1024, heap: m.heapUsed / 1024 / 1024 };
}
const round = (n: number): number => Math.round(n * 10) / 10;

/** SOAK_TRACE=1 prints memory every 10,000 invocations to stderr, to tell a leak (steady climb) from warm-up. */
function trace(done: number): void {
  gc?.();
  const m = process.memoryUsage();
  const mb = (n: number): string => (n / 1024 / 1024).toFixed(1);
  process.stderr.write(`${done} rss ${mb(m.rss)} heap ${mb(m.heapUsed)} external ${mb(m.external)}\n`);
}

async function main(): Promise<void> {
  const keyA = createAlbKey();
  const keyB = createAlbKey();
  const server = await startKeyServer({ keys: [keyA, keyB] });
  let leaks = 0;
  const app = createApp(testEnv(server), {
    app: echoApp,
    writeLog: (line) => {
      if (line.includes(ACCESS_TOKEN) || line.includes(SESSION_COOKIE) || line.includes("eyJ")) leaks++;
    },
  });

  let valid: string[] = [];
  const remint = (): void => {
    valid = Array.from({ length: 20 }, (_, i) =>
      mintAlbToken({ key: i % 2 ? keyA : keyB, expiresIn: 600, claims: { sub: "alice", n: randomUUID() } }),
    );
  };
  remint();
  const fixedInvalid = [
    tamper(mintAlbToken({ key: keyA, expiresIn: 600 }), 2),
    mintAlbToken({ key: keyA, expiresIn: -5 }),
    mintAlbToken({ key: keyA, alg: "none" }),
    mintAlbToken({ key: keyA, signer: OTHER_ALB_ARN }),
    "not.a.jwt",
    "x".repeat(20_000),
  ];

  const event = (token: string | undefined, identity = "alice"): ALBEvent => userEvent({ ...BROWSER, token, identity });

  /** One invocation of a mix where one in three is valid; returns whether the answer was the one expected. */
  async function one(i: number): Promise<boolean> {
    const pick = i % 12;
    if (pick < 4) {
      const res = await app.handler(event(valid[i % valid.length]));
      return res.statusCode === 200;
    }
    let e: ALBEvent;
    if (pick < 10) e = event(fixedInvalid[pick - 4]);
    else if (pick === 10) e = event(mintAlbToken({ key: keyA, kid: randomUUID(), expiresIn: 600 }));
    else e = event(valid[0], "mallory");
    const res = await app.handler(e);
    return res.statusCode === 401 || res.statusCode === 503;
  }

  let wrong = 0;
  let done = 0;
  async function run(count: number): Promise<void> {
    const end = done + count;
    while (done < end) {
      const batch = Math.min(CONCURRENCY, end - done);
      const results = await Promise.all(Array.from({ length: batch }, (_, j) => one(done + j)));
      wrong += results.filter((ok) => !ok).length;
      done += batch;
      if (done % REMINT_EVERY === 0) remint();
      if (process.env.SOAK_TRACE && done % 10_000 === 0) trace(done);
    }
  }

  await run(WARMUP);
  const before = memory();
  const started = performance.now();
  await run(INVOCATIONS);
  const seconds = (performance.now() - started) / 1000;
  await new Promise((r) => setImmediate(r));
  const after = memory();
  await server.stop();
  await new Promise((r) => setTimeout(r, 50));

  // What is still open once everything we started is closed: stdio is the runner's, anything else is ours and would keep Lambda's process (and this one) alive.
  const open = process.getActiveResourcesInfo().filter((r) => r !== "TTYWrap" && r !== "PipeWrap" && r !== "FSReqCallback");
  const report = {
    invocations: INVOCATIONS,
    warmup: WARMUP,
    wrong,
    leaks,
    unhandledRejections: unhandled,
    rssBeforeMb: round(before.rss),
    rssAfterMb: round(after.rss),
    rssGrowthMb: round(after.rss - before.rss),
    heapGrowthMb: round(after.heap - before.heap),
    tokenMemoEntries: app.tokenMemo?.size ?? null,
    keyFetches: app.albKeys.fetches,
    keysCached: app.albKeys.size,
    gcExposed: gc !== undefined,
    seconds: round(seconds),
    openResources: open,
  };
  process.stdout.write(`SOAK ${JSON.stringify(report)}\n`);
}

await main();
