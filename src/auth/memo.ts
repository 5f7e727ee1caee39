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

/** The header's `exp` of a token an inner verifier without verifyUntil has just accepted (so the header is known-good JSON). */
function headerExp(token: string): number | undefined {
  const header = JSON.parse(Buffer.from(token.slice(0, token.indexOf(".")), "base64").toString("utf8")) as { exp?: unknown };
  return typeof header.exp === "number" && Number.isFinite(header.exp) ? header.exp : undefined;
}

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
  /**
   * Two generations, each allowed half the bounds: new entries go into `current`; when it is full it
   * becomes `previous` and the old `previous` is dropped whole. A hit in `previous` moves its entry
   * back to `current`, so active users survive. Eviction is O(1) and a hit never reorders a map
   * (deleting from the front of a Map and iterating it again made each eviction scan the holes).
   */
  private current = new Map<string, Entry>();
  private previous = new Map<string, Entry>();
  private currentBytes = 0;
  private previousBytes = 0;
  private readonly generationEntries: number;
  private readonly generationBytes: number;
  private readonly now: () => number;
  /** Requests answered from memory, and tokens handed to the inner verifier (for tests and the bench). */
  hits = 0;
  misses = 0;

  constructor(
    private readonly inner: AlbTokenVerifier,
    options: TokenMemoOptions = {},
  ) {
    const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    if (!(maxEntries >= 2 && maxBytes >= 2)) throw new TypeError("TokenMemo bounds must be at least 2 (two generations of one)");
    this.generationEntries = Math.floor(maxEntries / 2);
    this.generationBytes = Math.floor(maxBytes / 2);
    this.now = options.now ?? Date.now;
  }

  verify(token: string): Promise<AlbClaims> {
    // Longer than any ALB token: the verifier refuses it, and it is not worth hashing.
    if (token.length > MAX_TOKEN_CHARS) return this.verifyAndRemember(token);
    const key = signatureOf(token);
    let entry = this.current.get(key);
    let inPrevious = false;
    if (entry === undefined) {
      entry = this.previous.get(key);
      inPrevious = true;
    }
    if (entry?.token === token) {
      const alive = this.now() < entry.expiresAtMs;
      if (inPrevious) {
        this.previous.delete(key);
        this.previousBytes -= entry.bytes;
        if (alive) this.add(key, entry);
      } else if (!alive) {
        this.current.delete(key);
        this.currentBytes -= entry.bytes;
      }
      if (alive) {
        this.hits++;
        // Frozen at the first hit, not when remembered: most tokens a busy instance sees once are
        // never asked for again, and freezing a parsed object costs as much as the rest of a hit.
        return Promise.resolve(deepFreeze(entry.claims));
      }
    }
    return this.verifyAndRemember(token);
  }

  private async verifyAndRemember(token: string): Promise<AlbClaims> {
    this.misses++;
    if (this.inner.verifyUntil) {
      const verified = await this.inner.verifyUntil(token);
      this.remember(token, verified.claims, verified.expiresAtS);
      return verified.claims;
    }
    const claims = await this.inner.verify(token);
    const hExp = headerExp(token);
    // Unreachable after a successful verify; if it ever happens, not remembering is the safe answer.
    if (hExp !== undefined && typeof claims.exp === "number") this.remember(token, claims, Math.min(hExp, claims.exp));
    return claims;
  }

  /** Remembers an accepted token until `expiresAtS`, the sooner of its two `exp`. */
  private remember(token: string, claims: AlbClaims, expiresAtS: number): void {
    const expiresAtMs = expiresAtS * 1000;
    const bytes = entryBytes(token);
    if (bytes > this.generationBytes || !(this.now() < expiresAtMs)) return;
    const key = signatureOf(token);
    // The same token verified twice at once: keep one entry.
    for (const generation of [this.current, this.previous]) {
      const old = generation.get(key);
      if (old === undefined) continue;
      generation.delete(key);
      if (generation === this.current) this.currentBytes -= old.bytes;
      else this.previousBytes -= old.bytes;
    }
    this.add(key, { token, claims, expiresAtMs, bytes });
  }

  private add(key: string, entry: Entry): void {
    if (this.current.size >= this.generationEntries || this.currentBytes + entry.bytes > this.generationBytes) {
      this.previous = this.current;
      this.previousBytes = this.currentBytes;
      this.current = new Map();
      this.currentBytes = 0;
    }
    this.current.set(key, entry);
    this.currentBytes += entry.bytes;
  }

  /** Tokens held now (bounded by maxEntries). */
  get size(): number {
    return this.current.size + this.previous.size;
  }

  /** Estimated bytes held now (bounded by maxBytes). */
  get bytes(): number {
    return this.currentBytes + this.previousBytes;
  }
}
