// The ALB session cookie: AES-256-GCM sealed JSON, split into <name>-0, -1, ... shards of at most 4 KB each.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/** What the emulator keeps about a logged-in user (the ALB keeps it in the encrypted cookie too). */
export interface Session {
  /** Random id, new at each refresh: the re-mint cache is keyed by it. */
  readonly sid: string;
  /** Userinfo claims. */
  readonly claims: Readonly<Record<string, unknown>>;
  readonly accessToken: string;
  /** Epoch seconds: SessionTimeout after login (a refresh does not move it). */
  readonly exp: number;
  /** The Issuer of the authenticate-oidc action that logged the user in: only actions with the same Issuer and ClientId accept the session. */
  readonly iss: string;
  /** That action's ClientId. */
  readonly client: string;
  /** The IdP's refresh token, when it issued one. */
  readonly refreshToken?: string;
  /** Epoch seconds at which the access token expires (the token response's expires_in); absent when the IdP did not say. */
  readonly accessTokenExp?: number;
}

/** Bytes of cookie value per shard: the browser limit is 4096 for name, value and attributes together. */
const SHARD_SIZE = 4000;
/** The shards the ALB may set, and logout clears. */
export const MAX_SHARDS = 4;

/** Encrypts and authenticates small JSON values with one random key per emulator run. */
export class Sealer {
  readonly #key: Buffer;

  constructor(key: Buffer = randomBytes(32)) {
    this.#key = key;
  }

  /** JSON -> base64url(iv || ciphertext || tag), authenticated with `purpose` so a nonce cookie never opens as a session. */
  seal(value: unknown, purpose: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.#key, iv).setAAD(Buffer.from(purpose));
    const body = Buffer.concat([cipher.update(JSON.stringify(value), "utf8"), cipher.final()]);
    return Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64url");
  }

  /** The sealed value, or undefined for anything tampered, truncated or sealed for another purpose. */
  open(sealed: string, purpose: string): unknown {
    try {
      const raw = Buffer.from(sealed, "base64url");
      if (raw.length < 29) return undefined;
      const decipher = createDecipheriv("aes-256-gcm", this.#key, raw.subarray(0, 12)).setAAD(Buffer.from(purpose));
      decipher.setAuthTag(raw.subarray(raw.length - 16));
      const text = Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString("utf8");
      return JSON.parse(text) as unknown;
    } catch {
      return undefined;
    }
  }
}

/** Splits a sealed session into shard values for `<name>-0`, `<name>-1`, ... */
export function splitShards(sealed: string): string[] {
  const shards: string[] = [];
  for (let i = 0; i < sealed.length; i += SHARD_SIZE) shards.push(sealed.slice(i, i + SHARD_SIZE));
  return shards;
}

/** Joins `<name>-0`, `<name>-1`, ... from the request's cookies, stopping at the first gap. */
function joinShards(cookies: ReadonlyMap<string, string>, name: string): string | undefined {
  let joined = "";
  for (let i = 0; i < MAX_SHARDS; i++) {
    const part = cookies.get(`${name}-${i}`);
    if (part === undefined) break;
    joined += part;
  }
  return joined === "" ? undefined : joined;
}

function isSession(v: unknown): v is Session {
  if (typeof v !== "object" || v === null) return false;
  const s = v as Record<string, unknown>;
  return (
    typeof s.sid === "string" &&
    typeof s.accessToken === "string" &&
    typeof s.exp === "number" &&
    typeof s.iss === "string" &&
    typeof s.client === "string" &&
    (s.refreshToken === undefined || typeof s.refreshToken === "string") &&
    (s.accessTokenExp === undefined || typeof s.accessTokenExp === "number") &&
    typeof s.claims === "object" &&
    s.claims !== null &&
    typeof (s.claims as Record<string, unknown>).sub === "string"
  );
}

export type SessionState = { readonly kind: "none" } | { readonly kind: "expired" } | { readonly kind: "valid"; readonly session: Session };

/** Reads the session from the request's cookies: none, expired (or unreadable) or valid. */
export function readSession(sealer: Sealer, cookies: ReadonlyMap<string, string>, name: string, nowS: number): SessionState {
  const sealed = joinShards(cookies, name);
  if (sealed === undefined) return { kind: "none" };
  const value = sealer.open(sealed, "session");
  // An unreadable cookie (another run's key, tampering) is treated as an ended session: log in again.
  if (!isSession(value) || value.exp <= nowS) return { kind: "expired" };
  return { kind: "valid", session: value };
}
