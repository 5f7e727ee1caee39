// Small configuration asserts (like aws-jwt-verify's assert.ts), written once for the function, the emulator and the CDK construct (alb-oidc-target/rules): each names the setting and quotes the bad value; the caller says how to fail.

/**
 * How an assert reports a bad value: the caller's error class and message shape (an environment
 * variable's ConfigError with its example, the emulator file's "<file>: <field> <problem>", a CDK
 * context value's "Context value <key> <problem>."). `quote`, if given, is how its messages show the
 * bad value (the CDK app's have always been JSON); the default is {@link quote}.
 */
export interface Fail {
  (name: string, problem: string): never;
  readonly quote?: (value: unknown) => string;
}

/**
 * A value as a message shows it: a string in double quotes as written, anything else as JSON.
 * @example quote("yes") // "\"yes\""; quote(5) // "5"
 */
export function quote(value: unknown): string {
  if (typeof value === "string") return `"${value}"`;
  // JSON.stringify(undefined) is undefined, whatever its type says.
  return value === undefined ? "undefined" : JSON.stringify(value);
}

/**
 * Fails with `<mustBe>, got <value>`, the value quoted as `fail` quotes: the one shape of every assert's message.
 * @example reject(fail, "LOGOUT_PATH", 'must be a path starting with "/"', "logout") // 'must be a path starting with "/", got "logout"'
 */
export function reject(fail: Fail, name: string, mustBe: string, value: unknown): never {
  return fail(name, `${mustBe}, got ${(fail.quote ?? quote)(value)}`);
}

/** `"a", "b" or "c"`: the accepted values as a message lists them (strings quoted, others bare). */
function alternatives(allowed: readonly unknown[]): string {
  const shown = allowed.map((v) => (typeof v === "string" ? `"${v}"` : String(v)));
  return shown.length < 2 ? shown.join("") : `${shown.slice(0, -1).join(", ")} or ${shown[shown.length - 1] ?? ""}`;
}

/**
 * The value, unless it is absent: undefined, null or "" (a caller that trims passes the trimmed value).
 * `problem` is the whole message after the name, as there is no value to quote.
 * @example assertRequired(fail, "ISSUER", env.ISSUER?.trim(), "is required: the IdP issuer") // "is required: the IdP issuer"
 */
export function assertRequired<T>(fail: Fail, name: string, value: T | null | undefined, problem: string): T {
  if (value === undefined || value === null || value === "") fail(name, problem);
  return value;
}

/**
 * The value, if it is one of `allowed` (compared with ===); `mustBe` words the requirement
 * (default: the alternatives, `must be "a", "b" or "c"`).
 * @example assertOneOf(fail, "VERIFIED_TOKEN_CACHE", raw, ["on", "off"] as const) // 'must be "on" or "off", got "yes"'
 */
export function assertOneOf<T extends string | number | boolean>(
  fail: Fail,
  name: string,
  value: unknown,
  allowed: readonly T[],
  mustBe = `must be ${alternatives(allowed)}`,
): T {
  if (!(allowed as readonly unknown[]).includes(value)) reject(fail, name, mustBe, value);
  return value as T;
}

/**
 * A whole number from `min` to `max` (either may be infinite). `shown` is what the message quotes (the
 * text as written, when the caller converted it); `what` names the unit ("a whole number of seconds");
 * `mustBe` words the whole requirement instead ("must be 1 or more").
 */
export function assertIntegerInRange(
  fail: Fail,
  name: string,
  value: unknown,
  range: { readonly min: number; readonly max: number; readonly what?: string; readonly shown?: unknown; readonly mustBe?: string },
): number {
  const { min, max, what = "a whole number", shown = value, mustBe = `must be ${what} from ${min} to ${max}` } = range;
  if (!(typeof value === "number" && Number.isInteger(value) && value >= min && value <= max)) reject(fail, name, mustBe, shown);
  return value;
}

/** A string that is not blank. */
export function assertNonEmptyString(fail: Fail, name: string, value: unknown): string {
  if (typeof value !== "string" || value.trim() === "") reject(fail, name, "must be a non-empty string", value);
  return value;
}

/**
 * An absolute URL that `accept` (if given) allows; `mustBe` is the message's requirement ("must be an absolute URL").
 * @example assertUrl(fail, "ISSUER", "not a url", "must be an absolute URL") // 'must be an absolute URL, got "not a url"'
 * @example assertUrl(fail, "oidcIssuer", "http://a.example", "must be an https:// URL", (url) => url.protocol === "https:")
 */
export function assertUrl(fail: Fail, name: string, value: string, mustBe: string, accept?: (url: URL) => boolean): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return reject(fail, name, mustBe, value);
  }
  if (accept !== undefined && !accept(url)) reject(fail, name, mustBe, value);
  return url;
}

/**
 * A string that matches `pattern` (anything else, a number say, fails too); `mustBe` is the message's requirement.
 * @example assertMatches(fail, "LOGOUT_PATH", "logout", /^\//, 'must be a path starting with "/"') // 'must be a path starting with "/", got "logout"'
 */
export function assertMatches(fail: Fail, name: string, value: unknown, pattern: RegExp, mustBe: string): string {
  if (typeof value !== "string" || !pattern.test(value)) reject(fail, name, mustBe, value);
  return value;
}

/**
 * Every item of a list passes `ok`; the first that does not is quoted after `mustHold`.
 * @example assertEach(fail, "M2M_ALGORITHMS", ["none"], (a) => a === "RS256", "must list RS256") // 'must list RS256, got "none"'
 */
export function assertEach(
  fail: Fail,
  name: string,
  items: readonly string[],
  ok: RegExp | ((item: string) => boolean),
  mustHold: string,
): void {
  const passes = typeof ok === "function" ? ok : (item: string) => ok.test(item);
  for (const item of items) if (!passes(item)) reject(fail, name, mustHold, item);
}

/**
 * A list written as a comma-separated string (split by {@link splitList}) or given as an array of
 * strings (empty entries dropped); anything else fails, quoted whole after `mustBe`.
 * @example assertList(fail, "m2mPathPrefixes", "/api/, /internal/", "must be a comma-separated list") // ["/api/", "/internal/"]
 */
export function assertList(fail: Fail, name: string, value: unknown, mustBe: string): string[] {
  if (typeof value === "string") return splitList(value);
  if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) reject(fail, name, mustBe, value);
  return (value as string[]).filter((item) => item !== "");
}

/** Splits a comma-separated list, trimming entries and dropping empty ones. */
export function splitList(value: string): string[] {
  return value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
