// Per-invocation costs in one warm process, in interleaved rounds: the ES256 floor, AlbJwtVerifier.verify alone, our handler (fresh token, repeated token, refusals), and jose and fast-jwt beside them.
import { createPublicKey, verify, type KeyObject } from "node:crypto";
import type { ALBEvent, ALBResult } from "aws-lambda";
import { AlbJwtVerifier } from "aws-jwt-verify";
import { AlbJwksCache } from "aws-jwt-verify/alb-cache";
import { createVerifier } from "fast-jwt";
import { jwtVerify } from "jose";
import { createApp } from "../../src/app.js";
import { OTHER_ALB_ARN, tamper, type FakeAlb } from "../../src/testing/index.js";
import { echoApp } from "../echo-app.js";
import { benchEvent } from "./common.js";
import { median, round, spread, timeAsync, timeSync, type Spread } from "./stats.js";

/**
 * Collects garbage before a timed phase (node runs with --expose-gc under `npm run bench`), so no phase
 * pays for the events built before its clock started; each still pays for the garbage of its own calls.
 */
function settle(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

export type PeerResult = { readonly ns: number; readonly vsRaw: number } | string;

export interface MicroResult {
  /** crypto.verify ES256 with a prepared key: the floor of any fresh token. */
  readonly rawVerifyNs: number;
  readonly albJwtVerifierNs: number;
  readonly handlerFreshTokenNs: number;
  readonly handlerRepeatTokenNs: number;
  readonly handlerRejectNs: number;
  readonly handlerRejectSignerNs: number;
  /** Our handler on a never-seen token / AlbJwtVerifier.verify alone, per round (target: median <= 1.30). */
  readonly freshVsLibrary: Spread;
  /** Our handler on a remembered token / the floor, per round (target: median <= 0.10). */
  readonly repeatVsRaw: Spread;
  readonly peers: Record<string, PeerResult>;
  /** What a peer said when it refused the ALB token. */
  readonly peerErrors: Record<string, string>;
  readonly rounds: number;
  readonly iterations: number;
  /** Share of repeated-token calls the memo answered (1 when it works). */
  readonly memoHitRate: number;
}

function statusOf(res: ALBResult): string {
  const error = res.statusCode === 200 ? "" : ` ${String((JSON.parse(res.body ?? "{}") as { error?: unknown }).error)}`;
  return `${res.statusCode}${error}`;
}

/** A figure for an answer we did not expect would be meaningless: the bench stops instead. */
function expectStatus(what: string, res: ALBResult, want: string): void {
  const got = statusOf(res);
  if (got !== want) throw new Error(`bench setup: ${what} answered ${got}, expected ${want}`);
}

/** A peer's verify function, or why it cannot verify the padded ALB token. */
async function peerVerifier(
  make: () => (token: string) => Promise<unknown>,
  token: string,
  errors: Record<string, string>,
  name: string,
): Promise<((t: string) => Promise<unknown>) | string> {
  const fn = make();
  try {
    await fn(token);
    return fn;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    errors[name] = message;
    return /base64|serializ|pad/i.test(message) ? "rejects ALB padding" : "rejects the ALB token";
  }
}

/** The fake ALB's public key as its key server serves it, for the floor and the peers. */
async function publicKeyOf(alb: FakeAlb, token: string): Promise<{ key: KeyObject; pem: string }> {
  const { kid } = JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString()) as { kid: string };
  const pem = Buffer.from(await alb.fetcher.fetch(`${alb.env.ALB_PUBLIC_KEY_ENDPOINT}/${kid}`)).toString();
  return { key: createPublicKey(pem), pem };
}

/**
 * Runs `rounds` interleaved rounds of `iterations` calls per case, after one warm-up round. Each ns
 * figure is the median over rounds; each ratio the median of its per-round ratios, with p10 and p90
 * (the machine's speed drifts between rounds, less within one).
 */
export async function runMicro(alb: FakeAlb, rounds: number, iterations: number, log: (line: string) => void): Promise<MicroResult> {
  // The request flow as deployed around an app answering as the sample whoami does, its log lines to a no-op sink.
  const app = createApp(alb.env, { app: echoApp, writeLog: () => undefined });
  const memo = app.tokenMemo;
  if (!memo) throw new Error("bench setup: the handler was built without its memo (VERIFIED_TOKEN_CACHE)");

  const sample = alb.userToken();
  const { key: publicKey, pem } = await publicKeyOf(alb, sample);
  const dot = sample.lastIndexOf(".");
  const rawInput = (t: string): Buffer => Buffer.from(t.slice(0, t.lastIndexOf(".")), "latin1");
  const rawSignature = (t: string): Buffer => Buffer.from(t.slice(t.lastIndexOf(".") + 1), "base64");
  const rawVerify = (input: Buffer, sig: Buffer): boolean => verify("sha256", input, { key: publicKey, dsaEncoding: "ieee-p1363" }, sig);
  if (!rawVerify(Buffer.from(sample.slice(0, dot), "latin1"), rawSignature(sample))) throw new Error("bench setup: raw verify failed");

  // AlbJwtVerifier as a user of the library would set it up, on the fake ALB's key server (docs/package.md).
  const library = AlbJwtVerifier.create(
    { albArn: alb.env.LOAD_BALANCER_ARN, issuer: alb.env.ISSUER, clientId: alb.env.CLIENT_ID, jwksUri: alb.env.ALB_PUBLIC_KEY_ENDPOINT },
    { jwksCache: new AlbJwksCache({ fetcher: alb.fetcher }) },
  );
  await library.verify(sample);
  expectStatus("handler (first request, fetching the key)", await app.handler(benchEvent(alb, sample)), "200");

  const peerErrors: Record<string, string> = {};
  const jose = await peerVerifier(
    () => (t) => jwtVerify(t, publicKey, { algorithms: ["ES256"], issuer: alb.env.ISSUER }),
    sample,
    peerErrors,
    "jose",
  );
  const fastJwt = await peerVerifier(
    () => {
      const v = createVerifier({ key: pem, algorithms: ["ES256"] });
      return (t) => Promise.resolve(v(t) as unknown);
    },
    sample,
    peerErrors,
    "fast-jwt",
  );
  const peers: [string, ((t: string) => Promise<unknown>) | string][] = [
    ["jose", jose],
    ["fast-jwt", fastJwt],
  ];

  const samples: Record<string, number[]> = {};
  const freshVsLibrary: number[] = [];
  const repeatVsRaw: number[] = [];
  const put = (name: string, v: number): void => void (samples[name] ??= []).push(v);
  let hits = 0;

  for (let round = 0; round <= rounds; round++) {
    // Everything a round needs is built before its clock starts: 60 s tokens, as the ALB mints them
    // (a long run must not outlive them), and parsed events. The library sees fresh tokens too, its own.
    const token = alb.userToken();
    const input = rawInput(token);
    const sig = rawSignature(token);
    const repeated = alb.userToken();
    const invalid = tamper(alb.userToken(), 2);
    const signer = alb.mint({ signer: OTHER_ALB_ARN });
    const events = (make: () => string): ALBEvent[] => Array.from({ length: iterations }, () => benchEvent(alb, make()));
    const fresh = events(() => alb.userToken());
    const repeat = events(() => repeated);
    const reject = events(() => invalid);
    const rejectSigner = events(() => signer);
    const libraryBefore = Array.from({ length: iterations }, () => alb.userToken());
    const libraryAfter = Array.from({ length: iterations }, () => alb.userToken());
    expectStatus("handler (repeated token, first sight)", await app.handler(benchEvent(alb, repeated)), "200");
    const hitsBefore = memo.hits;

    const r: Record<string, number> = {};
    settle();
    r.raw = timeSync(iterations, () => rawVerify(input, sig));
    // The library is timed before and after our handler, and its figure is the mean of both: drift
    // within a round falls on both sides of the ratio alike.
    settle();
    const before = await timeAsync(iterations, (i) => library.verify(libraryBefore[i] as string));
    settle();
    r.fresh = await timeAsync(iterations, (i) => app.handler(fresh[i] as ALBEvent));
    settle();
    const after = await timeAsync(iterations, (i) => library.verify(libraryAfter[i] as string));
    r.library = (before + after) / 2;
    settle();
    r.repeat = await timeAsync(iterations, (i) => app.handler(repeat[i] as ALBEvent));
    const roundHits = memo.hits - hitsBefore;
    settle();
    r.reject = await timeAsync(iterations, (i) => app.handler(reject[i] as ALBEvent));
    settle();
    r.rejectSigner = await timeAsync(iterations, (i) => app.handler(rejectSigner[i] as ALBEvent));
    for (const [name, peer] of peers) {
      settle();
      if (typeof peer !== "string") r[name] = await timeAsync(iterations, () => peer(token));
    }
    expectStatus("handler (fresh)", await app.handler(benchEvent(alb, alb.userToken())), "200");
    expectStatus("handler (repeated)", await app.handler(benchEvent(alb, repeated)), "200");
    expectStatus("handler (invalid signature)", await app.handler(benchEvent(alb, invalid)), "401 invalid_signature");
    expectStatus("handler (another signer)", await app.handler(benchEvent(alb, signer)), "401 invalid_signer");
    if (round === 0) continue; // warm-up

    hits += roundHits;
    for (const [name, ns] of Object.entries(r)) put(name, ns);
    freshVsLibrary.push(r.fresh / r.library);
    repeatVsRaw.push(r.repeat / r.raw);
    log(
      `round ${round}/${rounds}: raw ${(r.raw / 1000).toFixed(1)} us, library ${(r.library / 1000).toFixed(1)} us, fresh/library x${(r.fresh / r.library).toFixed(3)}, repeat/raw x${(r.repeat / r.raw).toFixed(3)}`,
    );
  }

  const ns = (name: string): number => Math.round(median(samples[name] ?? []));
  const peerResults: Record<string, PeerResult> = {};
  for (const [name, peer] of peers) {
    const vsRaw = (samples[name] ?? []).map((v, i) => v / (samples.raw?.[i] ?? Number.NaN));
    peerResults[name] = typeof peer === "string" ? peer : { ns: ns(name), vsRaw: round(median(vsRaw), 2) };
  }
  return {
    rawVerifyNs: ns("raw"),
    albJwtVerifierNs: ns("library"),
    handlerFreshTokenNs: ns("fresh"),
    handlerRepeatTokenNs: ns("repeat"),
    handlerRejectNs: ns("reject"),
    handlerRejectSignerNs: ns("rejectSigner"),
    freshVsLibrary: spread(freshVsLibrary),
    repeatVsRaw: spread(repeatVsRaw),
    peers: peerResults,
    peerErrors,
    rounds,
    iterations,
    memoHitRate: round(hits / (rounds * iterations), 3),
  };
}
