// Resident memory growth over many mixed invocations of one warm handler: the memo, key cache and logger must stay bounded.
import type { ALBEvent } from "aws-lambda";
import { createApp } from "../../src/app.js";
import { ALICE, mintAlbToken, tamper } from "../../src/testing/alb-token.js";
import { userEvent, type BenchEnv } from "./micro.js";

function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) for (let i = 0; i < 3; i++) gc();
}

export interface MemoryResult {
  readonly rssGrowthMb: number;
  readonly invocations: number;
  readonly gcExposed: boolean;
  readonly memoEntries: number;
  readonly memoBytes: number;
}

/**
 * The mix of a busy instance: half the requests from 64 active users re-sending their current token,
 * three in ten a token never seen before, one in ten an invalid signature, one in ten no token at all.
 * Tokens are re-minted once a minute's worth would have passed, as the ALB does.
 */
export async function runMemory(b: BenchEnv, invocations: number): Promise<MemoryResult> {
  const app = createApp(b.env, { writeLog: () => undefined });
  const users = (): string[] => Array.from({ length: 64 }, (_, i) => mintAlbToken({ key: b.key, claims: { ...ALICE, sub: `user-${i}` } }));
  let active = users();
  const invalid = tamper(mintAlbToken({ key: b.key }), 2);
  const request = (i: number): ALBEvent => {
    const kind = i % 10;
    if (kind < 5) return userEvent(active[i % active.length] ?? "", `user-${i % active.length}`);
    if (kind < 8) return userEvent(mintAlbToken({ key: b.key, claims: { ...ALICE, n: i } }));
    if (kind < 9) return userEvent(invalid);
    return userEvent("", "alice");
  };
  for (let i = 0; i < 2000; i++) await app.handler(request(i));
  collect();
  const before = process.memoryUsage().rss;
  let minted = Date.now();
  for (let i = 0; i < invocations; i++) {
    if (Date.now() - minted > 30_000) {
      active = users();
      minted = Date.now();
    }
    const res = await app.handler(request(i));
    if (res.statusCode >= 500) throw new Error(`memory run: request ${i} answered ${res.statusCode}`);
  }
  collect();
  const after = process.memoryUsage().rss;
  return {
    rssGrowthMb: Math.round(((after - before) / (1024 * 1024)) * 10) / 10,
    invocations,
    gcExposed: typeof (globalThis as { gc?: unknown }).gc === "function",
    memoEntries: app.tokenMemo?.size ?? 0,
    memoBytes: app.tokenMemo?.bytes ?? 0,
  };
}
