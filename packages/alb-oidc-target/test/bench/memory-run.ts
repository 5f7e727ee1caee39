// One memory measurement, in a process of its own (started by memory.ts with the Node binary and V8 flags to measure): dist/index.js as Lambda loads it, serving a mix of requests; prints the RSS growth as JSON.
import { createRequire } from "node:module";
import type { ALBEvent, ALBResult } from "aws-lambda";
import { createFakeAlb, tamper } from "../../src/testing/index.js";
import { BUNDLE, benchEvent } from "./common.js";

const INVOCATIONS = Number(process.env.BENCH_INVOCATIONS ?? 100_000);
/**
 * Requests before the baseline: 20,000 fill the memo (4,096 tokens) and let V8 and the allocator reach
 * their steady size (RSS rises some 25 MB over the first few thousand requests, then stays flat).
 */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 20_000);

/** Full collections, so RSS is compared at the live heap's steady size. */
function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) for (let i = 0; i < 3; i++) gc();
}

// The bundle's log lines (one per request) are discarded, as the per-request bench discards them.
const print = process.stdout.write.bind(process.stdout);
process.stdout.write = () => true;

const alb = await createFakeAlb();
try {
  Object.assign(process.env, alb.env);
  const { handler } = createRequire(import.meta.url)(BUNDLE) as { handler: (e: ALBEvent) => Promise<ALBResult> };

  // The mix of a busy instance: half the requests from 64 active users re-sending their current token,
  // three in ten a token never seen before, one in ten an invalid signature, one in ten no token at all.
  // Tokens are re-minted every 30 s, as the ALB re-mints them before they expire.
  const users = (): string[] => Array.from({ length: 64 }, (_, i) => alb.userToken({ claims: { sub: `user-${i}` } }));
  let active = users();
  const invalid = tamper(alb.userToken(), 2);
  const request = (i: number): ALBEvent => {
    const kind = i % 10;
    if (kind < 5) return benchEvent(alb, active[i % active.length] ?? "", `user-${i % active.length}`);
    if (kind < 8) return benchEvent(alb, alb.userToken({ claims: { sub: "alice", n: i } }));
    if (kind < 9) return benchEvent(alb, invalid);
    return benchEvent(alb, "");
  };

  for (let i = 0; i < WARMUP; i++) await handler(request(i));
  collect();
  const before = process.memoryUsage().rss;
  let minted = Date.now();
  for (let i = 0; i < INVOCATIONS; i++) {
    if (Date.now() - minted > 30_000) {
      active = users();
      minted = Date.now();
    }
    const res = await handler(request(i));
    if (res.statusCode >= 500) throw new Error(`request ${i} answered ${res.statusCode}`);
  }
  collect();
  const after = process.memoryUsage().rss;
  const gcExposed = typeof (globalThis as { gc?: unknown }).gc === "function";
  print(`${JSON.stringify({ rssGrowthBytes: after - before, gcExposed })}\n`);
} finally {
  await alb.stop();
}
