// Does a token's claim satisfy one of the rule's AdditionalClaims: the matching the ALB does, apart from the JWKS and the signature.
import type { AdditionalClaim } from "./rule-config.js";

/**
 * Does the claim satisfy the rule? `single-string`: a string equal to one of the values.
 * `string-array` / `space-separated-values`: a list holding every value (how the ALB combines
 * several values is not documented: the stricter reading never lets through what the ALB would refuse).
 * @example claimMatches({ Format: "space-separated-values", Name: "scope", Values: ["orders:read"] }, "orders:read orders:write") // true
 */
export function claimMatches(rule: AdditionalClaim, value: unknown): boolean {
  if (rule.Format === "single-string") return typeof value === "string" && rule.Values.includes(value);
  let items: readonly unknown[];
  if (rule.Format === "string-array") {
    if (!Array.isArray(value)) return false;
    items = value;
  } else {
    if (typeof value !== "string") return false;
    items = value.split(" ");
  }
  return rule.Values.every((v) => items.includes(v));
}
