// The verified-token memo over the real verifier (real ES256, loopback key server): hits skip the signature check, nothing outlives exp, rejections are never remembered, the bounds hold.
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AlbTokenVerifier } from "../../src/auth/alb-token.js";
import { TokenMemo } from "../../src/auth/memo.js";
import { loadConfig } from "../../src/config.js";
import { ConfigError } from "../../src/errors.js";
import { ALICE, DEFAULT_ISSUER, mintAlbToken, tamper } from "../../src/testing/alb-token.js";
import { createAlbKey } from "../../src/testing/keys.js";
import { withAlbAuth } from "../../src/api.js";
import { userEvent as kitUserEvent } from "../../src/testing/events.js";
import { albVerifier, body, codeOf as kitCodeOf, harness, testEnv, useKeyServer } from "../helpers.js";

/** A whole second, so that exp boundaries are exact. */
const NOW_MS = Date.UTC(2026, 0, 15, 12, 0, 0);
const NOW_S = NOW_MS / 1000;

const key = createAlbKey();
const server = useKeyServer([key]);
afterEach(() => {
  vi.useRealTimers();
  server.setFault(undefined);
});

interface Counted {
  readonly memo: TokenMemo;
  /** Tokens that reached the real verifier (each one a full verification with a signature check). */
  readonly calls: string[];
}

/** The memo's bounds and clock, as its constructor takes them. */
type TokenMemoOptions = NonNullable<ConstructorParameters<typeof TokenMemo>[1]>;

/** A memo over the real verifier, counting what reaches it. */
function memoOverRealVerifier(options: TokenMemoOptions = {}): Counted {
  const real = albVerifier(server);
  const calls: string[] = [];
  const counting: Required<AlbTokenVerifier> = {
    verify: (token) => {
      calls.push(token);
      return real.verify(token);
    },
    verifyUntil: (token) => {
      calls.push(token);
      return real.verifyUntil(token);
    },
  };
  return { memo: new TokenMemo(counting, options), calls };
}

/** The memo wraps the verifier: any error's code counts (or its text), as the handler would see it. */
const codeOf = (p: Promise<unknown>): Promise<string> => kitCodeOf(p, { anyError: true });

function freezeClock(ms = NOW_MS): void {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(ms);
}

describe("a token carrying a remembered token's signature", () => {
  it("is verified in full and refused, and the remembered one still hits", async () => {
    freezeClock();
    const { memo, calls } = memoOverRealVerifier();
    const token = mintAlbToken({ key, claims: ALICE });
    await memo.verify(token);
    // Another payload (bob's) under alice's signature: the same signature, another token.
    const forged =
      mintAlbToken({ key, claims: { ...ALICE, sub: "bob" } })
        .split(".")
        .slice(0, 2)
        .join(".") + token.slice(token.lastIndexOf("."));
    expect(forged.slice(-22)).toBe(token.slice(-22));
    expect(await codeOf(memo.verify(forged))).toBe("invalid_signature");
    expect(calls).toEqual([token, forged]);
    expect((await memo.verify(token)).sub).toBe("alice");
    expect(calls).toHaveLength(2);
    expect(memo.hits).toBe(1);
  });
});

describe("a repeated token", () => {
  it("is served from the memo without a second signature check, with the same claims", async () => {
    const { memo, calls } = memoOverRealVerifier();
    const token = mintAlbToken({ key, claims: ALICE });
    const first = await memo.verify(token);
    const second = await memo.verify(token);
    const third = await memo.verify(token);
    expect(calls).toHaveLength(1);
    expect(second).toBe(first);
    expect(third).toMatchObject({ ...ALICE, iss: DEFAULT_ISSUER });
    expect({ hits: memo.hits, misses: memo.misses, size: memo.size }).toEqual({ hits: 2, misses: 1, size: 1 });
  });

  it("is matched only by the same string in a new object (as each Lambda event parses it afresh)", async () => {
    const { memo, calls } = memoOverRealVerifier();
    const token = mintAlbToken({ key });
    await memo.verify(token);
    await memo.verify((JSON.parse(JSON.stringify({ t: token })) as { t: string }).t);
    expect(calls).toHaveLength(1);
  });

  it("hands out claims frozen all the way down from the request that verified the token on", async () => {
    const { memo } = memoOverRealVerifier();
    const token = mintAlbToken({ key, claims: { ...ALICE, groups: ["staff"], address: { country: "JP" } } });
    type Claims = { sub: string; groups: string[]; address: { country: string } };
    const first = (await memo.verify(token)) as unknown as Claims;
    const claims = (await memo.verify(token)) as unknown as Claims;
    expect(claims).toBe(first);
    for (const c of [first, claims]) {
      expect(() => {
        c.sub = "admin";
      }).toThrow(TypeError);
      expect(() => c.groups.push("admins")).toThrow(TypeError);
      expect(() => {
        c.address.country = "US";
      }).toThrow(TypeError);
    }
    expect(await memo.verify(token)).toMatchObject({ sub: "alice", groups: ["staff"], address: { country: "JP" } });
  });
});

describe("expiry", () => {
  it("an entry one millisecond before exp is still a hit; at exp it is re-verified and rejected as expired", async () => {
    freezeClock();
    const { memo, calls } = memoOverRealVerifier();
    const token = mintAlbToken({ key, expiresIn: 60 });
    await memo.verify(token);
    vi.setSystemTime(NOW_MS + 59_999);
    expect(await codeOf(memo.verify(token))).toBe("accepted");
    expect(calls).toHaveLength(1);
    vi.setSystemTime(NOW_MS + 60_000);
    expect(await codeOf(memo.verify(token))).toBe("expired");
    expect(calls).toHaveLength(2);
    expect(memo.size).toBe(0);
    expect(memo.bytes).toBe(0);
  });

  it.each([
    ["header exp sooner than payload exp", { headerExp: NOW_S + 30, payloadExp: NOW_S + 60 }],
    ["payload exp sooner than header exp", { headerExp: NOW_S + 60, payloadExp: NOW_S + 30 }],
  ])("%s: the entry dies at the sooner one, and the token is then rejected", async (_name, exps) => {
    freezeClock();
    const { memo, calls } = memoOverRealVerifier({});
    const token = mintAlbToken({ key, ...exps });
    await memo.verify(token);
    vi.setSystemTime(NOW_MS + 29_999);
    await memo.verify(token);
    expect(calls).toHaveLength(1);
    vi.setSystemTime(NOW_MS + 30_000);
    expect(await codeOf(memo.verify(token))).toBe("expired");
    expect(calls).toHaveLength(2);
  });

  it("a clock that jumped past exp while the entry sat unused still re-verifies", async () => {
    freezeClock();
    const { memo, calls } = memoOverRealVerifier();
    const token = mintAlbToken({ key, expiresIn: 5 });
    await memo.verify(token);
    vi.setSystemTime(NOW_MS + 3_600_000);
    expect(await codeOf(memo.verify(token))).toBe("expired");
    expect(calls).toHaveLength(2);
  });
});

describe("a token differing by one character", () => {
  it.each([
    ["header", 0],
    ["payload", 1],
    ["signature", 2],
  ] as const)("in its %s is verified afresh and rejected, while the original stays a hit", async (_name, part) => {
    const { memo, calls } = memoOverRealVerifier();
    const token = mintAlbToken({ key });
    await memo.verify(token);
    const other = tamper(token, part);
    expect(other).not.toBe(token);
    expect(await codeOf(memo.verify(other))).toMatch(/^(invalid_signature|malformed_token)$/);
    expect(calls).toEqual([token, other]);
    expect(await codeOf(memo.verify(token))).toBe("accepted");
    expect(calls).toHaveLength(2);
  });

  it("with a character appended is verified afresh and rejected", async () => {
    const { memo, calls } = memoOverRealVerifier();
    const token = mintAlbToken({ key });
    await memo.verify(token);
    expect(await codeOf(memo.verify(`${token}A`))).toBe("malformed_token");
    expect(calls).toHaveLength(2);
  });
});

describe("rejections", () => {
  it("are never remembered: the same bad token reaches the verifier every time", async () => {
    const { memo, calls } = memoOverRealVerifier();
    const bad = tamper(mintAlbToken({ key }), 2);
    for (let i = 0; i < 3; i++) expect(await codeOf(memo.verify(bad))).toBe("invalid_signature");
    expect(calls).toHaveLength(3);
    expect(memo.size).toBe(0);
  });

  it("a token refused during a key outage (503) is accepted once the keys are back: an outage is not remembered either", async () => {
    const { memo, calls } = memoOverRealVerifier();
    const token = mintAlbToken({ key });
    server.setFault((_req, res) => {
      res.writeHead(500).end();
    });
    expect(await codeOf(memo.verify(token))).toBe("keys_unavailable");
    server.setFault(undefined);
    expect(await codeOf(memo.verify(token))).toBe("accepted");
    expect(calls).toHaveLength(2);
  });

  it("a valid token verified twice at once is remembered once", async () => {
    const token = mintAlbToken({ key });
    const once = memoOverRealVerifier().memo;
    await once.verify(token);
    const { memo } = memoOverRealVerifier();
    await Promise.all([memo.verify(token), memo.verify(token)]);
    expect(memo.size).toBe(1);
    expect(memo.bytes).toBe(once.bytes);
  });
});

describe("bounds", () => {
  it("holds at most maxEntries tokens, dropping the least recently used", async () => {
    const { memo, calls } = memoOverRealVerifier({ maxEntries: 4 });
    const tokens = Array.from({ length: 5 }, (_, i) => mintAlbToken({ key, claims: { ...ALICE, n: i } }));
    const at = (i: number): string => tokens[i] ?? "";
    for (const i of [0, 1, 2]) await memo.verify(at(i));
    await memo.verify(at(0)); // used again: now more recent than 1 and 2
    for (const i of [3, 4]) await memo.verify(at(i));
    expect(memo.size).toBe(4);
    calls.length = 0;
    for (const i of [0, 3, 4]) await memo.verify(at(i));
    expect(calls).toEqual([]);
    await memo.verify(at(1));
    expect(calls).toEqual([at(1)]);
  });

  it("holds at most maxBytes, and never remembers a token larger than half the budget", async () => {
    const sizing = memoOverRealVerifier().memo;
    await sizing.verify(mintAlbToken({ key, claims: { ...ALICE, n: 0 } }));
    const budget = Math.floor(sizing.bytes * 2.5);
    const { memo, calls } = memoOverRealVerifier({ maxBytes: budget });
    for (let i = 0; i < 5; i++) await memo.verify(mintAlbToken({ key, claims: { ...ALICE, n: i } }));
    expect(memo.size).toBe(2);
    expect(memo.bytes).toBeLessThanOrEqual(budget);
    const big = mintAlbToken({ key, claims: { ...ALICE, padding: "x".repeat(600) } });
    calls.length = 0;
    await memo.verify(big);
    await memo.verify(big);
    expect(calls).toEqual([big, big]);
    expect(memo.size).toBe(2);
  });

  it("any sequence of valid, repeated and bad tokens keeps size <= maxEntries and bytes <= maxBytes", async () => {
    const pool = Array.from({ length: 8 }, (_, i) => mintAlbToken({ key, claims: { ...ALICE, n: "x".repeat(i * 40) } }));
    const bad = pool.map((t) => tamper(t, 2));
    const { memo } = memoOverRealVerifier({ maxEntries: 4, maxBytes: 4000 });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.integer({ min: 0, max: 7 }), fc.boolean()), { maxLength: 30 }), async (steps) => {
        for (const [i, valid] of steps) {
          await memo.verify((valid ? pool[i] : bad[i]) ?? "").catch(() => undefined);
          expect(memo.size).toBeLessThanOrEqual(4);
          expect(memo.bytes).toBeLessThanOrEqual(4000);
          expect(memo.bytes).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 40 },
    );
  });
});

describe("in the handler", () => {
  const userEvent = (token: string, identity: string) => kitUserEvent({ path: "/whoami", token, identity, accessToken: "opaque" });

  it("a memo hit still gets the identity check of its own request", async () => {
    const app = harness(server);
    const token = mintAlbToken({ key });
    expect((await app.handler(userEvent(token, "alice"))).statusCode).toBe(200);
    const res = await app.handler(userEvent(token, "mallory"));
    expect(res.statusCode).toBe(401);
    expect(body(res).error).toBe("identity_mismatch");
    expect(app.tokenMemo?.hits).toBe(1);
  });

  it("an app that writes to the claims on the request that verified the token cannot change what the next request sees", async () => {
    type Claims = { sub: string; groups: string[]; address: { country: string } };
    const seen: unknown[] = [];
    const handler = withAlbAuth(
      ({ principal }) => {
        seen.push(structuredClone(principal.claims));
        // Plain JavaScript ignores `readonly`: an app may try, and must not reach the next request.
        const claims = principal.claims as unknown as Claims;
        const attempts = [
          () => (claims.sub = "admin"),
          () => claims.groups.push("admins"),
          () => (claims.address.country = "US"),
          () => (claims.address = { country: "FR" }),
        ];
        for (const attempt of attempts) {
          try {
            attempt();
          } catch {
            // A frozen object refuses the write: what the memo must guarantee.
          }
        }
        return { statusCode: 200, body: "" };
      },
      { env: testEnv(server), writeLog: () => undefined },
    );
    const token = mintAlbToken({ key, claims: { ...ALICE, groups: ["staff"], address: { country: "JP" } } });
    // No x-amzn-oidc-identity: the identity check would not notice a changed sub.
    const first = await handler(kitUserEvent({ path: "/whoami", token, identity: undefined, accessToken: "opaque" }));
    const second = await handler(kitUserEvent({ path: "/whoami", token, identity: undefined, accessToken: "opaque" }));
    expect([first.statusCode, second.statusCode]).toEqual([200, 200]);
    const original = { sub: "alice", groups: ["staff"], address: { country: "JP" } };
    expect(seen[0]).toMatchObject(original);
    expect(seen[1]).toMatchObject(original);
  });

  it("a memo hit still gets the authorization rules", async () => {
    const app = harness(server, { ALLOWED_EMAIL_DOMAINS: "example.org" });
    const token = mintAlbToken({ key, claims: ALICE });
    const first = await app.handler(userEvent(token, "alice"));
    const second = await app.handler(userEvent(token, "alice"));
    expect([first.statusCode, second.statusCode]).toEqual([403, 403]);
    expect(app.tokenMemo?.hits).toBe(1);
  });

  /** Key lookups the ALB verifier makes in the app's real key cache: one per signature check, none for a memo hit. */
  function countKeyLookups(app: ReturnType<typeof harness>): () => number {
    const cached = vi.spyOn(app.albKeys, "getCachedJwk");
    const fetched = vi.spyOn(app.albKeys, "getJwk");
    return () => cached.mock.calls.length + fetched.mock.calls.length;
  }

  it("VERIFIED_TOKEN_CACHE=off builds no memo: the verifier sees every request", async () => {
    const app = harness(server, { VERIFIED_TOKEN_CACHE: "off" });
    expect(app.tokenMemo).toBeUndefined();
    const lookups = countKeyLookups(app);
    const token = mintAlbToken({ key });
    for (let i = 1; i <= 3; i++) {
      expect((await app.handler(userEvent(token, "alice"))).statusCode).toBe(200);
      expect(lookups()).toBe(i);
    }
  });

  it("the same key-lookup count is 1 for three requests with the memo on (so the count above can fail)", async () => {
    const app = harness(server);
    const lookups = countKeyLookups(app);
    const token = mintAlbToken({ key });
    for (let i = 0; i < 3; i++) expect((await app.handler(userEvent(token, "alice"))).statusCode).toBe(200);
    expect(lookups()).toBe(1);
    expect(app.tokenMemo?.hits).toBe(2);
  });
});

describe("VERIFIED_TOKEN_CACHE", () => {
  it.each([
    [undefined, true],
    ["on", true],
    ["off", false],
    [" off ", false],
  ])("%s -> memo %s", (value, on) => {
    const env = testEnv(server);
    expect(loadConfig(value === undefined ? env : { ...env, VERIFIED_TOKEN_CACHE: value }).verifiedTokenCache).toBe(on);
  });

  it.each(["yes", "ON", "0", "false", "disabled"])("%s is a ConfigError naming the variable", (value) => {
    const load = () => loadConfig({ ...testEnv(server), VERIFIED_TOKEN_CACHE: value });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/^VERIFIED_TOKEN_CACHE must be "on" or "off", got "/);
  });
});
