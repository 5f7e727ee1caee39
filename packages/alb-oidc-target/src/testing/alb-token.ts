// Mints x-amzn-oidc-data tokens exactly as the ALB does (padded base64url, r||s ES256), with a knob for every way a token can be wrong.
import { signInput, withOverrides } from "./jws.js";
import type { TestKey } from "./keys.js";

/** Standard base64url, but keeping the `=` padding, as the ALB does on all three parts. */
export function b64urlPadded(data: Buffer | string): string {
  return Buffer.from(data).toString("base64").replace(/\+/g, "-").replace(/\//g, "_");
}

export const DEFAULT_ALB_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/my-alb/50dc6c495c0c9188";
export const OTHER_ALB_ARN = "arn:aws:elasticloadbalancing:us-east-1:210987654321:loadbalancer/app/attacker/0123456789abcdef";
export const DEFAULT_ISSUER = "https://idp.example.com";
export const DEFAULT_CLIENT_ID = "alb-oidc-target-client";

/** A demo user's userinfo claims. */
export const ALICE = {
  sub: "alice",
  name: "Alice Example",
  email: "alice@example.com",
  email_verified: true,
  picture: "https://example.com/alice.png",
} as const;

export interface MintOptions {
  /** The signing key; its kid goes in the header unless `kid` overrides it. */
  readonly key: TestKey;
  /** Userinfo claims (payload without exp/iss). */
  readonly claims?: Readonly<Record<string, unknown>>;
  readonly issuer?: string;
  readonly clientId?: string;
  readonly signer?: string;
  /** Seconds from now until exp (header and payload); negative for an expired token. Default 60. */
  readonly expiresIn?: number;
  /** Override header exp / payload exp independently (epoch seconds, or any JSON value). */
  readonly headerExp?: unknown;
  readonly payloadExp?: unknown;
  /** Override the payload iss (defaults to `issuer`). */
  readonly payloadIssuer?: unknown;
  /** Header fields to add or override (set a field to `undefined` to remove it). */
  readonly header?: Readonly<Record<string, unknown>>;
  /** Payload fields to add or override (`undefined` removes). */
  readonly payload?: Readonly<Record<string, unknown>>;
  readonly kid?: unknown;
  /** `ES256` signs with the key; `none` leaves the signature empty; `HS256` HMACs with `hmacSecret`. */
  readonly alg?: string;
  readonly hmacSecret?: string | Buffer;
  /** Strip the `=` padding (not what the ALB does; the signature then covers the unpadded input). */
  readonly unpadded?: boolean;
  /** Epoch milliseconds to count from (defaults to Date.now()). */
  readonly now?: number;
  /** Header / payload JSON text used verbatim (duplicate keys, arrays, odd unicode), then signed as usual. */
  readonly rawHeader?: string;
  readonly rawPayload?: string;
}

/**
 * Mints an ALB claims token.
 * @example mintAlbToken({ key, claims: ALICE }) // valid for 60 s, for DEFAULT_ALB_ARN
 */
export function mintAlbToken(o: MintOptions): string {
  const issuer = o.issuer ?? DEFAULT_ISSUER;
  const exp = Math.floor((o.now ?? Date.now()) / 1000) + (o.expiresIn ?? 60);
  const alg = o.alg ?? "ES256";
  const header = withOverrides(
    {
      typ: "JWT",
      kid: o.kid ?? o.key.kid,
      alg,
      iss: issuer,
      client: o.clientId ?? DEFAULT_CLIENT_ID,
      signer: o.signer ?? DEFAULT_ALB_ARN,
      exp: o.headerExp ?? exp,
    },
    o.header,
  );
  const payload = withOverrides({ ...(o.claims ?? ALICE), exp: o.payloadExp ?? exp, iss: o.payloadIssuer ?? issuer }, o.payload);
  const enc = (data: Buffer | string): string => (o.unpadded ? b64urlPadded(data).replace(/=+$/, "") : b64urlPadded(data));
  const input = `${enc(o.rawHeader ?? JSON.stringify(header))}.${enc(o.rawPayload ?? JSON.stringify(payload))}`;
  // The header may claim any alg; the signature is always ES256 with the key (algorithm-confusion cases).
  return `${input}.${enc(signInput(input, { alg, hash: "sha256", key: o.key.privateKey, hmacSecret: o.hmacSecret }))}`;
}

/**
 * Flips one character of a token part (0 header, 1 payload, 2 signature) to another base64url character.
 * @example tamper(mintAlbToken({ key }), 2) // fails the signature check
 */
export function tamper(token: string, part: 0 | 1 | 2, at = 5): string {
  const parts = token.split(".");
  const p = parts[part] ?? "";
  const i = Math.min(at, p.replace(/=+$/, "").length - 1);
  const c = p[i] === "A" ? "B" : "A";
  parts[part] = p.slice(0, i) + c + p.slice(i + 1);
  return parts.join(".");
}

/**
 * Decodes a part (0 header, 1 payload) of a token, without verifying anything.
 * @example decodePart(token, 1).exp // the expiry the token claims
 */
export function decodePart(token: string, part: 0 | 1): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[part] ?? "", "base64").toString("utf8")) as Record<string, unknown>;
}

/**
 * Replaces a part (0 header, 1 payload) with `edit(old)`, re-encoded ALB-style, keeping the old signature:
 * a forgery that must fail the signature check.
 * @example replacePart(token, 1, (p) => ({ ...p, sub: "admin" }))
 */
export function replacePart(token: string, part: 0 | 1, edit: (old: Record<string, unknown>) => Record<string, unknown>): string {
  const parts = token.split(".");
  parts[part] = b64urlPadded(JSON.stringify(edit(decodePart(token, part))));
  return parts.join(".");
}
