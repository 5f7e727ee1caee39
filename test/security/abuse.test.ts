// Abuse of the key cache: an unknown-kid flood costs a bounded number of outbound fetches while valid tokens keep verifying; key rotation never churns and the cache stays bounded.
import { randomUUID } from "node:crypto";
import type { ALBResult } from "aws-lambda";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { mintAlbToken } from "../../src/testing/alb-token.js";
import { createAlbKey, type TestKey } from "../../src/testing/keys.js";
import { harness, outcomeOf, useFrozenDate, useKeyServer } from "../helpers.js";
import { KEY_PATH, expectAccepted, expectKeysUnavailable, expectUnauthorized, BROWSER } from "./support.js";
import { userEvent } from "../../src/testing/events.js";

/** Documented in docs/security.md: burst of new-kid fetches, refill rate, negative-cache lifetime, key cache size. */
const BURST = 10;
const NEGATIVE_TTL_MS = 30_000;
const MAX_KEYS = 16;

const NOW_MS = Date.UTC(2026, 0, 15, 12, 0, 0);
const key = createAlbKey();
/** Signs the flood: a real P-256 key whose kids the endpoint does not know. */
const floodKey = createAlbKey();
const server = useKeyServer([key]);
useFrozenDate(NOW_MS);
beforeEach(() => {
  server.requests.length = 0;
});

const floodToken = (kid: string = randomUUID()): string => mintAlbToken({ key: floodKey, kid });

function tally(results: readonly ALBResult[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of results) out[outcomeOf(r)] = (out[outcomeOf(r)] ?? 0) + 1;
  return out;
}

describe("unknown-kid flood", () => {
  it("unknown-kid flood: 1,000 distinct random kids cost at most 10 outbound fetches (the burst, shared with the valid key's); valid tokens keep verifying throughout", async () => {
    // A generous fetch deadline: on a loaded machine the 1,100 requests below must not turn the
    // burst's fetches into timeouts (this test counts fetches, it does not time them).
    const h = harness(server, { KEY_FETCH_TIMEOUT_MS: "15000" });
    expectAccepted(await h.handler(userEvent({ ...BROWSER, token: mintAlbToken({ key }) })));
    expect(server.requests).toEqual([`/${key.kid}`]);
    server.requests.length = 0;

    // Signed before the flood starts, so the requests arrive together rather than one signature apart.
    const floodEvents = Array.from({ length: 1000 }, () => userEvent({ ...BROWSER, token: floodToken(randomUUID()) }));
    const validEvents = Array.from({ length: 100 }, (_, n) =>
      userEvent({ ...BROWSER, token: mintAlbToken({ key, claims: { sub: "alice", n } }) }),
    );
    const flood: Promise<ALBResult>[] = [];
    const valid: Promise<ALBResult>[] = [];
    for (const [i, event] of floodEvents.entries()) {
      flood.push(h.handler(event));
      const validEvent = i % 10 === 0 ? validEvents[i / 10] : undefined;
      if (validEvent) valid.push(h.handler(validEvent));
    }
    const floodResults = await Promise.all(flood);
    const validResults = await Promise.all(valid);

    expect(server.requests).toHaveLength(BURST - 1);
    expect(server.requests.every((p) => KEY_PATH.test(p) && p !== `/${key.kid}`)).toBe(true);
    expect(tally(floodResults)).toEqual({ unknown_key: BURST - 1, keys_unavailable: 1000 - (BURST - 1) });
    for (const r of floodResults) {
      if (r.statusCode === 503) expectKeysUnavailable(r);
      else expectUnauthorized(r, "unknown_key");
    }
    expect(validResults).toHaveLength(100);
    for (const r of validResults) expectAccepted(r);
  });

  it("unknown-kid flood: the bucket refills at one fetch per second, so a sequential flood over real time stays within 10 + seconds elapsed", async () => {
    vi.useRealTimers();
    const started = Date.now();
    const h = harness(server, { KEY_FETCH_TIMEOUT_MS: "15000" });
    expectAccepted(await h.handler(userEvent({ ...BROWSER, token: mintAlbToken({ key }) })));
    for (let i = 0; i < 1000; i++) {
      const res = await h.handler(userEvent({ ...BROWSER, token: floodToken() }));
      expect([401, 503]).toContain(res.statusCode);
      if (i % 100 === 0) expectAccepted(await h.handler(userEvent({ ...BROWSER, token: mintAlbToken({ key }) })));
    }
    const elapsedS = (Date.now() - started) / 1000;
    expect(server.requests.length).toBeGreaterThanOrEqual(BURST);
    expect(server.requests.length).toBeLessThanOrEqual(BURST + Math.ceil(elapsedS));
  });

  it("unknown-kid flood: a kid the endpoint does not know is remembered for 30 s and answered 401 without asking again", async () => {
    const h = harness(server);
    const kid = randomUUID();
    expectUnauthorized(await h.handler(userEvent({ ...BROWSER, token: floodToken(kid) })), "unknown_key");
    for (let i = 0; i < 50; i++) expectUnauthorized(await h.handler(userEvent({ ...BROWSER, token: floodToken(kid) })), "unknown_key");
    vi.setSystemTime(NOW_MS + NEGATIVE_TTL_MS - 1);
    expectUnauthorized(await h.handler(userEvent({ ...BROWSER, token: floodToken(kid) })), "unknown_key");
    expect(server.requests).toEqual([`/${kid}`]);
    vi.setSystemTime(NOW_MS + NEGATIVE_TTL_MS);
    expectUnauthorized(await h.handler(userEvent({ ...BROWSER, token: floodToken(kid) })), "unknown_key");
    expect(server.requests).toEqual([`/${kid}`, `/${kid}`]);
  });

  it("unknown-kid flood: once the flood has drained the bucket, a genuinely new key is fetched one second later", async () => {
    const h = harness(server);
    expectAccepted(await h.handler(userEvent({ ...BROWSER, token: mintAlbToken({ key }) })));
    await Promise.all(Array.from({ length: 100 }, () => h.handler(userEvent({ ...BROWSER, token: floodToken() }))));
    const rotated = createAlbKey();
    server.addKey(rotated);
    expectKeysUnavailable(await h.handler(userEvent({ ...BROWSER, token: mintAlbToken({ key: rotated }) })));
    vi.setSystemTime(NOW_MS + 1000);
    expectAccepted(await h.handler(userEvent({ ...BROWSER, token: mintAlbToken({ key: rotated }) })));
    server.removeKey(rotated.kid);
  });
});

describe("key rotation", () => {
  function rotationKeys(n: number): TestKey[] {
    const keys = Array.from({ length: n }, () => createAlbKey());
    for (const k of keys) server.addKey(k);
    return keys;
  }

  it("key rotation: tokens alternating between two kids, then a third appearing, all verify with one fetch per kid", async () => {
    const [a, b, c] = rotationKeys(3) as [TestKey, TestKey, TestKey];
    const h = harness(server);
    for (let i = 0; i < 40; i++)
      expectAccepted(await h.handler(userEvent({ ...BROWSER, token: mintAlbToken({ key: i % 2 === 0 ? a : b }) })));
    for (let i = 0; i < 60; i++)
      expectAccepted(await h.handler(userEvent({ ...BROWSER, token: mintAlbToken({ key: [a, b, c][i % 3] ?? a }) })));
    expect(server.requests).toEqual([`/${a.kid}`, `/${b.kid}`, `/${c.kid}`]);
    expect(h.albKeys.size).toBe(3);
  });

  it("key rotation: the key cache stays bounded at 16 keys however many kids appear (oldest evicted first)", async () => {
    const keys = rotationKeys(40);
    const h = harness(server);
    for (const [i, k] of keys.entries()) {
      vi.setSystemTime(NOW_MS + i * 1000);
      expectAccepted(await h.handler(userEvent({ ...BROWSER, token: mintAlbToken({ key: k }) })));
      expect(h.albKeys.size).toBe(Math.min(i + 1, MAX_KEYS));
    }
    expect(h.albKeys.fetches).toBe(40);
    const newest = keys.slice(-MAX_KEYS);
    for (const k of newest) expectAccepted(await h.handler(userEvent({ ...BROWSER, token: mintAlbToken({ key: k }) })));
    expect(h.albKeys.fetches).toBe(40);
    vi.setSystemTime(NOW_MS + 100_000);
    expectAccepted(await h.handler(userEvent({ ...BROWSER, token: mintAlbToken({ key: keys[0] ?? key }) })));
    expect(h.albKeys.fetches).toBe(41);
    expect(h.albKeys.size).toBe(MAX_KEYS);
  });
});
