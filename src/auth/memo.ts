// The verified-token memo: answers a token string the verifier already accepted, until its exp, without a second signature check.
import { MAX_TOKEN_CHARS, type AlbClaims, type AlbTokenVerifier } from "./alb-token.js";

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
export const DEFAULT_MAX_ENTRIES = 4096;
export const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;

interface Entry {
  /** The whole token: a hit must equal it character for character. */
  readonly token: string;
  readonly claims: AlbClaims;
  /** The sooner of the header's and the payload's `exp`, in epoch milliseconds. */
  readonly expiresAtMs: number;
  readonly bytes: number;
  /** Used since eviction last passed it: it gets a second chance instead of being dropped. */
  recent: boolean;
}

/**
 * The map key: the signature part. Hashing a fresh 800-character string costs about a microsecond,
 * the price of the whole memo hit, and every Lambda event carries a fresh string; the 86-character
 * signature is as unique (ECDSA signatures are randomised) and a hit still compares the whole token.
 */
function signatureOf(token: string): string {
  return token.slice(token.lastIndexOf(".") + 1);
}

/**
 * What an entry costs: the key string (one byte a character: tokens are ASCII), the parsed claims
 * (estimated as twice their base64 text, which is 4/3 of their JSON) and the map's own overhead.
 */
export function entryBytes(token: string): number {
  const dot1 = token.indexOf(".");
  const dot2 = token.indexOf(".", dot1 + 1);
  return token.length + 2 * Math.max(0, dot2 - dot1) + 128;
}

/** The header's `exp` of a token the verifier has just accepted (so the header is known-good JSON). */
function headerExp(token: string): number | undefined {
  const header = JSON.parse(Buffer.from(token.slice(0, token.indexOf(".")), "base64").toString("utf8")) as { exp?: unknown };
  return typeof header.exp === "number" && Number.isFinite(header.exp) ? header.exp : undefined;
}

/** Freezes the claims all the way down: every later request shares this object, so nobody may change it. */
function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

/**
 * A decorator over an AlbTokenVerifier that remembers accepted tokens by their exact string.
 *
 * Why it is safe: a hit is a string equal, character for character, to one the inner verifier
 * accepted with every check; the only check whose answer changes with time is `exp`, and an entry dies at the sooner of the header's and the payload's `exp`, exactly when the
 * verifier would start answering `expired`. Configuration (signer, client, issuer) is fixed per cold
 * start. Rejections are never remembered: every token not in the memo is verified in full, so the
 * memo can only skip work, never change an answer. The identity check, the authorization rules and
 * the response are the handler's, after verify(), and run for every request.
 * @example const userTokens = new TokenMemo(createAlbTokenVerifier(config, keys));
 */
export class TokenMemo implements AlbTokenVerifier {
  /** Keyed by signature part; in insertion order, which eviction walks oldest first (with a second chance for recent hits). */
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly now: () => number;
  private totalBytes = 0;
  /** Requests answered from memory, and tokens handed to the inner verifier (for tests and the bench). */
  hits = 0;
  misses = 0;

  constructor(
    private readonly inner: AlbTokenVerifier,
    options: TokenMemoOptions = {},
  ) {
    this.maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    this.now = options.now ?? Date.now;
    if (!(this.maxEntries >= 1 && this.maxBytes >= 1)) throw new TypeError("TokenMemo bounds must be at least 1");
  }

  verify(token: string): Promise<AlbClaims> {
    // Longer than any ALB token: the verifier refuses it, and it is not worth hashing.
    if (token.length > MAX_TOKEN_CHARS) return this.verifyAndRemember(token);
    const key = signatureOf(token);
    const entry = this.entries.get(key);
    if (entry?.token === token) {
      if (this.now() < entry.expiresAtMs) {
        entry.recent = true;
        this.hits++;
        return Promise.resolve(entry.claims);
      }
      this.entries.delete(key);
      this.totalBytes -= entry.bytes;
    }
    return this.verifyAndRemember(token);
  }

  private async verifyAndRemember(token: string): Promise<AlbClaims> {
    this.misses++;
    const claims = await this.inner.verify(token);
    this.remember(token, claims);
    return claims;
  }

  private remember(token: string, claims: AlbClaims): void {
    const hExp = headerExp(token);
    // Unreachable after a successful verify; if it ever happens, not remembering is the safe answer.
    if (hExp === undefined || typeof claims.exp !== "number") return;
    const expiresAtMs = Math.min(hExp, claims.exp) * 1000;
    const bytes = entryBytes(token);
    if (bytes > this.maxBytes || !(this.now() < expiresAtMs)) return;
    const key = signatureOf(token);
    const old = this.entries.get(key);
    if (old !== undefined) {
      // The same token verified twice at once: keep one entry.
      this.entries.delete(key);
      this.totalBytes -= old.bytes;
    }
    this.entries.set(key, { token, claims: deepFreeze(claims), expiresAtMs, bytes, recent: false });
    this.totalBytes += bytes;
    while (this.entries.size > this.maxEntries || this.totalBytes > this.maxBytes) this.evictOne();
  }

  /** Drops the oldest entry not used since eviction last passed it (CLOCK, so a hit never reorders the map). */
  private evictOne(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) {
      this.entries.delete(key);
      if (entry.recent && now < entry.expiresAtMs) {
        entry.recent = false;
        this.entries.set(key, entry);
        continue;
      }
      this.totalBytes -= entry.bytes;
      return;
    }
  }

  /** Tokens held now (bounded by maxEntries). */
  get size(): number {
    return this.entries.size;
  }

  /** Estimated bytes held now (bounded by maxBytes). */
  get bytes(): number {
    return this.totalBytes;
  }
}
