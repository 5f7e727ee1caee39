// Small type and value guards of the runtime (no dependency, safe in the Lambda bundle); the emulator and the construct get them through alb-oidc-target/rules.

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
