// The ALB's rules for JwtValidationConfig.AdditionalClaims, written once for the construct and the local emulator (alb-oidc-target/rules).

/** The `Format` of a jwt-validation additional claim. */
export type ClaimFormat = "single-string" | "string-array" | "space-separated-values";

/** Every `Format` the ALB accepts, in its own spelling. */
export const CLAIM_FORMATS: readonly ClaimFormat[] = ["single-string", "string-array", "space-separated-values"];

/** The ALB's own limits: 10 claims of 1 to 10 values, each value at most 256 characters. */
export const MAX_ADDITIONAL_CLAIMS = 10;
/** At most this many values per claim (and at least one). */
export const MAX_CLAIM_VALUES = 10;
/** At most this many characters per value. */
export const MAX_CLAIM_VALUE_CHARS = 256;

/** The ALB checks these itself; it refuses them as additional claims. */
export const RESERVED_CLAIMS: readonly string[] = ["exp", "iss", "nbf", "iat"];

/** One claim as read, before its fields are known to be right (each caller maps its own spelling to these). */
export interface ClaimToCheck {
  readonly name: unknown;
  readonly format: unknown;
  readonly values: unknown;
}

/** The first rule a list of claims breaks; `index` is the claim's position, each caller words the message. */
export type ClaimProblem =
  | { readonly problem: "too-many-claims"; readonly count: number }
  | { readonly problem: "no-name"; readonly index: number; readonly name: unknown }
  | { readonly problem: "reserved-name"; readonly index: number; readonly name: string }
  | { readonly problem: "repeated-name"; readonly index: number; readonly name: string }
  | { readonly problem: "unknown-format"; readonly index: number; readonly name: string; readonly format: unknown }
  | { readonly problem: "value-count"; readonly index: number; readonly name: string; readonly values: unknown }
  | { readonly problem: "bad-value"; readonly index: number; readonly name: string; readonly value: unknown }
  | { readonly problem: "long-value"; readonly index: number; readonly name: string; readonly value: string }
  | { readonly problem: "repeated-value"; readonly index: number; readonly name: string; readonly value: string }
  | { readonly problem: "space-in-value"; readonly index: number; readonly name: string; readonly value: string };

export interface ClaimCheckOptions {
  /** Values known only at deploy time (CDK tokens): only their type is checked. */
  readonly isUnresolved?: (value: string) => boolean;
}

/**
 * Checks additional claims the way the ALB does and returns the first rule broken, or undefined.
 * Order: the count, then claim by claim its name (set, not reserved, not repeated), format, and values
 * (1 to 10 non-empty strings of at most 256 characters, unique, no whitespace with space-separated-values).
 *
 * @example additionalClaimsProblem([{ name: "scope", format: "space-separated-values", values: ["orders:read"] }]) // undefined
 */
export function additionalClaimsProblem(claims: readonly ClaimToCheck[], options: ClaimCheckOptions = {}): ClaimProblem | undefined {
  if (claims.length > MAX_ADDITIONAL_CLAIMS) return { problem: "too-many-claims", count: claims.length };
  const names = new Set<string>();
  for (const [index, claim] of claims.entries()) {
    const { name, format, values } = claim;
    if (typeof name !== "string" || name === "") return { problem: "no-name", index, name };
    if (RESERVED_CLAIMS.includes(name)) return { problem: "reserved-name", index, name };
    if (names.has(name)) return { problem: "repeated-name", index, name };
    names.add(name);
    if (typeof format !== "string" || !(CLAIM_FORMATS as readonly string[]).includes(format))
      return { problem: "unknown-format", index, name, format };
    if (!Array.isArray(values) || values.length === 0 || values.length > MAX_CLAIM_VALUES)
      return { problem: "value-count", index, name, values };
    const seen = new Set<string>();
    for (const value of values as readonly unknown[]) {
      if (typeof value !== "string" || value === "") return { problem: "bad-value", index, name, value };
      if (options.isUnresolved?.(value) === true) continue;
      if (value.length > MAX_CLAIM_VALUE_CHARS) return { problem: "long-value", index, name, value };
      if (seen.has(value)) return { problem: "repeated-value", index, name, value };
      seen.add(value);
      if (format === "space-separated-values" && /\s/.test(value)) return { problem: "space-in-value", index, name, value };
    }
  }
  return undefined;
}
