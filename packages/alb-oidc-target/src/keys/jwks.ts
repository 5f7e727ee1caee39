// The JWKS cache for machine tokens: aws-jwt-verify's SimpleJwksCache and penalty box, fed by our own fetcher (deadline, size cap, http to loopback).
import { SimpleJwksCache, SimplePenaltyBox, assertIsJwks, type Jwks } from "aws-jwt-verify/jwk";
import type { Fetcher } from "aws-jwt-verify/https";
import { KeysUnavailableError } from "../errors.js";
import { MAX_JWKS_BYTES } from "../limits.js";
import { fetchWithDeadline } from "./fetch.js";

export interface JwksCacheOptions {
  /** Budget for one JWKS fetch, its one retry included. */
  readonly timeoutMs: number;
  /** After a kid the fresh JWKS does not hold, no refetch for this long. Default 10 (the library's). */
  readonly coolDownSeconds?: number;
}

/**
 * The library's own fetcher speaks https only and has no overall deadline; this one reuses
 * fetchWithDeadline and turns every failure into a 503 (an outage is never the client's fault).
 */
function jwksFetcher(timeoutMs: number): Fetcher & { fetches: number } {
  return {
    fetches: 0,
    async fetch(uri) {
      this.fetches++;
      try {
        const body = await fetchWithDeadline(uri, { timeoutMs, maxBytes: MAX_JWKS_BYTES });
        return body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer;
      } catch (err) {
        throw new KeysUnavailableError(`JWKS fetch failed: ${(err as Error).message}`, { cause: err });
      }
    },
  };
}

/** Parses a JWKS body; garbage from the issuer is an outage (503), not a bad token. */
function parseJwks(body: ArrayBuffer): Jwks {
  let jwks: unknown;
  try {
    jwks = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
    assertIsJwks(jwks as Parameters<typeof assertIsJwks>[0]);
  } catch {
    throw new KeysUnavailableError("JWKS endpoint returned something that is not a JWKS");
  }
  return jwks as Jwks;
}

/**
 * Builds the JWKS cache once per cold start. An unknown kid refetches the JWKS at most once per
 * cool-down (aws-jwt-verify's penalty box); an outage is retried on the next request.
 * @example const { cache } = createJwksCache({ timeoutMs: 1500 });
 */
export function createJwksCache(options: JwksCacheOptions): { cache: SimpleJwksCache; fetcher: ReturnType<typeof jwksFetcher> } {
  const fetcher = jwksFetcher(options.timeoutMs);
  const cache = new SimpleJwksCache({
    fetcher,
    jwksParser: parseJwks,
    penaltyBox: new SimplePenaltyBox({ waitSeconds: options.coolDownSeconds ?? 10 }),
  });
  return { cache, fetcher };
}
