// The embedded provider's demo users: documented accounts with full profiles, and a plain profile for any other login name.

import { ALICE } from "alb-oidc-target/testing";

/** The userinfo claims of one account, as the embedded provider releases them (filtered by scope). */
export interface DemoClaims {
  readonly sub: string;
  readonly name: string;
  readonly email: string;
  readonly email_verified: boolean;
  readonly picture?: string;
}

/** Documented demo users (docs/emulator.md, "Demo users"): log in with the key as the user name. */
export const DEMO_USERS: Readonly<Record<string, DemoClaims>> = {
  alice: ALICE,
  bob: {
    sub: "bob",
    name: "Bob Example",
    email: "bob@example.org",
    email_verified: true,
    picture: "https://example.org/bob.png",
  },
};

/** What a login name may look like: it becomes `sub`, so keep it printable and short. */
const LOGIN_NAME = /^[A-Za-z0-9._@+-]{1,64}$/;

/** Is this an acceptable login name? */
export function isLoginName(value: string): boolean {
  return LOGIN_NAME.test(value);
}

/**
 * The claims for a login name: a demo user's profile, or a generated one whose email is unverified
 * (any name is accepted so that teams can try their own authorization rules).
 * @example claimsFor("alice").email // "alice@example.com"
 */
export function claimsFor(login: string): DemoClaims {
  return DEMO_USERS[login] ?? { sub: login, name: login, email: `${login.replace(/@.*$/, "")}@example.net`, email_verified: false };
}
