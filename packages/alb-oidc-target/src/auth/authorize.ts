// Authorization of authenticated users: allowed email domains and required claim values. The client learns only "forbidden"; the log learns which rule.
import type { UserRules } from "../config.js";
import { AuthError } from "../errors.js";

/** Checks verified claims against the configured rules. @throws AuthError forbidden */
export type UserPolicy = (claims: Readonly<Record<string, unknown>>) => void;

function allowed(actual: unknown, accepted: readonly unknown[]): boolean {
  if (Array.isArray(actual)) return actual.some((v) => accepted.includes(v));
  return accepted.includes(actual);
}

/**
 * Lower-cases A-Z only. `toLowerCase()` maps non-ASCII letters onto ASCII ones (the Kelvin sign
 * U+212A becomes "k"), which let `a@\u212Aaizen.example` pass for `kaizen.example`; configured domains are ASCII.
 */
function asciiLower(text: string): string {
  return text.replace(/[A-Z]+/g, (upper) => upper.toLowerCase());
}

/** Did the IdP say it verified the address? Only `true`, or the string "true" as Cognito's userinfo sends it. */
function emailVerified(value: unknown): boolean {
  return value === true || value === "true";
}

/**
 * Builds the policy once per cold start. Empty rules allow every authenticated user.
 * With allowed email domains, `email_verified` must be true unless `allowUnverifiedEmail` says otherwise.
 * @example createUserPolicy({ allowedEmailDomains: ["example.com"], allowUnverifiedEmail: false, requiredClaims: { groups: ["admins"] } })(claims)
 */
export function createUserPolicy(rules: UserRules): UserPolicy {
  const domains = rules.allowedEmailDomains;
  const requireVerified = rules.allowUnverifiedEmail !== true;
  const claimRules = Object.entries(rules.requiredClaims);
  return (claims) => {
    if (domains.length > 0) {
      const email = claims.email;
      if (typeof email !== "string") throw new AuthError("forbidden", "ALLOWED_EMAIL_DOMAINS: no email claim");
      const at = email.lastIndexOf("@");
      if (at <= 0 || !domains.includes(asciiLower(email.slice(at + 1)))) {
        throw new AuthError("forbidden", "ALLOWED_EMAIL_DOMAINS: email domain not allowed");
      }
      // Anyone who can set their own email at the IdP would pass a domain rule on an unverified address.
      if (requireVerified && !emailVerified(claims.email_verified)) {
        throw new AuthError("forbidden", "ALLOWED_EMAIL_DOMAINS: email_verified is not true (ALLOW_UNVERIFIED_EMAIL is off)");
      }
    }
    for (const [claim, accepted] of claimRules) {
      if (!Object.hasOwn(claims, claim) || !allowed(claims[claim], accepted)) {
        throw new AuthError("forbidden", `REQUIRED_USER_CLAIMS: claim ${JSON.stringify(claim)} has no accepted value`);
      }
    }
  };
}
