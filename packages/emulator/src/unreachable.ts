// Telling "the server could not be reached" from "the server answered": the IdP client and `token` word the two differently.

/**
 * Did a fetch() fail to reach its server at all (refused, reset, DNS, timeout), rather than get an answer?
 * Such failures surface as TypeError / AbortError / TimeoutError, possibly wrapped as a `cause`.
 * @example if (isUnreachable(err)) throw new TokenError(`no provider at ${issuer}: is the emulator running?`);
 */
export function isUnreachable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === "TypeError" || err.name === "AbortError" || err.name === "TimeoutError") return true;
  return isUnreachable(err.cause);
}
