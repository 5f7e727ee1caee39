// The ALB public-key cache: PEMs fetched from <endpoint>/<kid>, one fetch per kid however many requests wait, bounded, flood-limited.
import { createPublicKey, type JsonWebKey, type KeyObject } from "node:crypto";
import type { JwksCache, JwkWithKid, Jwks } from "aws-jwt-verify/jwk";
import type { DecomposedJwt } from "aws-jwt-verify/jwt";
import { AuthError, KeysUnavailableError } from "../errors.js";
import { fetchWithDeadline, NotFoundError } from "./fetch.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Is this a `kid` the ALB could have issued? Only these ever reach the key endpoint. */
export function isAlbKid(kid: unknown): kid is string {
  return typeof kid === "string" && UUID.test(kid);
}

export interface AlbKeyCacheOptions {
  readonly endpoint: string;
  readonly timeoutMs: number;
  /** Proven keys kept at once (default 16): keys that have verified a genuine token (the ALB rotates; a handful are live at any time). */
  readonly maxKeys?: number;
  /** Unproven keys kept at once (default 4): fetched, but no genuine token has been verified with them yet. */
  readonly maxUnprovenKeys?: number;
  /** How long a kid the endpoint does not know is answered without asking again (default 30 s). */
  readonly negativeTtlMs?: number;
  /** Fetches of new (unproven) kids allowed in a burst (default 10), then refilled at `refillPerSecond` (default 1). */
  readonly burst?: number;
  readonly refillPerSecond?: number;
  /** Fetches of kids that were proven before (evicted since by other proven keys): their own budget (default 4, then 1 a second). */
  readonly provenBurst?: number;
  readonly provenRefillPerSecond?: number;
  /** Epoch milliseconds (tests pass a fake clock). */
  readonly now?: () => number;
}

/** A token bucket: `burst` at once, then `perSecond`. */
class Budget {
  private tokens: number;
  private last: number;
  private readonly perMs: number;
  constructor(
    private readonly burst: number,
    perSecond: number,
    private readonly now: () => number,
  ) {
    this.tokens = burst;
    this.perMs = perSecond / 1000;
    this.last = now();
  }
  /** Is a fetch allowed now? (does not spend it) */
  available(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + (now - this.last) * this.perMs);
    this.last = now;
    return this.tokens >= 1;
  }
  spend(): void {
    this.tokens -= 1;
  }
}

/** Moves an entry to the most recently used end of a Map (its last). */
function touch<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.delete(key);
  map.set(key, value);
}

/** Sets an entry, first dropping the least recently used one (the Map's first) when the map holds `max`. */
function putBounded<K, V>(map: Map<K, V>, max: number, key: K, value: V): void {
  if (map.size >= max) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
  map.set(key, value);
}

/** Most kids whose demand is counted while the budget is empty (random kids must not grow it without bound). */
const MAX_WANTED = 1024;
/** Most kids remembered as once proven (for the proven re-fetch budget). */
const MAX_PROVEN_KIDS = 256;

/** A PEM body is a few hundred bytes; anything this large is not a key. */
const MAX_PEM_BYTES = 8 * 1024;

/**
 * Converts the endpoint's PEM to a JWK, accepting only EC P-256 public keys (what the ALB signs with).
 * @throws AuthError unknown_key for a well-formed key of another type; KeysUnavailableError for garbage.
 */
export function pemToAlbJwk(kid: string, pem: Buffer): JwkWithKid {
  // The endpoint serves SPKI public keys; a private key or certificate there means it is broken, not a key to use.
  if (!pem.toString("latin1").trimStart().startsWith("-----BEGIN PUBLIC KEY-----")) {
    throw new KeysUnavailableError("key endpoint returned something that is not a PEM public key");
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: "pem" });
  } catch {
    throw new KeysUnavailableError("key endpoint returned something that is not a PEM public key");
  }
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType !== "ec" || details?.namedCurve !== "prime256v1") {
    throw new AuthError("unknown_key", `key ${kid} is ${key.asymmetricKeyType ?? "?"} ${details?.namedCurve ?? ""}, not EC P-256`);
  }
  const jwk: JsonWebKey = key.export({ format: "jwk" });
  return { ...jwk, kty: "EC", use: "sig", alg: "ES256", kid };
}

/** Kids remembered as not found (each for negativeTtlMs): enough for any rotation, bounded against a flood of made-up kids. */
const MAX_UNKNOWN_KIDS = 1000;

/**
 * aws-jwt-verify's JwksCache for ALB keys. Unlike the library's AlbJwksCache (two keys, no
 * negative cache, its own https-only fetcher) it keeps more keys, remembers unknown kids briefly,
 * rate-limits fetches of new kids, and tells an outage (503) from a key we will not use (401).
 *
 * Why two pools: anyone can put any kid in a token header, including the kid of a key the regional
 * endpoint really serves for another load balancer. Such a key is fetched before its signature
 * fails. So a key lives in the small *unproven* pool until a genuine token verified with it
 * (`markVerified`), and only then moves to the *proven* pool. Unproven keys never evict proven
 * ones; each pool evicts its least recently used key. Fetches of unproven kids have their own
 * budget; when it is empty, the next fetch it allows goes to the kid asked for most meanwhile
 * (a rotated key is named by every user, a flood's random kids once each), so a flood can neither
 * evict nor starve the live key, and a newly rotated key still gets fetched.
 */
export class AlbKeyCache implements JwksCache {
  /** Keys that verified a genuine token; Map order is least recently used first. */
  private readonly proven = new Map<string, JwkWithKid>();
  /** Keys fetched but not yet proven; Map order is least recently used first. */
  private readonly unproven = new Map<string, JwkWithKid>();
  /** Kids proven at some point (bounded): a re-fetch of one uses the proven budget. */
  private readonly provenKids = new Set<string>();
  private readonly inFlight = new Map<string, Promise<JwkWithKid>>();
  private readonly unknown = new Map<string, number>();
  /** Requests refused for lack of budget, by kid: the next fetch goes to the kid asked for most. */
  private readonly wanted = new Map<string, number>();
  /** Keyed by the cached JWK object, so a key evicted from a pool takes its KeyObject with it. */
  private readonly keyObjects = new WeakMap<JwkWithKid, KeyObject>();
  private readonly maxKeys: number;
  private readonly maxUnprovenKeys: number;
  private readonly negativeTtlMs: number;
  private readonly newKidBudget: Budget;
  private readonly provenBudget: Budget;
  private readonly now: () => number;
  /** Outbound fetches started (for tests and the log). */
  fetches = 0;
  /** KeyObjects built (one per key held: tests check that no token can make more). */
  keyObjectsBuilt = 0;

  constructor(private readonly options: AlbKeyCacheOptions) {
    const { maxKeys = 16, maxUnprovenKeys = 4, negativeTtlMs = 30_000, now = Date.now } = options;
    const { burst = 10, refillPerSecond = 1, provenBurst = 4, provenRefillPerSecond = 1 } = options;
    this.maxKeys = maxKeys;
    this.maxUnprovenKeys = maxUnprovenKeys;
    this.negativeTtlMs = negativeTtlMs;
    this.now = now;
    this.newKidBudget = new Budget(burst, refillPerSecond, now);
    this.provenBudget = new Budget(provenBurst, provenRefillPerSecond, now);
  }

  /** The cached key for a kid, if any (no fetch). */
  cached(kid: string): JwkWithKid | undefined {
    return this.proven.get(kid) ?? this.unproven.get(kid);
  }

  /** Has this kid's key verified a genuine token (and is it still held)? */
  isProven(kid: string): boolean {
    return this.proven.has(kid);
  }

  /**
   * The key as a KeyObject for crypto.verify, built once per key rather than once per token.
   * @throws AuthError unknown_key for anything but an EC P-256 key (a JWK put in through addJwks).
   */
  keyObject(jwk: JwkWithKid): KeyObject {
    let key = this.keyObjects.get(jwk);
    if (key) return key;
    key = createPublicKey({ key: jwk, format: "jwk" });
    if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
      throw new AuthError("unknown_key", `key ${jwk.kid} is not EC P-256`);
    }
    this.keyObjects.set(jwk, key);
    this.keyObjectsBuilt++;
    return key;
  }

  /**
   * A genuine token was verified with this kid's key: it becomes (or stays) proven and most recently
   * used. Call only after every check passed.
   */
  markVerified(kid: string): void {
    const jwk = this.proven.get(kid);
    if (jwk !== undefined) return touch(this.proven, kid, jwk);
    const fresh = this.unproven.get(kid);
    if (fresh === undefined) return;
    this.unproven.delete(kid);
    this.putProven(kid, fresh);
  }

  private putProven(kid: string, jwk: JwkWithKid): void {
    putBounded(this.proven, this.maxKeys, kid, jwk);
    if (this.provenKids.size >= MAX_PROVEN_KIDS) this.provenKids.clear();
    this.provenKids.add(kid);
  }

  getCachedJwk(_jwksUri: string, decomposedJwt: DecomposedJwt): JwkWithKid {
    const kid = decomposedJwt.header.kid;
    const jwk = typeof kid === "string" ? this.cached(kid) : undefined;
    if (!jwk) throw new AuthError("unknown_key", "key not in cache");
    return jwk;
  }

  getJwk(_jwksUri: string, decomposedJwt: DecomposedJwt): Promise<JwkWithKid> {
    return this.get(decomposedJwt.header.kid);
  }

  /** Resolves the key for a kid, fetching it at most once at a time. */
  get(kid: unknown): Promise<JwkWithKid> {
    if (!isAlbKid(kid)) return Promise.reject(new AuthError("malformed_token", "kid is not a UUID"));
    const hit = this.proven.get(kid);
    if (hit) return Promise.resolve(hit);
    const fresh = this.unproven.get(kid);
    if (fresh) {
      touch(this.unproven, kid, fresh);
      return Promise.resolve(fresh);
    }
    const pending = this.inFlight.get(kid);
    if (pending) return pending;
    const until = this.unknown.get(kid);
    if (until !== undefined) {
      if (until > this.now()) return Promise.reject(new AuthError("unknown_key", "kid recently unknown to the key endpoint"));
      this.unknown.delete(kid);
    }
    if (this.provenKids.has(kid)) {
      if (!this.provenBudget.available()) return Promise.reject(new KeysUnavailableError("key fetches are rate-limited"));
      this.provenBudget.spend();
      return this.startFetch(kid);
    }
    const demand = (this.wanted.get(kid) ?? 0) + 1;
    if (!this.newKidBudget.available()) {
      this.want(kid, demand);
      return Promise.reject(new KeysUnavailableError("too many new kids: key fetches are rate-limited"));
    }
    this.newKidBudget.spend();
    // The budget allows one fetch: it goes to the kid asked for most, which is this one unless
    // another kid has been refused more often (a rotated key every user names during a flood).
    let best = kid;
    let bestDemand = demand;
    for (const [other, count] of this.wanted) {
      if (count > bestDemand) {
        best = other;
        bestDemand = count;
      }
    }
    this.wanted.delete(best);
    // A kid held or being fetched meanwhile (put in by addJwks) needs no fetch: this request gets it.
    if (best === kid || this.cached(best) !== undefined || this.inFlight.has(best)) {
      this.wanted.delete(kid);
      return this.startFetch(kid);
    }
    this.want(kid, demand);
    // Fetched for the requests to come; this request is refused like any other without budget.
    this.startFetch(best).catch(() => undefined);
    return Promise.reject(new KeysUnavailableError("too many new kids: key fetches are rate-limited"));
  }

  private want(kid: string, demand: number): void {
    if (!this.wanted.has(kid) && this.wanted.size >= MAX_WANTED) {
      // Full of a flood's kids: drop the ones asked for once; if that frees nothing, start over.
      for (const [other, count] of this.wanted) if (count <= 1) this.wanted.delete(other);
      if (this.wanted.size >= MAX_WANTED) this.wanted.clear();
    }
    this.wanted.set(kid, demand);
  }

  private startFetch(kid: string): Promise<JwkWithKid> {
    const fetching = this.fetch(kid).finally(() => this.inFlight.delete(kid));
    this.inFlight.set(kid, fetching);
    return fetching;
  }

  private async fetch(kid: string): Promise<JwkWithKid> {
    this.fetches++;
    let pem: Buffer;
    try {
      pem = await fetchWithDeadline(`${this.options.endpoint}/${kid}`, {
        timeoutMs: this.options.timeoutMs,
        maxBytes: MAX_PEM_BYTES,
      });
    } catch (err) {
      if (err instanceof NotFoundError) {
        this.rememberUnknown(kid);
        throw new AuthError("unknown_key", `key endpoint has no key ${kid} (${err.status})`);
      }
      throw new KeysUnavailableError((err as Error).message, { cause: err });
    }
    let jwk: JwkWithKid;
    try {
      jwk = pemToAlbJwk(kid, pem);
    } catch (err) {
      if (err instanceof AuthError && err.code === "unknown_key") this.rememberUnknown(kid);
      throw err;
    }
    if (this.provenKids.has(kid)) this.putProven(kid, jwk);
    else putBounded(this.unproven, this.maxUnprovenKeys, kid, jwk);
    return jwk;
  }

  private rememberUnknown(kid: string): void {
    putBounded(this.unknown, MAX_UNKNOWN_KIDS, kid, this.now() + this.negativeTtlMs);
  }

  /** The number of keys held, proven and unproven (bounded by `maxKeys + maxUnprovenKeys`). */
  get size(): number {
    return this.proven.size + this.unproven.size;
  }

  /** Keys put in by hand are trusted as proven (tests and tools preloading a key). */
  addJwks(_jwksUri: string, jwks: Jwks): void {
    for (const jwk of jwks.keys) if (isAlbKid(jwk.kid)) this.putProven(jwk.kid, jwk as JwkWithKid);
  }

  getJwks(): Promise<Jwks> {
    return Promise.reject(new Error("the ALB key endpoint serves single keys, not a JWKS"));
  }
}
