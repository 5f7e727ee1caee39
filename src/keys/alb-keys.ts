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
  /** Keys kept at once (the ALB rotates; a handful are live at any time). */
  readonly maxKeys?: number;
  /** How long a kid the endpoint does not know is answered without asking again. */
  readonly negativeTtlMs?: number;
  /** Fetches of new kids allowed in a burst, then refilled at `refillPerSecond`. */
  readonly burst?: number;
  readonly refillPerSecond?: number;
  readonly now?: () => number;
}

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

/**
 * aws-jwt-verify's JwksCache for ALB keys. Unlike the library's AlbJwksCache (two keys, no
 * negative cache, its own https-only fetcher) it keeps more keys, remembers unknown kids briefly,
 * rate-limits fetches of new kids, and tells an outage (503) from a key we will not use (401).
 */
export class AlbKeyCache implements JwksCache {
  private readonly keys = new Map<string, JwkWithKid>();
  private readonly inFlight = new Map<string, Promise<JwkWithKid>>();
  private readonly unknown = new Map<string, number>();
  /** Keyed by the cached JWK object, so a key evicted from `keys` takes its KeyObject with it. */
  private readonly keyObjects = new WeakMap<JwkWithKid, KeyObject>();
  private readonly maxKeys: number;
  private readonly negativeTtlMs: number;
  private readonly burst: number;
  private readonly refillPerMs: number;
  private readonly now: () => number;
  private tokens: number;
  private lastRefill: number;
  /** Outbound fetches started (for tests and the log). */
  fetches = 0;

  constructor(private readonly options: AlbKeyCacheOptions) {
    this.maxKeys = options.maxKeys ?? 16;
    this.negativeTtlMs = options.negativeTtlMs ?? 30_000;
    this.burst = options.burst ?? 10;
    this.refillPerMs = (options.refillPerSecond ?? 1) / 1000;
    this.now = options.now ?? Date.now;
    this.tokens = this.burst;
    this.lastRefill = this.now();
  }

  /** The cached key for a kid, if any (no fetch). */
  cached(kid: string): JwkWithKid | undefined {
    return this.keys.get(kid);
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
    return key;
  }

  getCachedJwk(_jwksUri: string, decomposedJwt: DecomposedJwt): JwkWithKid {
    const kid = decomposedJwt.header.kid;
    const jwk = typeof kid === "string" ? this.keys.get(kid) : undefined;
    if (!jwk) throw new AuthError("unknown_key", "key not in cache");
    return jwk;
  }

  getJwk(_jwksUri: string, decomposedJwt: DecomposedJwt): Promise<JwkWithKid> {
    return this.get(decomposedJwt.header.kid);
  }

  /** Resolves the key for a kid, fetching it at most once at a time. */
  get(kid: unknown): Promise<JwkWithKid> {
    if (!isAlbKid(kid)) return Promise.reject(new AuthError("malformed_token", "kid is not a UUID"));
    const hit = this.keys.get(kid);
    if (hit) return Promise.resolve(hit);
    const pending = this.inFlight.get(kid);
    if (pending) return pending;
    const until = this.unknown.get(kid);
    if (until !== undefined) {
      if (until > this.now()) return Promise.reject(new AuthError("unknown_key", "kid recently unknown to the key endpoint"));
      this.unknown.delete(kid);
    }
    if (!this.takeToken()) {
      return Promise.reject(new KeysUnavailableError("too many new kids: key fetches are rate-limited"));
    }
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
      throw new KeysUnavailableError((err as Error).message);
    }
    let jwk: JwkWithKid;
    try {
      jwk = pemToAlbJwk(kid, pem);
    } catch (err) {
      if (err instanceof AuthError && err.code === "unknown_key") this.rememberUnknown(kid);
      throw err;
    }
    if (this.keys.size >= this.maxKeys) {
      const oldest = this.keys.keys().next().value;
      if (oldest !== undefined) this.keys.delete(oldest);
    }
    this.keys.set(kid, jwk);
    return jwk;
  }

  private rememberUnknown(kid: string): void {
    if (this.unknown.size >= 1000) {
      const oldest = this.unknown.keys().next().value;
      if (oldest !== undefined) this.unknown.delete(oldest);
    }
    this.unknown.set(kid, this.now() + this.negativeTtlMs);
  }

  private takeToken(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + (now - this.lastRefill) * this.refillPerMs);
    this.lastRefill = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** The number of keys held (bounded by `maxKeys`). */
  get size(): number {
    return this.keys.size;
  }

  addJwks(_jwksUri: string, jwks: Jwks): void {
    for (const jwk of jwks.keys) if (isAlbKid(jwk.kid)) this.keys.set(jwk.kid, jwk as JwkWithKid);
  }

  getJwks(): Promise<Jwks> {
    return Promise.reject(new Error("the ALB key endpoint serves single keys, not a JWKS"));
  }
}
