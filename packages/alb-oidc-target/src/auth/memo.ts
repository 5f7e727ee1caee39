// The verified-token memo: answers a token string the verifier already accepted, until its exp, without a second signature check.
import { BoundedCache } from "../bounded-cache.js";
import type { AlbClaims, AlbTokenVerifier } from "./alb-token.js";

interface TokenMemoOptions {
  /** Most tokens remembered at once. */
  readonly maxEntries?: number;
  /** Most bytes remembered at once, as estimated by `entryBytes`. */
  readonly maxBytes?: number;
  /** Epoch milliseconds (tests pass a fake clock; Date.now otherwise). */
  readonly now?: () => number;
}

/**
 * Defaults: an instance answers one request at a time, so a few thousand users active within one
 * token lifetime (about 60 s) is already a busy instance; 4 MiB keeps the memo well under the
 * smallest Lambda's memory.
 */
const DEFAULT_MAX_ENTRIES = 4096;
const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;
/** A Map entry, its slot object and the Entry record, roughly, on V8. */
const ENTRY_OVERHEAD_BYTES = 128;

interface Entry {
  readonly claims: AlbClaims;
  /** The sooner of the header's and the payload's `exp`, in epoch milliseconds. */
  readonly expiresAtMs: number;
}

/**
 * What an entry costs, at most: the token (one byte a character: tokens are ASCII), the parsed claims
 * (at most twice their base64 text, which is shorter than the token) and the map's own overhead.
 */
function entryBytes(token: string): number {
  return 3 * token.length + ENTRY_OVERHEAD_BYTES;
}

/** Freezes the claims all the way down: every request with this token shares the object. */
function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

/**
 * A decorator over an AlbTokenVerifier (one that tells when a token dies: `verifyUntil`) that remembers accepted tokens by their exact string.
 *
 * Why it pays for itself: the ALB re-mints its token only about once a minute, so an active user's
 * requests repeat the same string, and a hit skips a P-256 signature check (most of a request).
 *
 * Why it is safe: a hit is the very string the inner verifier accepted with every check; the only
 * check whose answer changes with time is `exp`, and an entry dies at the sooner of the header's and
 * the payload's `exp` (verifyUntil's `expiresAtS`), exactly when the verifier would start answering
 * `expired`. Configuration (signer, client, issuer) is fixed per cold start. Rejections are never
 * remembered: every token not in the memo is verified in full, so the memo can only skip work, never
 * change an answer. The identity check, the authorization rules and the response are the handler's,
 * after verify(), and run for every request. The claims are frozen before anyone sees them, the
 * request that verified the token included, so no request can change what another one sees.
 * @example const userTokens = new TokenMemo(createAlbTokenVerifier(config, keys));
 */
export class TokenMemo implements AlbTokenVerifier {
  /** Keyed by the whole token; bounded by count and by entryBytes (two generations, see BoundedCache). */
  private readonly entries: BoundedCache<string, Entry>;
  private readonly now: () => number;
  /** Requests answered from memory, and tokens handed to the inner verifier (for tests and the bench). */
  hits = 0;
  misses = 0;

  /** @throws TypeError when a bound is below 2. */
  constructor(
    private readonly inner: Required<AlbTokenVerifier>,
    options: TokenMemoOptions = {},
  ) {
    this.entries = new BoundedCache(options.maxEntries ?? DEFAULT_MAX_ENTRIES, options.maxBytes ?? DEFAULT_MAX_BYTES);
    this.now = options.now ?? Date.now;
  }

  async verify(token: string): Promise<AlbClaims> {
    const entry = this.entries.get(token);
    if (entry !== undefined) {
      if (this.now() < entry.expiresAtMs) {
        this.hits++;
        return entry.claims;
      }
      this.entries.delete(token);
    }
    this.misses++;
    const { claims, expiresAtS } = await this.inner.verifyUntil(token);
    deepFreeze(claims);
    const expiresAtMs = expiresAtS * 1000;
    if (this.now() < expiresAtMs) this.entries.set(token, { claims, expiresAtMs }, entryBytes(token));
    return claims;
  }

  /** Tokens held now (bounded by maxEntries). */
  get size(): number {
    return this.entries.size;
  }

  /** Estimated bytes held now (bounded by maxBytes). */
  get bytes(): number {
    return this.entries.bytes;
  }
}
