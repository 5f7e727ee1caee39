// The emulator's x-amzn-oidc-data tokens: minted with the shared ALB minter, one per session, re-minted only once expired (as the ALB does).
import { mintAlbToken, type TestKey } from "alb-oidc-target/testing";

export interface ClaimsTokenOptions {
  readonly key: TestKey;
  readonly issuer: string;
  readonly clientId: string;
  readonly signer: string;
  /** Seconds a token lives (the ALB's observed 60 by default; tests shorten it). */
  readonly lifetimeS: number;
}

/** Mints and caches claims tokens per session id. */
export class ClaimsTokens {
  readonly #o: ClaimsTokenOptions;
  readonly #cache = new Map<string, { token: string; exp: number }>();
  /** How many tokens were minted (tests assert re-minting through it). */
  minted = 0;

  constructor(o: ClaimsTokenOptions) {
    this.#o = o;
  }

  /** The session's current token, minting a new one if there is none or it has expired. */
  tokenFor(sid: string, claims: Readonly<Record<string, unknown>>, nowMs = Date.now()): string {
    const cached = this.#cache.get(sid);
    if (cached && cached.exp * 1000 > nowMs) return cached.token;
    const exp = Math.floor(nowMs / 1000) + this.#o.lifetimeS;
    const token = mintAlbToken({
      key: this.#o.key,
      claims,
      issuer: this.#o.issuer,
      clientId: this.#o.clientId,
      signer: this.#o.signer,
      expiresIn: this.#o.lifetimeS,
      now: nowMs,
    });
    this.minted++;
    // Expired entries of other sessions are dropped here, so the cache holds only live sessions.
    for (const [k, v] of this.#cache) if (v.exp * 1000 <= nowMs) this.#cache.delete(k);
    this.#cache.set(sid, { token, exp });
    return token;
  }

  /** Forgets a session's token (logout). */
  forget(sid: string): void {
    this.#cache.delete(sid);
  }
}
