// The verified-token memo: answers a token string the verifier already accepted, until its exp, without a second signature check.
import { BoundedCache } from "../bounded-cache.js";
import { MAX_TOKEN_CHARS } from "../limits.js";
import type { AlbClaims, AlbTokenVerifier } from "./alb-token.js";

export interface TokenMemoOptions {
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

interface Entry {
  /** The whole token: a hit must equal it character for character. */
  readonly token: string;
  readonly claims: AlbClaims;
  /** The sooner of the header's and the payload's `exp`, in epoch milliseconds. */
  readonly expiresAtMs: number;
}

/**
 * The map key: the token's last KEY_CHARS characters, the end of its signature. Hashing a fresh
 * 800-character string costs about a microsecond, the price of the whole memo hit, and every Lambda
 * event carries a fresh string; finding the signature's dot (lastIndexOf) cost half of that again.
 * ECDSA signatures are randomised, so 22 characters (120 bits or more, padding aside) tell tokens apart as the whole
 * signature, and a hit still compares the whole token: a key shared by chance or by design only misses.
 */
const KEY_CHARS = 22;

function keyOf(token: string): string {
  return token.length <= KEY_CHARS ? token : token.slice(token.length - KEY_CHARS);
}

/**
 * What an entry costs, at most: the token (one byte a character: tokens are ASCII), the parsed claims
 * (at most twice their base64 text, which is shorter than the token) and the map's own overhead.
 * An upper bound from the length alone: finding the payload's dots cost as much as the map lookup.
 */
export function entryBytes(token: string): number {
  return 3 * token.length + ENTRY_OVERHEAD_BYTES;
}

/** A Map entry, its slot object and the Entry record, roughly, on V8. */
const ENTRY_OVERHEAD_BYTES = 128;

/**
 * Freezes the claims all the way down: every request after the first hit shares this object, so
 * nobody may change it (the request that verified the token gets it typed readonly, AlbClaims).
 */
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
 * Why it is safe: a hit is a string equal, character for character, to one the inner verifier
 * accepted with every check; the only check whose answer changes with time is `exp`, and an entry
 * dies at the sooner of the header's and the payload's `exp` (verifyUntil's `expiresAtS`), exactly when the verifier would start answering `expired`. Configuration (signer, client, issuer) is fixed per cold
 * start. Rejections are never remembered: every token not in the memo is verified in full, so the
 * memo can only skip work, never change an answer. The identity check, the authorization rules and
 * the response are the handler's, after verify(), and run for every request.
 * @example const userTokens = new TokenMemo(createAlbTokenVerifier(config, keys));
 */
export class TokenMemo implements AlbTokenVerifier {
  /** Keyed by the token's last characters (keyOf); bounded by count and by entryBytes (two generations, see BoundedCache). */
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

  verify(token: string): Promise<AlbClaims> {
    // Longer than any ALB token: the verifier refuses it, and it is not worth hashing.
    if (token.length > MAX_TOKEN_CHARS) return this.verifyAndRemember(token, undefined);
    const key = keyOf(token);
    const entry = this.entries.get(key);
    if (entry?.token === token) {
      if (this.now() < entry.expiresAtMs) {
        this.hits++;
        // Frozen at the first hit, not when remembered: most tokens a busy instance sees once are
        // never asked for again, and freezing a parsed object costs as much as the rest of a hit.
        return Promise.resolve(deepFreeze(entry.claims));
      }
      this.entries.delete(key);
    }
    return this.verifyAndRemember(token, key);
  }

  /** `key` is the token's map key, already cut (its hash is computed once), or undefined for a token too long to remember. */
  private async verifyAndRemember(token: string, key: string | undefined): Promise<AlbClaims> {
    this.misses++;
    const verified = await this.inner.verifyUntil(token);
    if (key !== undefined) this.remember(key, token, verified.claims, verified.expiresAtS);
    return verified.claims;
  }

  /** Remembers an accepted token until `expiresAtS`, the sooner of its two `exp`; the same token verified twice at once keeps one entry. */
  private remember(key: string, token: string, claims: AlbClaims, expiresAtS: number): void {
    const expiresAtMs = expiresAtS * 1000;
    if (!(this.now() < expiresAtMs)) return;
    this.entries.set(key, { token, claims, expiresAtMs }, entryBytes(token));
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
