// Mints RS256 machine access tokens (what an ALB jwt-validation rule forwards), with a knob for every way one can be wrong: test and local use only.
import { signInput, withOverrides } from "./jws.js";
import type { TestKey } from "./keys.js";

export const DEFAULT_M2M_ISSUER = "https://auth.example.com";
export const DEFAULT_M2M_AUDIENCE = "https://api.example.com";
export const DEFAULT_M2M_CLIENT_ID = "orders-service";

export interface MachineMintOptions {
  /** The signing key (RSA for RS256); its kid goes in the header unless `kid` overrides it. */
  readonly key: TestKey;
  readonly issuer?: string;
  /** `aud`; `null` leaves it out. Default DEFAULT_M2M_AUDIENCE. */
  readonly audience?: string | readonly string[] | null;
  /** Space-separated `scope`; `null` leaves it out. */
  readonly scope?: string | null;
  readonly clientId?: string;
  /** Default: the client id (client-credentials tokens name the client as subject). */
  readonly sub?: string;
  /** Seconds from now until exp; negative for an expired token. Default 300. */
  readonly expiresIn?: number;
  /** `RS256` (default), `RS384`, `RS512`, `ES256` sign with the key; `none` leaves the signature empty; `HS256` HMACs with `hmacSecret`. */
  readonly alg?: string;
  readonly hmacSecret?: string | Buffer;
  readonly kid?: unknown;
  /** Header / payload fields to add or override (`undefined` removes one). */
  readonly header?: Readonly<Record<string, unknown>>;
  readonly payload?: Readonly<Record<string, unknown>>;
  /** Epoch milliseconds to count from (defaults to Date.now()). */
  readonly now?: number;
}

const b64url = (data: Buffer | string): string => Buffer.from(data).toString("base64url");

/**
 * Mints a client-credentials access token in the RFC 9068 shape (`typ: at+jwt`, `client_id`, `scope`).
 * @example mintMachineToken({ key: createRsaKey(), scope: "orders:read" })
 */
export function mintMachineToken(o: MachineMintOptions): string {
  const alg = o.alg ?? "RS256";
  const nowS = Math.floor((o.now ?? Date.now()) / 1000);
  const clientId = o.clientId ?? DEFAULT_M2M_CLIENT_ID;
  const header = withOverrides({ typ: "at+jwt", alg, kid: o.kid ?? o.key.kid }, o.header);
  const audience = o.audience === undefined ? DEFAULT_M2M_AUDIENCE : o.audience;
  const payload = withOverrides(
    {
      iss: o.issuer ?? DEFAULT_M2M_ISSUER,
      sub: o.sub ?? clientId,
      aud: audience ?? undefined,
      client_id: clientId,
      scope: o.scope ?? undefined,
      iat: nowS,
      exp: nowS + (o.expiresIn ?? 300),
      jti: `jti-${nowS}-${Math.random().toString(36).slice(2)}`,
    },
    o.payload,
  );
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const signature = signInput(input, { alg, hash: `sha${alg.slice(2)}`, key: o.key.privateKey, hmacSecret: o.hmacSecret });
  return `${input}.${b64url(signature)}`;
}
