// Per-invocation costs in one warm process, measured in interleaved rounds: the ES256 floor, aws-jwt-verify, a minimal handler, our handler, the peers.
import { verify } from "node:crypto";
import type { ALBEvent, ALBResult } from "aws-lambda";
import { AlbJwtVerifier } from "aws-jwt-verify";
import { createVerifier } from "fast-jwt";
import { jwtVerify } from "jose";
import { createApp, type App } from "../../src/app.js";
import { AuthError } from "../../src/errors.js";
import { pemToAlbJwk } from "../../src/keys/alb-keys.js";
import {
  ALICE,
  DEFAULT_ALB_ARN,
  DEFAULT_CLIENT_ID,
  DEFAULT_ISSUER,
  OTHER_ALB_ARN,
  mintAlbToken,
  tamper,
} from "../../src/testing/alb-token.js";
import { albEvent } from "../../src/testing/events.js";
import { createAlbKey, type TestKey } from "../../src/testing/keys.js";
import { startKeyServer, type KeyServer } from "../../src/testing/key-server.js";
import { median, timeAsync, timeSync } from "./stats.js";

export interface BenchEnv {
  readonly key: TestKey;
  readonly server: KeyServer;
  /** Environment for our handler against the loopback key server. */
  readonly env: Record<string, string>;
}

export async function startBenchEnv(): Promise<BenchEnv> {
  const key = createAlbKey();
  const server = await startKeyServer({ keys: [key] });
  const env = {
    LOAD_BALANCER_ARN: DEFAULT_ALB_ARN,
    ISSUER: DEFAULT_ISSUER,
    CLIENT_ID: DEFAULT_CLIENT_ID,
    ALB_PUBLIC_KEY_ENDPOINT: server.url,
  };
  return { key, server, env };
}

/** A user request as Lambda hands it over: a freshly parsed event object, so no string or hash is shared between calls. */
export function userEvent(token: string, identity = "alice"): ALBEvent {
  const event = albEvent({ path: "/whoami", oidc: { data: token, identity, accessToken: "opaque-access-token" } });
  return JSON.parse(JSON.stringify(event)) as ALBEvent;
}

/** The handler a minimal ALB target would be: AlbJwtVerifier.verify and a JSON response, nothing else. */
function minimalHandler(verifier: { verify(token: string): Promise<unknown> }): (event: ALBEvent) => Promise<ALBResult> {
  return async (event): Promise<ALBResult> => {
    try {
      const claims = await verifier.verify(event.headers?.["x-amzn-oidc-data"] ?? "");
      return {
        statusCode: 200,
        statusDescription: "200 OK",
        isBase64Encoded: false,
        headers: { "content-type": "application/json" },
        body: JSON.stringify(claims),
      };
    } catch {
      return { statusCode: 401, statusDescription: "401 Unauthorized", isBase64Encoded: false, headers: {}, body: "" };
    }
  };
}

/**
 * Collects garbage before a timed phase (when node runs with --expose-gc, as `npm run bench` does),
 * so no phase pays for the events built before the clock started or for the phase before it. Each
 * phase still pays for the garbage its own calls make.
 */
function settle(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

export type PeerResult = { readonly ns: number; readonly vsRaw: number } | string;

export interface MicroResult {
  readonly rawVerifyNs: number;
  readonly albJwtVerifierNs: number;
  readonly minimalHandlerNs: number;
  readonly handlerFreshTokenNs: number;
  readonly handlerRepeatTokenNs: number;
  readonly handlerRejectNs: number;
  /** A token refused by the header screen (another signer): no key, no signature, only our AuthError. */
  readonly handlerRejectSignerNs: number;
  /** Our handler on a fresh token / AlbJwtVerifier.verify alone, median of per-round ratios (target <= 1.10). */
  readonly freshVsLibrary: number;
  /** The minimal handler (AlbJwtVerifier + JSON.stringify) / AlbJwtVerifier alone: what any handler adds. */
  readonly minimalVsLibrary: number;
  /** Rejections without AuthError stack traces / with them (what issue 13's change saves; < 1 is faster). */
  readonly rejectVsStacks: number;
  readonly rejectSignerVsStacks: number;
  readonly freshVsRaw: number;
  readonly repeatVsRaw: number;
  readonly albJwtVerifierVsRaw: number;
  readonly minimalHandlerVsRaw: number;
  readonly peers: Record<string, PeerResult>;
  readonly rounds: number;
  readonly iterations: number;
  /** Share of repeat-token calls answered by the memo (1 when it works). */
  readonly memoHitRate: number;
}

function statusOf(res: ALBResult): string {
  const error = res.statusCode === 200 ? "" : ` ${String((JSON.parse(res.body ?? "{}") as { error?: unknown }).error)}`;
  return `${res.statusCode}${error}`;
}

function expectStatus(what: string, res: ALBResult, want: string): void {
  const got = statusOf(res);
  if (got !== want) throw new Error(`bench setup: ${what} answered ${got}, expected ${want}`);
}

/** What a peer said when it refused the ALB token, by peer name (reported next to its verdict). */
export const peerErrors: Record<string, string> = {};

/** A peer's verdict on the padded ALB token: its verify function, or why it cannot verify it. */
async function peerVerifier(
  name: string,
  make: () => (token: string) => Promise<unknown>,
  token: string,
): Promise<((t: string) => Promise<unknown>) | string> {
  const fn = make();
  try {
    await fn(token);
    return fn;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    peerErrors[name] = message;
    return /base64|serializ|pad/i.test(message) ? "rejects ALB padding" : "rejects the ALB token";
  }
}

/**
 * Runs `rounds` interleaved rounds of `iterations` calls per case, after one warm-up round.
 * Each ns figure is the median over rounds; each ratio the median of its per-round ratios
 * (the machine's speed drifts between rounds, not within one).
 */
export async function runMicro(b: BenchEnv, rounds: number, iterations: number, log: (line: string) => void): Promise<MicroResult> {
  const app: App = createApp(b.env, { writeLog: () => undefined });
  const memo = app.tokenMemo;
  if (!memo) throw new Error("bench setup: the handler was built without its memo (VERIFIED_TOKEN_CACHE)");
  const mint = (): string => mintAlbToken({ key: b.key, claims: ALICE });

  // The floor: one ES256 check of the same padded token with a prepared KeyObject, input and signature already bytes.
  const sample = mint();
  const dot = sample.lastIndexOf(".");
  const signingInput = Buffer.from(sample.slice(0, dot), "latin1");
  const signature = Buffer.from(sample.slice(dot + 1), "base64");
  const keyObject = b.key.publicKey;
  if (!verify("sha256", signingInput, { key: keyObject, dsaEncoding: "ieee-p1363" }, signature))
    throw new Error("bench setup: raw verify failed");

  const library = AlbJwtVerifier.create({
    albArn: DEFAULT_ALB_ARN,
    issuer: DEFAULT_ISSUER,
    clientId: DEFAULT_CLIENT_ID,
    jwksUri: b.server.url,
  });
  library.cacheJwks({ keys: [pemToAlbJwk(b.key.kid, Buffer.from(b.key.publicKeyPem))] });
  await library.verify(sample);
  const minimal = minimalHandler(library);
  expectStatus("minimal handler", await minimal(userEvent(sample)), "200");

  // Our handler, warm: the first request fetched the key.
  expectStatus("handler (first request)", await app.handler(userEvent(sample)), "200");

  const joseKey = b.key.publicKey;
  const jose = await peerVerifier("jose", () => (t) => jwtVerify(t, joseKey, { algorithms: ["ES256"], issuer: DEFAULT_ISSUER }), sample);
  const fastJwt = await peerVerifier(
    "fast-jwt",
    () => {
      const v = createVerifier({ key: b.key.publicKeyPem, algorithms: ["ES256"] });
      return (t) => Promise.resolve(v(t) as unknown);
    },
    sample,
  );
  const peers: [string, ((t: string) => Promise<unknown>) | string][] = [
    ["jose", jose],
    ["fast-jwt", fastJwt],
  ];

  const samples: Record<string, number[]> = {};
  const ratios: Record<string, number[]> = {};
  const put = (bucket: Record<string, number[]>, name: string, v: number): void => void (bucket[name] ??= []).push(v);
  let hits = 0;

  for (let round = 0; round <= rounds; round++) {
    // Everything a round needs is built before its clock starts: tokens (60 s, as the ALB mints them: a
    // long run must not outlive them) and parsed events.
    const token = mint();
    const input = Buffer.from(token.slice(0, token.lastIndexOf(".")), "latin1");
    const sig = Buffer.from(token.slice(token.lastIndexOf(".") + 1), "base64");
    const repeated = mint();
    const invalid = tamper(mint(), 2);
    const fresh = Array.from({ length: iterations }, () => userEvent(mint()));
    const repeat = Array.from({ length: iterations }, () => userEvent(repeated));
    const reject = Array.from({ length: iterations }, () => userEvent(invalid));
    const rejectStacks = Array.from({ length: iterations }, () => userEvent(invalid));
    const signer = mintAlbToken({ key: b.key, claims: ALICE, signer: OTHER_ALB_ARN });
    const rejectSigner = Array.from({ length: iterations }, () => userEvent(signer));
    const rejectSignerStacks = Array.from({ length: iterations }, () => userEvent(signer));
    // AlbJwtVerifier alone and the minimal handler see fresh tokens too (their own, so no string is shared with ours):
    // "fresh vs library" compares like with like.
    const libraryTokens = Array.from({ length: iterations }, () => mint());
    const libraryTokensAfter = Array.from({ length: iterations }, () => mint());
    const minimalEvents = Array.from({ length: iterations }, () => userEvent(mint()));
    expectStatus("handler (repeat, first sight)", await app.handler(userEvent(repeated)), "200");
    const hitsBefore = memo.hits;

    const r: Record<string, number> = {};
    settle();
    r.raw = timeSync(iterations, () => verify("sha256", input, { key: keyObject, dsaEncoding: "ieee-p1363" }, sig));
    // The library is timed before and after our handler and the minimal one, and its figure is the
    // mean of both: the machine's speed drifting within a round falls on both sides of each ratio alike.
    settle();
    const libraryBefore = await timeAsync(iterations, (i) => library.verify(libraryTokens[i] as string));
    settle();
    r.fresh = await timeAsync(iterations, (i) => app.handler(fresh[i] as ALBEvent));
    settle();
    r.minimal = await timeAsync(iterations, (i) => minimal(minimalEvents[i] as ALBEvent));
    settle();
    const libraryAfter = await timeAsync(iterations, (i) => library.verify(libraryTokensAfter[i] as string));
    r.library = (libraryBefore + libraryAfter) / 2;
    settle();
    r.repeat = await timeAsync(iterations, (i) => app.handler(repeat[i] as ALBEvent));
    const roundHits = memo.hits - hitsBefore;
    settle();
    r.reject = await timeAsync(iterations, (i) => app.handler(reject[i] as ALBEvent));
    settle();
    r.rejectSigner = await timeAsync(iterations, (i) => app.handler(rejectSigner[i] as ALBEvent));
    // The same rejections as before issue 13: every AuthError capturing a stack trace.
    AuthError.captureStacks = true;
    try {
      settle();
      r.rejectStacks = await timeAsync(iterations, (i) => app.handler(rejectStacks[i] as ALBEvent));
      settle();
      r.rejectSignerStacks = await timeAsync(iterations, (i) => app.handler(rejectSignerStacks[i] as ALBEvent));
    } finally {
      AuthError.captureStacks = false;
    }
    for (const [name, peer] of peers) {
      settle();
      if (typeof peer !== "string") r[name] = await timeAsync(iterations, () => peer(token));
    }
    // A figure for an answer we did not expect would be meaningless: check one of each.
    expectStatus("handler (fresh)", await app.handler(userEvent(mint())), "200");
    expectStatus("handler (repeat)", await app.handler(userEvent(repeated)), "200");
    expectStatus("handler (invalid signature)", await app.handler(userEvent(invalid)), "401 invalid_signature");
    expectStatus("handler (another signer)", await app.handler(userEvent(signer)), "401 invalid_signer");
    if (round === 0) continue; // warm-up

    hits += roundHits;
    const raw = r.raw;
    for (const [name, ns] of Object.entries(r)) {
      put(samples, name, ns);
      put(ratios, name, ns / raw);
    }
    put(ratios, "freshVsLibrary", r.fresh / r.library);
    put(ratios, "minimalVsLibrary", r.minimal / r.library);
    put(ratios, "rejectVsStacks", r.reject / r.rejectStacks);
    put(ratios, "rejectSignerVsStacks", r.rejectSigner / r.rejectSignerStacks);
    log(
      `round ${round}/${rounds}: raw ${(raw / 1000).toFixed(1)} us, fresh x${(r.fresh / raw).toFixed(3)}, repeat x${(r.repeat / raw).toFixed(3)}, library x${(r.library / raw).toFixed(3)}, fresh/library x${(r.fresh / r.library).toFixed(3)}`,
    );
  }

  const ns = (name: string): number => Math.round(median(samples[name] ?? []));
  const ratio = (name: string): number => Math.round(median(ratios[name] ?? []) * 1000) / 1000;
  const peerResults: Record<string, PeerResult> = {};
  for (const [name, peer] of peers) peerResults[name] = typeof peer === "string" ? peer : { ns: ns(name), vsRaw: ratio(name) };
  return {
    rawVerifyNs: ns("raw"),
    albJwtVerifierNs: ns("library"),
    minimalHandlerNs: ns("minimal"),
    handlerFreshTokenNs: ns("fresh"),
    handlerRepeatTokenNs: ns("repeat"),
    handlerRejectNs: ns("reject"),
    handlerRejectSignerNs: ns("rejectSigner"),
    freshVsLibrary: ratio("freshVsLibrary"),
    minimalVsLibrary: ratio("minimalVsLibrary"),
    rejectVsStacks: ratio("rejectVsStacks"),
    rejectSignerVsStacks: ratio("rejectSignerVsStacks"),
    freshVsRaw: ratio("fresh"),
    repeatVsRaw: ratio("repeat"),
    albJwtVerifierVsRaw: ratio("library"),
    minimalHandlerVsRaw: ratio("minimal"),
    peers: peerResults,
    rounds,
    iterations,
    memoHitRate: Math.round((hits / (rounds * iterations)) * 1000) / 1000,
  };
}
