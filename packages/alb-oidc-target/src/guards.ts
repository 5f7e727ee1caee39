// Small type and value guards used by the runtime and the local tools alike (no dependency, safe in the Lambda bundle).

/** The loopback host names as written in a URL: plain http is accepted to these in configuration. */
export const LOOPBACK_HOSTS: readonly string[] = ["127.0.0.1", "localhost", "[::1]"];

/**
 * Is this a JSON object (not null, not an array)?
 * @example isPlainObject(JSON.parse('{"a":1}')) // true
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Is this URL host name a loopback address (127.0.0.0/8, ::1, localhost)? The emulator's wider test.
 * @example isLoopbackHost(new URL("http://[::1]:8080").hostname) // true
 */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.includes(hostname) || hostname === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/** Plain http is allowed to loopback only. */
export function isLoopbackHttp(url: URL): boolean {
  return url.protocol === "http:" && isLoopbackHost(url.hostname);
}

/**
 * Did a fetch() fail to reach its server at all (refused, reset, DNS, timeout), rather than get an answer?
 * Such failures surface as TypeError / AbortError / TimeoutError, possibly wrapped as a `cause`.
 */
export function isUnreachable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === "TypeError" || err.name === "AbortError" || err.name === "TimeoutError") return true;
  return isUnreachable(err.cause);
}
