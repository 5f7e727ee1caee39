// Small configuration asserts (like aws-jwt-verify's assert.ts), written once for the function, the emulator and the CDK app (ESM without imports, so both packages load it): each names the setting and quotes the bad value; the caller says how to fail.

/**
 * How an assert reports a bad value: the caller's error class and message shape (an environment
 * variable's ConfigError with its example, the emulator file's "<file>: <field> <problem>").
 */
export type Fail = (name: string, problem: string) => never;

/**
 * A value as a message shows it: a string in double quotes as written, anything else as JSON.
 * @example quote("yes") // "\"yes\""; quote(5) // "5"
 */
export function quote(value: unknown): string {
  if (typeof value === "string") return `"${value}"`;
  // JSON.stringify(undefined) is undefined, whatever its type says.
  return value === undefined ? "undefined" : JSON.stringify(value);
}

/** `"a", "b" or "c"`: the accepted values as a message lists them (strings quoted, others bare). */
function alternatives(allowed: readonly unknown[]): string {
  const shown = allowed.map((v) => (typeof v === "string" ? `"${v}"` : String(v)));
  return shown.length < 2 ? shown.join("") : `${shown.slice(0, -1).join(", ")} or ${shown[shown.length - 1] ?? ""}`;
}

/**
 * The value, if it is one of `allowed` (compared with ===).
 * @example assertOneOf(fail, "VERIFIED_TOKEN_CACHE", raw, ["on", "off"] as const) // 'must be "on" or "off", got "yes"'
 */
export function assertOneOf<T extends string | boolean>(fail: Fail, name: string, value: unknown, allowed: readonly T[]): T {
  if (!(allowed as readonly unknown[]).includes(value)) fail(name, `must be ${alternatives(allowed)}, got ${quote(value)}`);
  return value as T;
}

/**
 * A whole number from `min` to `max`. `shown` is what the message quotes (the text as written, when
 * the caller converted it); `what` names the unit ("a whole number of seconds").
 */
export function assertIntegerInRange(
  fail: Fail,
  name: string,
  value: unknown,
  range: { readonly min: number; readonly max: number; readonly what?: string; readonly shown?: unknown },
): number {
  const { min, max, what = "a whole number", shown = value } = range;
  if (!(typeof value === "number" && Number.isInteger(value) && value >= min && value <= max)) {
    fail(name, `must be ${what} from ${min} to ${max}, got ${quote(shown)}`);
  }
  return value;
}

/** A string that is not blank. */
export function assertNonEmptyString(fail: Fail, name: string, value: unknown): string {
  if (typeof value !== "string" || value.trim() === "") fail(name, `must be a non-empty string, got ${quote(value)}`);
  return value;
}

/**
 * An absolute URL; `mustBe` is the message's requirement ("must be an absolute URL").
 * @example assertUrl(fail, "ISSUER", "not a url", "must be an absolute URL") // 'must be an absolute URL, got "not a url"'
 */
export function assertUrl(fail: Fail, name: string, value: string, mustBe: string): URL {
  try {
    return new URL(value);
  } catch {
    return fail(name, `${mustBe}, got ${quote(value)}`);
  }
}

/**
 * A string that matches `pattern`; `mustBe` is the message's requirement.
 * @example assertMatches(fail, "LOGOUT_PATH", "logout", /^\//, 'must be a path starting with "/"') // 'must be a path starting with "/", got "logout"'
 */
export function assertMatches(fail: Fail, name: string, value: string, pattern: RegExp, mustBe: string): string {
  if (!pattern.test(value)) fail(name, `${mustBe}, got ${quote(value)}`);
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
  for (const item of items) if (!passes(item)) fail(name, `${mustHold}, got ${quote(item)}`);
}

/** Splits a comma-separated list, trimming entries and dropping empty ones. */
export function splitList(value: string): string[] {
  return value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
