// Property-based fuzzing of the handler: >= 10,000 generated ALB events (random header sets, casings, modes, minted and mutated tokens, broken events) against one warm instance.
import { fc, it as fcIt } from "@fast-check/vitest";
import type { ALBResult } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ALICE, DEFAULT_ALB_ARN, DEFAULT_CLIENT_ID, DEFAULT_ISSUER, OTHER_ALB_ARN, mintAlbToken } from "../../src/testing/alb-token.js";
import { albEvent } from "../../src/testing/events.js";
import { createAlbKey } from "../../src/testing/keys.js";
import { harness, useKeyServer, type Harness } from "../helpers.js";
import { ACCESS_TOKEN, KEY_PATH, SESSION_COOKIE, secretsOf } from "./support.js";

/** At least this many events per run (the issue's floor). */
const NUM_EVENTS = 10_000;
/** CI replays one fixed seed; locally every run explores new ground unless FUZZ_SEED pins it. */
const CI_SEED = 20_261_129;
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : process.env.CI ? CI_SEED : Date.now() % 2_147_483_647;

const NOW_MS = Date.UTC(2026, 0, 15, 12, 0, 0);
const NOW_S = NOW_MS / 1000;

const trusted = createAlbKey();
/** Another account's load balancer key, served by the same regional endpoint (ALBeast). */
const attacker = createAlbKey();
/** A key the endpoint does not serve. */
const unserved = createAlbKey();

const UNAUTHORIZED_CODES = new Set([
  "missing_token",
  "malformed_token",
  "unsupported_algorithm",
  "invalid_signature",
  "invalid_signer",
  "invalid_issuer",
  "invalid_client",
  "expired",
  "not_yet_valid",
  "invalid_expiry",
  "unknown_key",
  "identity_mismatch",
  "ambiguous_header",
]);
const DESCRIPTIONS: Readonly<Record<number, string>> = { 200: "200 OK", 401: "401 Unauthorized", 503: "503 Service Unavailable" };
const OIDC_NAMES = ["x-amzn-oidc-data", "x-amzn-oidc-identity", "x-amzn-oidc-accesstoken"] as const;
const RESERVED_CLAIMS = new Set(["sub", "exp", "iss", "nbf", "iat", "aud", "scope", "jti", "__proto__", "constructor"]);

// ---- What a case is made of -------------------------------------------------------------

/** "Take the header's value" for the payload's iss and exp. */
const SAME = Symbol("same");

/** A token minted with every field chosen; `genuine` says whether the trusted ALB could have issued it. */
interface TokenSpec {
  readonly kind: "minted";
  /** albeast: another load balancer's key, served by the endpoint; the ALB that holds it always signs with its own ARN. */
  readonly key: "trusted" | "albeast" | "unserved";
  readonly kid: { readonly own: true } | { readonly own: false; readonly value: unknown };
  readonly alg: string | undefined;
  readonly signer: string | undefined;
  readonly issuer: string | undefined;
  readonly payloadIssuer: string | undefined | typeof SAME;
  readonly client: string | undefined;
  readonly headerExp: unknown;
  readonly payloadExp: unknown;
  readonly nbf: number | undefined;
  readonly sub: unknown;
  readonly extra: Readonly<Record<string, unknown>>;
  readonly mutation: Mutation | undefined;
}
type Mutation =
  | { readonly op: "setChar"; readonly at: number; readonly char: string }
  | { readonly op: "flipBit"; readonly at: number; readonly bit: number }
  | { readonly op: "shuffle"; readonly order: readonly number[] }
  | { readonly op: "padding"; readonly part: number; readonly pad: string }
  | { readonly op: "truncate"; readonly at: number }
  | { readonly op: "insert"; readonly at: number; readonly text: string }
  | { readonly op: "splice"; readonly part: number }
  | { readonly op: "dots"; readonly text: string };
interface RawSpec {
  readonly kind: "raw";
  readonly value: string;
}
/** A token sent earlier in the run, sent again in a new event: what the verified-token memo answers from. */
interface ReplaySpec {
  readonly kind: "replay";
  readonly index: number;
}
type DataSpec = TokenSpec | RawSpec | ReplaySpec;

/** How one x-amzn-oidc-* header is placed in the event. */
type Placement =
  | { readonly kind: "absent" }
  | { readonly kind: "clean"; readonly casing: readonly boolean[] }
  | { readonly kind: "duplicate"; readonly casing: readonly boolean[]; readonly same: boolean }
  | { readonly kind: "whitespace"; readonly pad: string }
  | { readonly kind: "nonString"; readonly value: unknown }
  | { readonly kind: "twoValues" }
  | { readonly kind: "emptyArray" }
  | { readonly kind: "bothMaps" };

interface Case {
  readonly data: DataSpec;
  readonly identity: { readonly kind: "sub" } | { readonly kind: "other"; readonly value: string } | { readonly kind: "empty" };
  readonly mode: "single" | "multi" | "both";
  readonly placements: readonly [Placement, Placement, Placement];
  readonly path: string;
  readonly dropFields: readonly string[];
  readonly shape: { readonly kind: "normal" } | { readonly kind: "broken"; readonly variant: number };
}

// ---- Arbitraries -------------------------------------------------------------------------

const weighted = <T>(common: fc.Arbitrary<T>, ...rare: fc.Arbitrary<T>[]): fc.Arbitrary<T> =>
  fc.oneof({ arbitrary: common, weight: 3 * rare.length }, ...rare.map((arbitrary) => ({ arbitrary, weight: 1 })));
const anyString = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: "binary", maxLength: 40 }));
const offset = fc.oneof(
  fc.constantFrom(-1, 0, 1, 900, 901),
  fc.integer({ min: -100_000, max: 100_000 }),
  fc.integer({ min: -4_000_000_000, max: 4_000_000_000 }),
);
const exp = weighted<unknown>(
  fc.integer({ min: 1, max: 900 }).map((s) => NOW_S + s),
  offset.map((s) => NOW_S + s),
  fc.oneof(anyString, fc.constant(null), fc.boolean(), fc.double(), fc.constant([NOW_S + 60])),
);
const b64chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=.";
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    op: fc.constant("setChar" as const),
    at: fc.nat(),
    char: fc.constantFrom(...b64chars.split(""), "+", "/", " ", "\u0000", "é"),
  }),
  fc.record({ op: fc.constant("flipBit" as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ op: fc.constant("shuffle" as const), order: fc.shuffledSubarray([0, 1, 2], { minLength: 1 }) }),
  fc.record({ op: fc.constant("padding" as const), part: fc.integer({ min: 0, max: 2 }), pad: fc.constantFrom("", "=", "==", "===") }),
  fc.record({ op: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ op: fc.constant("insert" as const), at: fc.nat(), text: anyString }),
  fc.record({ op: fc.constant("splice" as const), part: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ op: fc.constant("dots" as const), text: fc.constantFrom(".", "..", ".x", "x.") }),
);
const claimKey = fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !RESERVED_CLAIMS.has(k));

const tokenSpec: fc.Arbitrary<TokenSpec> = fc.record({
  kind: fc.constant("minted" as const),
  key: weighted(fc.constant("trusted" as const), fc.constant("albeast" as const), fc.constant("unserved" as const)),
  kid: weighted<TokenSpec["kid"]>(
    fc.constant({ own: true as const }),
    fc.uuid().map((value) => ({ own: false as const, value })),
    fc.constant({ own: false as const, value: trusted.kid }),
    fc
      .oneof(
        anyString,
        fc.constantFrom("../../etc/passwd", "..%2F..%2Fkey", "https://evil.example.com/k", `${trusted.kid}?a=1`, `${trusted.kid}#f`),
      )
      .map((value) => ({ own: false as const, value })),
    fc.constantFrom(null, 42, [], {}).map((value) => ({ own: false as const, value })),
  ),
  alg: weighted<string | undefined>(
    fc.constant("ES256"),
    fc.constantFrom("none", "HS256", "RS256", "ES384", "ES512", "es256", "", undefined),
    anyString,
  ),
  signer: weighted<string | undefined>(
    fc.constant(DEFAULT_ALB_ARN),
    fc.constantFrom(OTHER_ALB_ARN, undefined, `${DEFAULT_ALB_ARN} `),
    anyString,
  ),
  issuer: weighted<string | undefined>(
    fc.constant(DEFAULT_ISSUER),
    fc.constantFrom("https://evil.example.com", `${DEFAULT_ISSUER}/`, undefined),
    anyString,
  ),
  payloadIssuer: weighted<string | undefined | typeof SAME>(
    fc.constant(SAME),
    fc.constantFrom(DEFAULT_ISSUER, "https://evil.example.com", undefined),
  ),
  client: weighted<string | undefined>(fc.constant(DEFAULT_CLIENT_ID), fc.constantFrom("other-client", undefined), anyString),
  headerExp: exp,
  payloadExp: weighted<unknown>(fc.constant(SAME), exp),
  nbf: weighted<number | undefined>(
    fc.constant(undefined),
    fc.integer({ min: -120, max: 120 }).map((s) => NOW_S + s),
  ),
  sub: weighted<unknown>(fc.constantFrom("alice", "bob", "1234567890"), fc.constantFrom(undefined, "", 42, null), anyString),
  extra: weighted<Record<string, unknown>>(fc.constant({}), fc.dictionary(claimKey, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 })),
  mutation: weighted<Mutation | undefined>(fc.constant(undefined), mutation),
});

/** Tokens the trusted ALB could have issued (before mutation): enough of them that 200 is a common answer. */
const genuineSpec: fc.Arbitrary<TokenSpec> = fc.record({
  kind: fc.constant("minted" as const),
  key: fc.constant("trusted" as const),
  kid: fc.constant({ own: true as const }),
  alg: fc.constant("ES256"),
  signer: fc.constant(DEFAULT_ALB_ARN),
  issuer: fc.constant(DEFAULT_ISSUER),
  payloadIssuer: fc.constant(SAME),
  client: fc.constant(DEFAULT_CLIENT_ID),
  headerExp: fc.integer({ min: 1, max: 900 }).map((s) => NOW_S + s),
  payloadExp: weighted<unknown>(
    fc.constant(SAME),
    fc.integer({ min: 1, max: 900 }).map((s) => NOW_S + s),
  ),
  nbf: weighted<number | undefined>(
    fc.constant(undefined),
    fc.integer({ min: -120, max: 0 }).map((s) => NOW_S + s),
  ),
  sub: fc.oneof(
    fc.constantFrom("alice", "bob"),
    fc.string({ minLength: 1, maxLength: 30 }),
    fc.string({ unit: "binary", minLength: 1, maxLength: 30 }),
  ),
  extra: weighted<Record<string, unknown>>(fc.constant({}), fc.dictionary(claimKey, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 })),
  mutation: weighted<Mutation | undefined>(fc.constant(undefined), mutation),
});

const rawSpec: fc.Arbitrary<RawSpec> = fc
  .oneof(
    anyString,
    fc.constantFrom("", ".", "..", "...", "a.b.c", "eyJ.eyJ.sig", "null.null.null"),
    fc.tuple(fc.base64String(), fc.base64String(), fc.base64String()).map((p) => p.join(".")),
    fc.integer({ min: 16 * 1024 - 2, max: 70_000 }).map((n) => "A".repeat(n)),
  )
  .map((value) => ({ kind: "raw" as const, value }));

const casing = fc.array(fc.boolean(), { maxLength: 16 });
const placement: fc.Arbitrary<Placement> = fc.oneof(
  { arbitrary: casing.map((c) => ({ kind: "clean" as const, casing: c })), weight: 100 },
  { arbitrary: fc.constant({ kind: "absent" as const }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant("duplicate" as const), casing, same: fc.boolean() }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant("whitespace" as const), pad: fc.constantFrom(" ", "\t", "\n", "  ") }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant("nonString" as const), value: fc.constantFrom(null, 0, true, {}, [1]) }), weight: 1 },
  { arbitrary: fc.constant({ kind: "twoValues" as const }), weight: 1 },
  { arbitrary: fc.constant({ kind: "emptyArray" as const }), weight: 1 },
  { arbitrary: fc.constant({ kind: "bothMaps" as const }), weight: 1 },
);

const caseArb: fc.Arbitrary<Case> = fc.record({
  data: fc.oneof(
    { arbitrary: genuineSpec, weight: 4 },
    { arbitrary: tokenSpec, weight: 5 },
    { arbitrary: rawSpec, weight: 1 },
    { arbitrary: fc.nat().map((index) => ({ kind: "replay" as const, index })), weight: 3 },
  ),
  identity: weighted<Case["identity"]>(
    fc.constant({ kind: "sub" as const }),
    anyString.map((value) => ({ kind: "other" as const, value })),
    fc.constant({ kind: "empty" as const }),
  ),
  mode: fc.constantFrom("single" as const, "multi" as const, "both" as const),
  placements: fc.tuple(placement, placement, placement),
  path: fc.constantFrom("/whoami", "/", "/api/orders/42", "/health", "/%2e%2e/admin"),
  dropFields: fc.subarray([
    "httpMethod",
    "path",
    "body",
    "isBase64Encoded",
    "requestContext",
    "queryStringParameters",
    "multiValueQueryStringParameters",
  ]),
  shape: fc.oneof(
    { arbitrary: fc.constant({ kind: "normal" as const }), weight: 30 },
    { arbitrary: fc.integer({ min: 0, max: 11 }).map((variant) => ({ kind: "broken" as const, variant })), weight: 1 },
  ),
});

// ---- Building an event from a case -----------------------------------------------------

const keyOf = { trusted, albeast: attacker, unserved } as const;

function isGenuine(s: TokenSpec): boolean {
  const liveExp = (e: unknown): boolean => typeof e === "number" && Number.isFinite(e) && e > NOW_S && e <= NOW_S + 900;
  const payloadExp = s.payloadExp === SAME ? s.headerExp : s.payloadExp;
  const payloadIssuer = s.payloadIssuer === SAME ? s.issuer : s.payloadIssuer;
  return (
    s.key === "trusted" &&
    (s.kid.own || s.kid.value === trusted.kid) &&
    s.alg === "ES256" &&
    s.signer === DEFAULT_ALB_ARN &&
    s.issuer === DEFAULT_ISSUER &&
    payloadIssuer === DEFAULT_ISSUER &&
    s.client === DEFAULT_CLIENT_ID &&
    liveExp(s.headerExp) &&
    liveExp(payloadExp) &&
    (s.nbf === undefined || s.nbf <= NOW_S) &&
    typeof s.sub === "string" &&
    s.sub !== ""
  );
}

function mint(s: TokenSpec): string {
  const key = keyOf[s.key];
  const payloadExp = s.payloadExp === SAME ? s.headerExp : s.payloadExp;
  return mintAlbToken({
    key,
    now: NOW_MS,
    alg: s.alg ?? "ES256",
    claims: { ...s.extra, sub: s.sub },
    header: {
      kid: s.kid.own ? key.kid : s.kid.value,
      alg: s.alg,
      signer: s.key === "albeast" ? OTHER_ALB_ARN : s.signer,
      iss: s.issuer,
      client: s.client,
      exp: s.headerExp,
    },
    payload: { exp: payloadExp, iss: s.payloadIssuer === SAME ? s.issuer : s.payloadIssuer, nbf: s.nbf },
    hmacSecret: trusted.publicKeyPem,
  });
}

function mutate(token: string, m: Mutation): string {
  const at = (n: number): number => n % Math.max(token.length, 1);
  const parts = token.split(".");
  switch (m.op) {
    case "setChar":
      return token.slice(0, at(m.at)) + m.char + token.slice(at(m.at) + 1);
    case "flipBit": {
      const i = at(m.at);
      return token.slice(0, i) + String.fromCharCode(token.charCodeAt(i) ^ (1 << m.bit)) + token.slice(i + 1);
    }
    case "shuffle":
      return m.order.map((i) => parts[i] ?? "").join(".");
    case "padding":
      parts[m.part] = (parts[m.part] ?? "").replace(/=+$/, "") + m.pad;
      return parts.join(".");
    case "truncate":
      return token.slice(0, at(m.at));
    case "insert":
      return token.slice(0, at(m.at)) + m.text + token.slice(at(m.at));
    case "splice": {
      const other = mintAlbToken({ key: trusted, now: NOW_MS, claims: { ...ALICE, sub: "mallory" } }).split(".");
      parts[m.part] = other[m.part] ?? "";
      return parts.join(".");
    }
    case "dots":
      return token + m.text;
  }
}

function recase(name: string, c: readonly boolean[]): string {
  return name.replace(/./g, (ch, i: number) => (c[i % Math.max(c.length, 1)] ? ch.toUpperCase() : ch));
}

/** What the handler must answer: exactly a code, exactly 200, or anything but 200 (unless the signed input is genuine). */
type Expect =
  { readonly kind: "ok" } | { readonly kind: "code"; readonly code: string } | { readonly kind: "refused" } | { readonly kind: "free" };

interface Built {
  readonly event: unknown;
  readonly expect: Expect;
  readonly secrets: string[];
}

/** Signed inputs (header.payload) of tokens the trusted ALB could have issued: the only ones that may ever get a 200. */
const genuineInputs = new Set<string>();

interface Sent {
  readonly token: string;
  readonly genuine: boolean;
  readonly mutated: boolean;
  readonly sub: string;
}
/** The last tokens sent, for replays (the run is sequential, so a seed replays the same sequence). */
const recent: Sent[] = [];

function tokenOf(d: DataSpec): Sent {
  if (d.kind === "replay")
    return recent[d.index % Math.max(recent.length, 1)] ?? { token: "", genuine: false, mutated: false, sub: "alice" };
  if (d.kind === "raw") return { token: d.value, genuine: false, mutated: false, sub: "alice" };
  let token = mint(d);
  const genuine = isGenuine(d);
  if (genuine) genuineInputs.add(token.split(".").slice(0, 2).join("."));
  let mutated = false;
  if (d.mutation) {
    const changed = mutate(token, d.mutation);
    mutated = changed !== token;
    token = changed;
  }
  return { token, genuine, mutated, sub: typeof d.sub === "string" ? d.sub : "alice" };
}

function build(c: Case): Built {
  const sent = tokenOf(c.data);
  const { token, genuine, mutated, sub } = sent;
  if (c.data.kind !== "replay") {
    recent.push(sent);
    if (recent.length > 64) recent.shift();
  }
  const identity = c.identity.kind === "sub" ? sub : c.identity.kind === "empty" ? "" : c.identity.value;
  const values = [token, identity, ACCESS_TOKEN] as const;

  const base = albEvent({
    path: c.path,
    multiValue: c.mode !== "single",
    headers: { cookie: `AWSELBAuthSessionCookie-0=${SESSION_COOKIE}` },
  });
  const e = base as unknown as Record<string, unknown>;
  if (c.mode === "both") e.headers = { "x-forwarded-proto": "https" };
  const multi = c.mode !== "single";
  const primary = (multi ? e.multiValueHeaders : e.headers) as Record<string, unknown>;
  const wrap = (v: unknown): unknown => (multi ? [v] : v);
  let anomaly = false;
  const present: boolean[] = [];
  for (const [i, p] of c.placements.entries()) {
    const name = OIDC_NAMES[i] ?? "";
    const value = values[i];
    present[i] = p.kind !== "absent" && p.kind !== "emptyArray";
    switch (p.kind) {
      case "absent":
        break;
      case "clean":
        primary[recase(name, p.casing)] = wrap(value);
        break;
      case "duplicate": {
        const first = recase(name, p.casing);
        const second = first === name ? name.toUpperCase() : name;
        primary[first] = wrap(value);
        primary[second] = wrap(p.same ? value : "x");
        anomaly = true;
        break;
      }
      case "whitespace":
        primary[`${p.pad}${name}`] = wrap(value);
        anomaly = true;
        break;
      case "nonString":
        primary[name] = multi ? [p.value] : p.value;
        anomaly = true;
        break;
      case "twoValues":
        primary[name] = multi ? [value, value] : [value, value];
        anomaly = true;
        break;
      case "emptyArray":
        primary[name] = [];
        if (!multi) anomaly = true;
        break;
      case "bothMaps": {
        const other = (multi ? (e.headers ??= {}) : (e.multiValueHeaders ??= {})) as Record<string, unknown>;
        primary[name] = wrap(value);
        other[name] = multi ? value : [value];
        anomaly = true;
        break;
      }
    }
  }
  for (const f of c.dropFields) e[f] = f === "path" || f === "httpMethod" ? undefined : null;
  // The health checker's own request on the health path skips authentication by design: keep the fuzz on user routes.
  if (e.path === "/health") e.path = "/whoami";

  let event: unknown = e;
  let expectation: Expect;
  const dataPresent = present[0] === true && token !== "";
  const identityOk = present[1] !== true || identity === sub;
  if (anomaly) expectation = { kind: "code", code: "ambiguous_header" };
  else if (!dataPresent) expectation = { kind: "code", code: "missing_token" };
  else if (mutated) expectation = { kind: "free" };
  else if (genuine) expectation = identityOk ? { kind: "ok" } : { kind: "code", code: "identity_mismatch" };
  else expectation = { kind: "refused" };

  if (c.shape.kind === "broken") {
    const broken: unknown[] = [
      null,
      undefined,
      42,
      "event",
      [],
      {},
      { ...e, headers: null, multiValueHeaders: null },
      { ...e, headers: [], multiValueHeaders: undefined },
      { ...e, headers: "x-amzn-oidc-data: x", multiValueHeaders: undefined },
      { ...e, multiValueHeaders: [] },
      { ...e, httpMethod: 5, path: { toString: () => "/whoami" } },
      Object.create(e) as unknown,
    ];
    event = broken[c.shape.variant];
    expectation = { kind: "free" };
  }
  return { event, expect: expectation, secrets: secretsOf(token) };
}

// ---- Checking a result --------------------------------------------------------------------

function isMultiEvent(event: unknown): boolean {
  if (typeof event !== "object" || event === null) return false;
  const mv = (event as Record<string, unknown>).multiValueHeaders;
  return typeof mv === "object" && mv !== null && !Array.isArray(mv);
}

/** The ALB's contract for a Lambda result, plus our own: JSON bodies, a stable code, the right header mode. */
function checkWellFormed(event: unknown, res: ALBResult): Record<string, unknown> {
  expect(typeof res).toBe("object");
  expect(DESCRIPTIONS[res.statusCode]).toBeDefined();
  expect(res.statusDescription).toBe(DESCRIPTIONS[res.statusCode]);
  expect(res.isBase64Encoded).toBe(false);
  expect(typeof res.body).toBe("string");
  const parsed = JSON.parse(res.body ?? "") as Record<string, unknown>;
  let headers: Record<string, string>;
  if (isMultiEvent(event)) {
    expect(res.headers).toBeUndefined();
    const mv = res.multiValueHeaders ?? {};
    headers = {};
    for (const [k, v] of Object.entries(mv)) {
      expect(Array.isArray(v) && v.length === 1 && typeof v[0] === "string").toBe(true);
      headers[k] = String(v[0]);
    }
  } else {
    expect(res.multiValueHeaders).toBeUndefined();
    headers = {};
    for (const [k, v] of Object.entries(res.headers ?? {})) {
      expect(typeof v).toBe("string");
      headers[k] = String(v);
    }
  }
  expect(headers["content-type"]).toBe("application/json");
  expect(headers["cache-control"]).toBe("no-store");
  if (res.statusCode === 200) {
    expect(parsed.message).toBe("Token is valid");
    expect(typeof parsed.identity).toBe("string");
  } else if (res.statusCode === 401) {
    expect(UNAUTHORIZED_CODES.has(String(parsed.error))).toBe(true);
    expect(parsed.message).toBe("Token verification failed");
    expect(headers["www-authenticate"]).toMatch(/^Bearer/);
  } else {
    expect(parsed).toEqual({ error: "keys_unavailable" });
    expect(headers["retry-after"]).toBe("5");
  }
  return parsed;
}

function headerValueOf(event: unknown, name: string): unknown {
  if (typeof event !== "object" || event === null) return undefined;
  const e = event as Record<string, unknown>;
  for (const source of [e.headers, e.multiValueHeaders]) {
    if (typeof source !== "object" || source === null) continue;
    for (const [k, v] of Object.entries(source as Record<string, unknown>)) {
      if (k.toLowerCase() === name) return Array.isArray(v) ? (v as unknown[])[0] : v;
    }
  }
  return undefined;
}

// ---- The run -------------------------------------------------------------------------------

const server = useKeyServer([trusted, attacker]);
let app: Harness;
/** The same instance with the verified-token memo off: every answer must be identical (the memo is invisible). */
let appNoMemo: Harness;
let events = 0;
const outcomes: Record<string, number> = {};

beforeAll(async () => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(NOW_MS);
  app = harness(server);
  appNoMemo = harness(server, { VERIFIED_TOKEN_CACHE: "off" });
  expect(app.tokenMemo).toBeDefined();
  expect(appNoMemo.tokenMemo).toBeUndefined();
  // Warm instances: the trusted key is cached before the fuzz starts, as on any instance that has served a user.
  for (const h of [app, appNoMemo]) {
    const warm = await h.handler(albEvent({ oidc: { data: mintAlbToken({ key: trusted, now: NOW_MS }), identity: "alice" } }));
    expect(warm.statusCode).toBe(200);
  }
  console.log(`fuzz: seed ${SEED} (replay with FUZZ_SEED=${SEED} npx vitest run test/security/fuzz.test.ts)`);
});
afterAll(() => {
  vi.useRealTimers();
});

describe("fuzzing the handler", () => {
  fcIt.prop([caseArb], { numRuns: NUM_EVENTS, seed: SEED, endOnFailure: true })(
    "the handler never throws, always returns a well-formed ALB result, gives 200 only to a genuine token with a matching identity, leaks no secret, and answers the same with the verified-token memo off",
    async (c) => {
      const { event, expect: want, secrets } = build(c);
      app.rawLogs.length = 0;
      let res: ALBResult;
      try {
        res = await app.handler(event as never);
      } catch (err) {
        throw new Error(`the handler threw: ${String(err)}`);
      }
      events++;
      const parsed = checkWellFormed(event, res);
      const withoutMemo = await appNoMemo.handler(event as never);
      expect(withoutMemo, "the memo changed an answer").toEqual(res);
      const code = res.statusCode === 200 ? "ok" : String(parsed.error);
      outcomes[code] = (outcomes[code] ?? 0) + 1;
      const visible = `${JSON.stringify(res)}\n${app.rawLogs.join("")}`;
      for (const s of secrets) expect(visible.includes(s), "a secret leaked").toBe(false);

      if (res.statusCode === 200) {
        const data = headerValueOf(event, "x-amzn-oidc-data");
        expect(typeof data).toBe("string");
        const signedInput = String(data).split(".").slice(0, 2).join(".");
        expect(genuineInputs.has(signedInput), "200 for a token the trusted ALB did not sign").toBe(true);
        const claims = parsed.claims as Record<string, unknown>;
        expect(parsed.identity).toBe(claims.sub);
        const identity = headerValueOf(event, "x-amzn-oidc-identity");
        if (identity !== undefined) expect(identity).toBe(claims.sub);
      }
      switch (want.kind) {
        case "ok":
          expect(res.statusCode).toBe(200);
          break;
        case "code":
          expect(res.statusCode).toBe(401);
          expect(parsed.error).toBe(want.code);
          break;
        case "refused":
          expect([401, 503]).toContain(res.statusCode);
          break;
        case "free":
          break;
      }
    },
    // 10,000 events take 10-20 s on a shared 2-core machine: the default 20 s would make this a timing test.
    120_000,
  );

  it(`ran at least ${NUM_EVENTS} events, reached every kind of answer, and asked the key endpoint only for /<uuid>`, () => {
    console.log(
      `fuzz: ${events} events, seed ${SEED}, outcomes ${JSON.stringify(outcomes)}, memo hits ${app.tokenMemo?.hits ?? 0}, key fetches ${server.requests.length}`,
    );
    expect(events).toBeGreaterThanOrEqual(NUM_EVENTS);
    expect(outcomes.ok ?? 0).toBeGreaterThan(NUM_EVENTS / 20);
    // Replays reach the memo: its answers were compared with the memo-less instance's.
    expect(app.tokenMemo?.hits ?? 0).toBeGreaterThan(NUM_EVENTS / 50);
    for (const code of [
      "ambiguous_header",
      "missing_token",
      "malformed_token",
      "unsupported_algorithm",
      "invalid_signature",
      "invalid_signer",
      "expired",
    ]) {
      expect(outcomes[code] ?? 0, code).toBeGreaterThan(0);
    }
    expect(server.requests.every((p) => KEY_PATH.test(p))).toBe(true);
  });
});
