// The signing step shared by the fake ALB and the fake machine-token issuer: claim overrides and a JWS signature for any alg label.
import { createHmac, sign } from "node:crypto";
import type { KeyObject } from "node:crypto";

/** `base` with `overrides` applied; an override of `undefined` removes the field. */
export function withOverrides(
  base: Record<string, unknown>,
  overrides: Readonly<Record<string, unknown>> | undefined,
): Record<string, unknown> {
  return Object.fromEntries(Object.entries({ ...base, ...overrides }).filter(([, v]) => v !== undefined));
}

/**
 * Signs a JWS signing input. `none` gives an empty signature; `HS*` an HMAC-SHA256 with `hmacSecret`
 * (the classic confusion attack keys it with the public PEM); anything else signs with `key` using
 * `hash`, ECDSA signatures as raw r||s.
 */
export function signInput(
  input: string,
  o: { alg: string; hash: string; key: KeyObject; hmacSecret?: string | Buffer | undefined },
): Buffer {
  if (o.alg === "none") return Buffer.alloc(0);
  if (o.alg.startsWith("HS"))
    return createHmac("sha256", o.hmacSecret ?? "secret")
      .update(input)
      .digest();
  return sign(o.hash, Buffer.from(input), { key: o.key, dsaEncoding: "ieee-p1363" });
}
