// createFakeAlb: the fake ALB for tests of a function built on this package (and for our own): a loopback key server, user events with freshly minted tokens, machine tokens, and every kind of bad token.
import type { ALBEvent } from "aws-lambda";
import {
  ALICE,
  DEFAULT_ALB_ARN,
  DEFAULT_CLIENT_ID,
  DEFAULT_ISSUER,
  OTHER_ALB_ARN,
  mintAlbToken,
  replacePart,
  tamper,
  type MintOptions,
} from "./alb-token.js";
import { albEvent, healthCheckEvent, userEvent as signedInEvent, type UserRequestOptions } from "./events.js";
import { startKeyServer, type KeyServer } from "./key-server.js";
import { createAlbKey, createRsaKey } from "./keys.js";
import { DEFAULT_M2M_AUDIENCE, DEFAULT_M2M_CLIENT_ID, DEFAULT_M2M_ISSUER, mintMachineToken } from "./machine-token.js";

/**
 * Who the fake ALB claims to be.
 * @example await createFakeAlb({ signer: myAlbArn, issuer: "https://access.line.me", clientId: "1234567890", lifetimeSeconds: 30 })
 */
export interface FakeAlbOptions {
  /** The load balancer ARN the fake ALB signs as (`signer`). Default: an ARN in us-east-1. */
  readonly signer?: string;
  /** The IdP issuer in the tokens. Default https://idp.example.com. */
  readonly issuer?: string;
  /** The OIDC client id in the tokens. Default alb-oidc-target-client. */
  readonly clientId?: string;
  /** Seconds a user token lives (the ALB: about 60). */
  readonly lifetimeSeconds?: number;
  /** The machine-token issuer: its `iss`, `aud` and default `client_id`. */
  readonly machine?: { readonly issuer?: string; readonly audience?: string; readonly clientId?: string };
}

/**
 * The variables a function under test needs to trust this fake ALB.
 * @example withAlbAuth(app, { env: alb.env })
 */
export interface FakeAlbEnv {
  readonly LOAD_BALANCER_ARN: string;
  readonly ISSUER: string;
  readonly CLIENT_ID: string;
  readonly ALB_PUBLIC_KEY_ENDPOINT: string;
  [name: string]: string;
}

/**
 * The variables for machine routes whose tokens this fake ALB's issuer mints (add M2M_PATH_PREFIXES).
 * @example withAlbAuth(app, { env: { ...alb.env, ...alb.machineEnv, M2M_PATH_PREFIXES: "/api/" } })
 */
export interface FakeMachineEnv {
  readonly M2M_ISSUER: string;
  readonly M2M_JWKS_URI: string;
  readonly M2M_AUDIENCE: string;
  [name: string]: string;
}

/**
 * The kinds of bad user token the attack catalogue sends.
 * @example alb.userEvent({ token: alb.badUserToken("foreign-signer") })
 */
export type BadUserTokenKind =
  /** A valid token from another account's load balancer (ALBeast): its key is served, its signer is not ours. */
  | "foreign-signer"
  | "expired"
  /** The payload changed after signing (sub: "admin"), the signature kept. */
  | "tampered"
  /** One signature character flipped. */
  | "bad-signature"
  | "wrong-issuer"
  | "wrong-client"
  /** Signed by a key the endpoint does not serve. */
  | "unknown-key";

/**
 * The kinds of bad machine token.
 * @example alb.machineEvent({ token: alb.badMachineToken("wrong-audience") })
 */
export type BadMachineTokenKind = "expired" | "tampered" | "wrong-issuer" | "wrong-audience" | "unknown-key";

/**
 * Who a user token is for and how long it lives.
 * @example alb.userToken({ claims: { sub: "bob", email: "bob@example.com" }, expiresIn: 5 })
 */
export interface UserTokenOptions {
  /** Userinfo claims (default: the demo user alice). */
  readonly claims?: Readonly<Record<string, unknown>>;
  /** Seconds until exp (default the fake ALB's lifetime); negative: already expired. */
  readonly expiresIn?: number;
}

/**
 * The request a user event describes.
 * @example alb.userEvent({ method: "POST", path: "/notes", headers: { "content-type": "application/json" }, body: '{"text":"hi"}' })
 */
export interface UserEventOptions extends UserTokenOptions, UserRequestOptions {
  /** Send this x-amzn-oidc-data instead of minting one (a bad token, or one to reuse); `null` sends none. */
  readonly token?: string | null;
  /** Reuse the token of the previous userEvent instead of minting a fresh one. */
  readonly reuse?: boolean;
  /** x-amzn-oidc-identity (default the claims' sub); `null` sends none. */
  readonly identity?: string | null;
}

/**
 * What a machine token says.
 * @example alb.machineToken({ scopes: ["notes:read"], clientId: "reporting" })
 */
export interface MachineTokenOptions {
  /** Scopes, as a list or space-separated (default none). */
  readonly scopes?: string | readonly string[];
  readonly clientId?: string;
  /** `aud` (default the fake issuer's audience); `null` leaves it out. */
  readonly audience?: string | null;
  /** Seconds until exp (default 300). */
  readonly expiresIn?: number;
  /** Claims to add or override. */
  readonly claims?: Readonly<Record<string, unknown>>;
}

/**
 * The request a machine event describes.
 * @example alb.machineEvent({ path: "/api/notes", scopes: "notes:read" })
 */
export interface MachineEventOptions extends MachineTokenOptions {
  readonly path?: string;
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
  readonly body?: string | Buffer;
  readonly multiValue?: boolean;
  /** Send this bearer token instead of minting one. */
  readonly token?: string;
}

/**
 * A fetcher for aws-jwt-verify's caches (`{ fetcher }`): the library's own fetches https only, the fake ALB serves http on loopback.
 * @example new AlbJwksCache({ fetcher: alb.fetcher })
 */
export interface LoopbackFetcher {
  fetch(uri: string): Promise<ArrayBuffer>;
}

/**
 * A running fake ALB: env for the function, events and tokens of every kind, stop().
 * @example const alb = await createFakeAlb(); const res = await handler(alb.userEvent()); await alb.stop();
 */
export interface FakeAlb {
  /** LOAD_BALANCER_ARN, ISSUER, CLIENT_ID and ALB_PUBLIC_KEY_ENDPOINT for the function under test. */
  readonly env: FakeAlbEnv;
  /** M2M_ISSUER, M2M_JWKS_URI and M2M_AUDIENCE for machine routes. */
  readonly machineEnv: FakeMachineEnv;
  /** The loopback key server: request log (`requests`), outages (`setFault`, `stop`/`restart`). */
  readonly keyServer: KeyServer;
  /** Fetches over plain http, for a plain AlbJwtVerifier / JwtVerifier pointed at this fake ALB. */
  readonly fetcher: LoopbackFetcher;
  /** A fresh x-amzn-oidc-data token. */
  userToken(options?: UserTokenOptions): string;
  /** A user token with every knob of the ALB minter (alg, kid, header and payload overrides, raw JSON...), signed with this fake ALB's key. */
  mint(options?: Omit<MintOptions, "key">): string;
  /** A user token that must be refused, of the given kind. */
  badUserToken(kind: BadUserTokenKind, options?: UserTokenOptions): string;
  /** An ALB event for a user (authenticate-oidc passed), with a freshly minted token unless told otherwise. */
  userEvent(options?: UserEventOptions): ALBEvent;
  /** An RS256 client-credentials access token whose JWKS the key server serves at /jwks.json. */
  machineToken(options?: MachineTokenOptions): string;
  /** A machine token that must be refused, of the given kind. */
  badMachineToken(kind: BadMachineTokenKind, options?: MachineTokenOptions): string;
  /** An ALB event for a machine route: `Authorization: Bearer <machineToken>`. */
  machineEvent(options?: MachineEventOptions): ALBEvent;
  /** The ALB health checker's request. */
  healthCheckEvent(options?: { readonly path?: string; readonly multiValue?: boolean }): ALBEvent;
  /** Stops the key server. */
  stop(): Promise<void>;
}

/**
 * Starts a fake ALB on 127.0.0.1 (a key server on a free port) for a test file.
 * @example
 * import { createFakeAlb } from "alb-oidc-target/testing";
 * const alb = await createFakeAlb();
 * const handler = withAlbAuth(app, { env: alb.env });
 * const res = await handler(alb.userEvent({ path: "/notes" }));
 * await alb.stop();
 */
export async function createFakeAlb(options: FakeAlbOptions = {}): Promise<FakeAlb> {
  const signer = options.signer ?? DEFAULT_ALB_ARN;
  const issuer = options.issuer ?? DEFAULT_ISSUER;
  const clientId = options.clientId ?? DEFAULT_CLIENT_ID;
  const lifetime = options.lifetimeSeconds ?? 60;
  const m2mIssuer = options.machine?.issuer ?? DEFAULT_M2M_ISSUER;
  const m2mAudience = options.machine?.audience ?? DEFAULT_M2M_AUDIENCE;
  const m2mClientId = options.machine?.clientId ?? DEFAULT_M2M_CLIENT_ID;

  const key = createAlbKey();
  // Another account's load balancer in the same region: the regional endpoint serves its key to anyone.
  const foreignKey = createAlbKey();
  const strayKey = createAlbKey();
  const rsa = createRsaKey();
  const strayRsa = createRsaKey();
  const keyServer = await startKeyServer({ keys: [key, foreignKey, rsa] });

  let lastUserToken: string | undefined;

  /** A user token as this fake ALB signs it, with `change` applied (the bad kinds). */
  const signed = (o: UserTokenOptions, change: Partial<MintOptions> = {}): string =>
    mintAlbToken({ key, claims: o.claims ?? ALICE, issuer, clientId, signer, expiresIn: o.expiresIn ?? lifetime, ...change });
  const userToken = (o: UserTokenOptions = {}): string => signed(o);

  const badUserToken = (kind: BadUserTokenKind, o: UserTokenOptions = {}): string => {
    switch (kind) {
      case "foreign-signer":
        return signed(o, { key: foreignKey, signer: signer === OTHER_ALB_ARN ? DEFAULT_ALB_ARN : OTHER_ALB_ARN });
      case "expired":
        return signed(o, { expiresIn: -120 });
      case "tampered":
        return replacePart(userToken(o), 1, (p) => ({ ...p, sub: "admin" }));
      case "bad-signature":
        return tamper(userToken(o), 2);
      case "wrong-issuer":
        return signed(o, { issuer: "https://attacker.example.net" });
      case "wrong-client":
        return signed(o, { clientId: "attacker-client" });
      case "unknown-key":
        return signed(o, { key: strayKey });
    }
  };

  const machineToken = (o: MachineTokenOptions = {}): string => machineWith(rsa, o);

  function machineWith(signing: typeof rsa, o: MachineTokenOptions, payload: Readonly<Record<string, unknown>> = {}): string {
    const scopes = typeof o.scopes === "string" ? o.scopes : (o.scopes ?? []).join(" ");
    return mintMachineToken({
      key: signing,
      issuer: m2mIssuer,
      audience: o.audience === undefined ? m2mAudience : o.audience,
      scope: scopes === "" ? null : scopes,
      clientId: o.clientId ?? m2mClientId,
      expiresIn: o.expiresIn ?? 300,
      payload: { ...o.claims, ...payload },
    });
  }

  const badMachineToken = (kind: BadMachineTokenKind, o: MachineTokenOptions = {}): string => {
    switch (kind) {
      case "expired":
        return machineWith(rsa, { ...o, expiresIn: -120 });
      case "tampered":
        return replacePart(machineToken(o), 1, (p) => ({ ...p, scope: "admin" }));
      case "wrong-issuer":
        return machineWith(rsa, o, { iss: "https://attacker.example.net" });
      case "wrong-audience":
        return machineWith(rsa, { ...o, audience: "https://elsewhere.example.net" });
      case "unknown-key":
        return machineWith(strayRsa, o);
    }
  };

  const userEvent = (o: UserEventOptions = {}): ALBEvent => {
    if (o.token === undefined && (!o.reuse || lastUserToken === undefined)) lastUserToken = userToken(o);
    const token = o.token === undefined ? lastUserToken : o.token;
    const sub = (o.claims ?? ALICE).sub;
    const identity = o.identity === undefined ? (typeof sub === "string" ? sub : null) : o.identity;
    return signedInEvent({ ...o, token: token ?? null, identity });
  };

  const machineEvent = (o: MachineEventOptions = {}): ALBEvent =>
    albEvent({
      path: o.path ?? "/api/",
      method: o.method ?? "GET",
      headers: { ...o.headers, authorization: `Bearer ${o.token ?? machineToken(o)}` },
      ...(o.body !== undefined && { body: o.body }),
      multiValue: o.multiValue ?? false,
    });

  return {
    env: { LOAD_BALANCER_ARN: signer, ISSUER: issuer, CLIENT_ID: clientId, ALB_PUBLIC_KEY_ENDPOINT: keyServer.url },
    machineEnv: { M2M_ISSUER: m2mIssuer, M2M_JWKS_URI: `${keyServer.url}/jwks.json`, M2M_AUDIENCE: m2mAudience },
    keyServer,
    fetcher: {
      async fetch(uri) {
        const res = await fetch(uri);
        if (!res.ok) throw new Error(`fake ALB key server answered ${res.status} for ${uri}`);
        return res.arrayBuffer();
      },
    },
    userToken,
    mint: (o = {}) => mintAlbToken({ issuer, clientId, signer, expiresIn: lifetime, ...o, key }),
    badUserToken,
    userEvent,
    machineToken,
    badMachineToken,
    machineEvent,
    healthCheckEvent: (o = {}) => healthCheckEvent(o.path ?? "/health", o.multiValue ?? false),
    stop: () => keyServer.stop(),
  };
}
