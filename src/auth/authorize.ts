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
 * Builds the policy once per cold start. Empty rules allow every authenticated user.
 * @example createUserPolicy({ allowedEmailDomains: ["example.com"], requiredClaims: { groups: ["admins"] } })(claims)
 */
export function createUserPolicy(rules: UserRules): UserPolicy {
  const domains = rules.allowedEmailDomains;
  const claimRules = Object.entries(rules.requiredClaims);
  return (claims) => {
    if (domains.length > 0) {
      const email = claims.email;
      if (typeof email !== "string") throw new AuthError("forbidden", "ALLOWED_EMAIL_DOMAINS: no email claim");
      const at = email.lastIndexOf("@");
      if (at <= 0 || !domains.includes(email.slice(at + 1).toLowerCase())) {
        throw new AuthError("forbidden", "ALLOWED_EMAIL_DOMAINS: email domain not allowed");
      }
      // Some IdPs (Cognito's userinfo) send the flag as a string.
      if (claims.email_verified === false || claims.email_verified === "false") {
        throw new AuthError("forbidden", "ALLOWED_EMAIL_DOMAINS: email_verified is false");
      }
    }
    for (const [claim, accepted] of claimRules) {
      if (!Object.hasOwn(claims, claim) || !allowed(claims[claim], accepted)) {
        throw new AuthError("forbidden", `REQUIRED_USER_CLAIMS: claim ${JSON.stringify(claim)} has no accepted value`);
      }
    }
  };
}
