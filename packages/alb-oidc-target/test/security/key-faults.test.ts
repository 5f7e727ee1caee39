// Faults of the ALB key endpoint: every one answers 503 keys_unavailable (an outage, retry later) or 401 unknown_key (a key we will not use), within the fetch deadline, and nothing failed is cached.
import type { ServerResponse } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { mintAlbToken } from "../../src/testing/alb-token.js";
import { createAlbKey, createP384Key, createRsaKey } from "../../src/testing/keys.js";
import type { FaultHandler } from "../../src/testing/key-server.js";
import { expectAccepted, expectKeysUnavailable, expectUnauthorized, harness, testEnv, useKeyServer } from "../helpers.js";
import { expectNoLeak, secretsOf, BROWSER } from "./support.js";
import { userEvent } from "../../src/testing/events.js";

/** Short enough to keep the suite quick; the default (1500) has its own test. */
const TIMEOUT_MS = 300;
/** Slack for the event loop and process scheduling on a busy 2-core machine: a bound, not a speed claim. */
const SLACK_MS = 1000;

const key = createAlbKey();
/** A fresh server for every test: no fault, request or added key carries over. */
const server = useKeyServer([key], { each: true });
const timers = new Set<NodeJS.Timeout>();

afterEach(() => {
  for (const t of timers) clearTimeout(t);
  timers.clear();
});

function later(ms: number, fn: () => void): void {
  const t = setTimeout(() => {
    timers.delete(t);
    fn();
  }, ms);
  timers.add(t);
}

const pem = (): string => key.publicKeyPem;
const status =
  (code: number, text = "error"): FaultHandler =>
  (_req, res) =>
    void res.writeHead(code, { "content-type": "text/plain" }).end(text);
const serve =
  (text: string): FaultHandler =>
  (_req, res) =>
    void res.writeHead(200, { "content-type": "application/x-pem-file" }).end(text);
const hang: FaultHandler = (_req, res: ServerResponse) => later(60_000, () => res.end(pem()));
/** `first` for the first request, `then` for every one after it (a fault the retry meets changed). */
function firstThen(first: FaultHandler, then: FaultHandler): FaultHandler {
  let n = 0;
  return (req, res) => (++n === 1 ? first : then)(req, res);
}

/** One request on a cold instance; returns the result, elapsed time and how many fetches reached the endpoint. */
async function coldRequest(extraEnv: Record<string, string> = {}) {
  const h = harness(server, { KEY_FETCH_TIMEOUT_MS: String(TIMEOUT_MS), ...extraEnv });
  const token = mintAlbToken({ key });
  const before = server.requests.length;
  const started = performance.now();
  const res = await h.handler(userEvent({ ...BROWSER, token }));
  const elapsedMs = performance.now() - started;
  expectNoLeak(res, h.rawLogs, secretsOf(token));
  // Whatever the fault, the answer comes within the fetch deadline (plus scheduling slack).
  expect(elapsedMs).toBeLessThan(h.config.keyFetchTimeoutMs + SLACK_MS);
  return { h, res, elapsedMs, requests: server.requests.length - before, token };
}

/** After the fault is lifted, the same warm instance fetches again and succeeds: nothing failed was cached. */
async function recovers(h: ReturnType<typeof harness>): Promise<void> {
  server.setFault(undefined);
  const before = server.requests.length;
  expectAccepted(await h.handler(userEvent({ ...BROWSER, token: mintAlbToken({ key }) })));
  expect(server.requests.length - before).toBe(1);
}

/** The endpoint answers with `fault`: a cold request is an outage (503), and the instance recovers once it is lifted. Gives the fetches the outage made. */
async function outage(fault: FaultHandler): Promise<number> {
  server.setFault(fault);
  const { h, res, requests } = await coldRequest();
  expectKeysUnavailable(res);
  await recovers(h);
  return requests;
}

describe("outages -> 503 keys_unavailable, retried once, never cached", () => {
  it("key endpoint fault: connection refused -> 503 keys_unavailable in both header modes; after it returns, the next request succeeds", async () => {
    await server.stop();
    const { h, res } = await coldRequest();
    expectKeysUnavailable(res);
    const multi = await h.handler(userEvent({ ...BROWSER, token: mintAlbToken({ key }), multiValue: true }));
    expectKeysUnavailable(multi);
    expect(multi.headers).toBeUndefined();
    await server.restart();
    await recovers(h);
  });

  it.each([500, 502, 503, 504, 429])("key endpoint fault: HTTP %i -> 503 keys_unavailable after one retry", async (code) => {
    expect(await outage(status(code))).toBe(2);
  });

  it("key endpoint fault: connection reset mid-response -> 503 keys_unavailable", async () => {
    const resetMidBody: FaultHandler = (_req, res) => {
      res.writeHead(200, { "content-type": "application/x-pem-file", "content-length": String(pem().length) });
      res.write(pem().slice(0, 40));
      later(10, () => res.socket?.destroy());
    };
    expect(await outage(resetMidBody)).toBe(2);
  });

  it("key endpoint fault: connection reset before any answer -> 503 keys_unavailable", async () => {
    expect(await outage((req) => req.socket.destroy())).toBe(2);
  });

  it("key endpoint fault: truncated PEM -> 503 keys_unavailable", async () => {
    await outage(serve(pem().slice(0, Math.floor(pem().length / 2))));
  });

  it.each([
    ["plain text", "hello, world"],
    ["an HTML error page", "<html><body>Service Unavailable</body></html>"],
    ["a PEM with a corrupted body", pem().replace(/[A-Za-z]{10}/, "!!!!!!!!!!")],
    ["an empty body", ""],
  ])("key endpoint fault: garbage PEM (%s) -> 503 keys_unavailable", async (_name, text) => {
    await outage(serve(text));
  });

  it("key endpoint fault: an oversized body (64 KB) -> 503 keys_unavailable", async () => {
    await outage(serve(pem() + "A".repeat(64 * 1024)));
  });

  it("key endpoint fault: a redirect is not followed -> 503 keys_unavailable", async () => {
    await outage((_req, res) => void res.writeHead(302, { location: `${server.url}/${key.kid}?moved=1` }).end());
    expect(server.requests.every((p) => !p.includes("moved"))).toBe(true);
  });

  it("key endpoint fault: slow response beyond the timeout -> 503 keys_unavailable within KEY_FETCH_TIMEOUT_MS", async () => {
    server.setFault(hang);
    const { h, res, elapsedMs, requests } = await coldRequest();
    expectKeysUnavailable(res);
    expect(elapsedMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
    expect(elapsedMs).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    expect(requests).toBe(1);
    await recovers(h);
  });

  it("key endpoint fault: a body trickling one byte at a time cannot hold the handler past the deadline", async () => {
    server.setFault((_req, res) => {
      res.writeHead(200, { "content-type": "application/x-pem-file" });
      const drip = (i: number): void => {
        if (res.destroyed) return;
        res.write(pem()[i % pem().length] ?? "x");
        later(50, () => drip(i + 1));
      };
      drip(0);
    });
    const { res, elapsedMs } = await coldRequest();
    expectKeysUnavailable(res);
    expect(elapsedMs).toBeLessThan(TIMEOUT_MS + SLACK_MS);
  });

  it("key endpoint fault: the one retry fits inside the same deadline (reset, then hang)", async () => {
    server.setFault(firstThen((req) => req.socket.destroy(), hang));
    const { res, elapsedMs, requests } = await coldRequest();
    expectKeysUnavailable(res);
    expect(requests).toBe(2);
    expect(elapsedMs).toBeLessThan(TIMEOUT_MS + SLACK_MS);
  });

  it("key endpoint fault: a transient failure is absorbed by the retry (500, then the key) -> 200", async () => {
    server.setFault(firstThen(status(500), serve(pem())));
    const { res, requests } = await coldRequest();
    expectAccepted(res);
    expect(requests).toBe(2);
  });

  it("KEY_FETCH_TIMEOUT_MS defaults to 1500 and bounds a hanging endpoint on a default configuration", async () => {
    const env = testEnv(server);
    const { KEY_FETCH_TIMEOUT_MS: _dropped, ...withoutTimeout } = env;
    expect(loadConfig(withoutTimeout).keyFetchTimeoutMs).toBe(1500);
    server.setFault(hang);
    const { res, elapsedMs } = await coldRequest({ KEY_FETCH_TIMEOUT_MS: "" });
    expectKeysUnavailable(res);
    expect(elapsedMs).toBeGreaterThanOrEqual(1495);
    expect(elapsedMs).toBeLessThan(1500 + SLACK_MS);
  });

  it("key endpoint fault: concurrent requests for one kid during a slow fetch share a single fetch", async () => {
    server.setFault((_req, res) => later(100, () => res.writeHead(200).end(pem())));
    const h = harness(server, { KEY_FETCH_TIMEOUT_MS: String(TIMEOUT_MS) });
    const results = await Promise.all(Array.from({ length: 25 }, () => h.handler(userEvent({ ...BROWSER, token: mintAlbToken({ key }) }))));
    for (const r of results) expectAccepted(r);
    expect(server.requests).toEqual([`/${key.kid}`]);
  });
});

describe("keys we will not use -> 401 unknown_key, remembered", () => {
  it("key endpoint: a kid it does not serve (its own 404) -> 401 unknown_key, not refetched", async () => {
    const h = harness(server, { KEY_FETCH_TIMEOUT_MS: String(TIMEOUT_MS) });
    const stranger = createAlbKey();
    expectUnauthorized(await h.handler(userEvent({ ...BROWSER, token: mintAlbToken({ key: stranger }) })), "unknown_key");
    expectUnauthorized(await h.handler(userEvent({ ...BROWSER, token: mintAlbToken({ key: stranger }) })), "unknown_key");
    expect(server.requests).toEqual([`/${stranger.kid}`]);
  });

  it.each([404, 403, 410])("key endpoint fault: HTTP %i (no such key) -> 401 unknown_key, not retried, not refetched", async (code) => {
    server.setFault(status(code));
    const { h, res, requests } = await coldRequest();
    expectUnauthorized(res, "unknown_key");
    expect(requests).toBe(1);
    const again = await h.handler(userEvent({ ...BROWSER, token: mintAlbToken({ key }) }));
    expectUnauthorized(again, "unknown_key");
    expect(server.requests).toHaveLength(1);
  });

  it.each([
    ["RSA", createRsaKey().publicKeyPem],
    ["EC P-384", createP384Key().publicKeyPem],
  ])("key endpoint fault: a PEM of the wrong key type (%s) -> 401 unknown_key, not refetched", async (_name, wrong) => {
    server.setFault(serve(wrong));
    const { h, res, requests } = await coldRequest();
    expectUnauthorized(res, "unknown_key");
    expect(requests).toBe(1);
    expectUnauthorized(await h.handler(userEvent({ ...BROWSER, token: mintAlbToken({ key }) })), "unknown_key");
    expect(server.requests).toHaveLength(1);
  });

  it("key endpoint fault: another P-256 key served under our kid -> 401 invalid_signature", async () => {
    server.setFault(serve(createAlbKey().publicKeyPem));
    const { res } = await coldRequest();
    expectUnauthorized(res, "invalid_signature");
  });
});

describe("a warm instance through an outage", () => {
  it("a warm instance with cached keys keeps answering 200 throughout an outage, and fetches a new kid once the endpoint returns", async () => {
    const h = harness(server, { KEY_FETCH_TIMEOUT_MS: String(TIMEOUT_MS) });
    expectAccepted(await h.handler(userEvent({ ...BROWSER, token: mintAlbToken({ key }) })));
    const fetchedBefore = h.albKeys.fetches;

    await server.stop();
    for (let i = 0; i < 50; i++)
      expectAccepted(await h.handler(userEvent({ ...BROWSER, token: mintAlbToken({ key, claims: { sub: "alice", n: i } }) })));
    // The cached key served all 50: the endpoint saw only the first fetch.
    expect(server.requests).toEqual([`/${key.kid}`]);
    const rotated = createAlbKey();
    server.addKey(rotated);
    expectKeysUnavailable(await h.handler(userEvent({ ...BROWSER, token: mintAlbToken({ key: rotated }) })));
    server.setFault(status(503));
    await server.restart();
    expectKeysUnavailable(await h.handler(userEvent({ ...BROWSER, token: mintAlbToken({ key: rotated }) })));
    for (let i = 0; i < 10; i++) expectAccepted(await h.handler(userEvent({ ...BROWSER, token: mintAlbToken({ key }) })));

    server.setFault(undefined);
    expectAccepted(await h.handler(userEvent({ ...BROWSER, token: mintAlbToken({ key: rotated }) })));
    expectAccepted(await h.handler(userEvent({ ...BROWSER, token: mintAlbToken({ key }) })));
    expect(h.albKeys.fetches - fetchedBefore).toBe(3);
  });
});
