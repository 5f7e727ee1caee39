// The ALB's side of the code flow, on openid-client: the authorization URL, the code exchange (ID token checked, issuer included) and userinfo.
import * as client from "openid-client";
import { isUnreachable } from "../../unreachable.js";
import type { AlbErrorReason, Compared } from "../error-page.js";
import type { EmulatorConfig } from "../listener/config-file.js";

/**
 * Why a login or a refresh failed, in the ALB's terms: 561 for an IdP that answered with an error or a
 * token that fails a check, 500 for one we could not reach or whose token response lacks the ID token;
 * `reason` the access log's error_reason, `compared` the checked values (issuer, audience) when a check failed.
 */
export class IdpError extends Error {
  override readonly name = "IdpError";
  constructor(
    readonly status: 500 | 561,
    readonly reason: AlbErrorReason,
    message: string,
    options?: ErrorOptions,
    readonly compared: readonly Compared[] = [],
  ) {
    super(message, options);
  }
}

/** What a login or a refresh brings: the userinfo claims and the tokens a session keeps. */
export interface LoginResult {
  readonly claims: Readonly<Record<string, unknown>>;
  readonly accessToken: string;
  /** The IdP's refresh token, if it issued one (a refresh that issues none keeps the previous one). */
  readonly refreshToken: string | undefined;
  /** Epoch seconds at which the access token expires, from expires_in; undefined when the IdP does not say. */
  readonly accessTokenExp: number | undefined;
}

/** Seconds the ALB waits for the IdP (not documented; 5 s keeps a dead IdP from hanging the browser). */
const IDP_TIMEOUT_S = 5;

const ID_TOKEN_ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "HS256",
  "HS384",
  "HS512",
];

function isHttp(url: string): boolean {
  return url.startsWith("http:");
}

/** An openid-client configuration from the ALB fields alone: no discovery, as the ALB does none. */
export function idpConfiguration(c: EmulatorConfig): client.Configuration {
  const server: client.ServerMetadata = {
    issuer: c.Issuer,
    authorization_endpoint: c.AuthorizationEndpoint,
    token_endpoint: c.TokenEndpoint,
    userinfo_endpoint: c.UserInfoEndpoint,
    // The ALB configuration names no algorithm and the ID token comes straight from the token endpoint over TLS:
    // accept what real IdPs use (LINE web login signs with HS256, Cognito and Google with RS256), not just the RS256 default.
    id_token_signing_alg_values_supported: ID_TOKEN_ALGORITHMS,
  };
  const conf = new client.Configuration(server, c.ClientId, c.ClientSecret, client.ClientSecretPost(c.ClientSecret));
  conf.timeout = IDP_TIMEOUT_S;
  // Plain http only ever reaches here for loopback URLs (config validation): the embedded provider and tests.
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  if ([c.Issuer, c.TokenEndpoint, c.UserInfoEndpoint].some(isHttp)) client.allowInsecureRequests(conf);
  return conf;
}

/** The authorization request: client_id, redirect_uri, response_type=code, scope, state, plus the extra params. */
export function authorizationUrl(c: EmulatorConfig, redirectUri: string, state: string): string {
  const url = new URL(c.AuthorizationEndpoint);
  for (const [k, v] of Object.entries(c.AuthenticationRequestExtraParams)) url.searchParams.set(k, v);
  url.searchParams.set("client_id", c.ClientId);
  url.searchParams.set("redirect_uri", redirectUri);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("scope", c.Scope);
  url.searchParams.set("state", state);
  return url.toString();
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return "unknown error";
  const code = (err as { error?: unknown }).error;
  const message = typeof code === "string" ? `${code}: ${err.message}` : err.message;
  // openid-client wraps oauth4webapi's error, which says which ID token claim failed and what was expected (never the token).
  const inner = err.cause instanceof Error ? err.cause : undefined;
  if (!inner || inner.message === err.message) return message;
  const expected = (inner.cause as { expected?: unknown } | undefined)?.expected;
  return `${message} (${inner.message}${typeof expected === "string" ? `, expected "${expected}"` : ""})`;
}

/** The error's own fields (openid-client's, oauth4webapi's), read without trusting their shape. */
function field(err: unknown, name: string): unknown {
  return typeof err === "object" && err !== null ? (err as Record<string, unknown>)[name] : undefined;
}

/** oauth4webapi's error under openid-client's wrapper (or the error itself). */
function inner(err: unknown): unknown {
  const cause = field(err, "cause");
  return cause instanceof Error ? cause : err;
}

/** Did the endpoint answer with an HTTP error (an OAuth error body, a WWW-Authenticate challenge, or any other non-2xx)? */
function answeredWithError(err: unknown): boolean {
  const name = field(err, "name");
  return name === "ResponseBodyError" || name === "WWWAuthenticateChallengeError" || field(err, "code") === "OAUTH_RESPONSE_IS_NOT_CONFORM";
}

function claimText(v: unknown): string {
  if (typeof v === "string") return v;
  if (Array.isArray(v)) return v.map(String).join(", ");
  return v === undefined ? "(none)" : JSON.stringify(v);
}

/** The ID token claim a check compared, expected against received: issuer and audience only (names of the IdP and the client, never a token). */
function comparedClaim(err: unknown): Compared[] {
  const details = field(inner(err), "cause");
  const claim = field(details, "claim");
  const expected = field(details, "expected");
  const claims = field(details, "claims");
  const what = claim === "iss" ? "issuer (iss)" : claim === "aud" ? "audience (aud)" : undefined;
  if (what === undefined || typeof expected !== "string" || typeof claim !== "string") return [];
  return [{ what, expected, received: claimText(field(claims, claim)) }];
}

/** The access log's reason for a failed code exchange, by what the token endpoint did. */
function tokenFailure(err: unknown, step: string): IdpError {
  if (isUnreachable(err))
    return new IdpError(500, "AuthTokenEpRequestTimeout", `token endpoint unreachable: ${describe(err)}`, { cause: err });
  if (field(err, "error") === "invalid_grant")
    return new IdpError(561, "AuthInvalidGrantError", `${step}: ${describe(err)}`, { cause: err });
  if (answeredWithError(err)) return new IdpError(561, "AuthTokenEpRequestFailed", `${step}: ${describe(err)}`, { cause: err });
  const code = field(err, "code");
  if (
    code === "OAUTH_RESPONSE_IS_NOT_JSON" ||
    (code === "OAUTH_INVALID_RESPONSE" && !/ID Token/i.test(String(field(inner(err), "message"))))
  )
    return new IdpError(561, "AuthInvalidTokenResponse", `${step}: ${describe(err)}`, { cause: err });
  return new IdpError(561, "AuthInvalidIdToken", `ID token validation failed: ${describe(err)}`, { cause: err }, comparedClaim(err));
}

/** The access log's reason for a failed userinfo request. */
function userinfoFailure(err: unknown): IdpError {
  if (isUnreachable(err))
    return new IdpError(500, "AuthUserinfoEpRequestTimeout", `userinfo endpoint unreachable: ${describe(err)}`, { cause: err });
  if (answeredWithError(err)) return new IdpError(561, "AuthUserinfoEpRequestFailed", `userinfo failed: ${describe(err)}`, { cause: err });
  const details = field(inner(err), "cause");
  const sub = field(details, "attribute") === "sub" ? field(details, "expected") : undefined;
  const compared =
    typeof sub === "string"
      ? [{ what: "sub (ID token, then userinfo)", expected: sub, received: claimText(field(field(details, "body"), "sub")) }]
      : [];
  return new IdpError(561, "AuthInvalidUserinfoResponse", `userinfo answer refused: ${describe(err)}`, { cause: err }, compared);
}

/** What the token endpoint answered, with openid-client's helpers (claims(), ...). */
type TokenResponse = client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;

/** Userinfo with the access token (its `sub` must be `sub`), and what the session keeps of the token response. */
async function withUserinfo(conf: client.Configuration, tokens: TokenResponse, sub: string): Promise<LoginResult> {
  let userinfo;
  try {
    userinfo = await client.fetchUserInfo(conf, tokens.access_token, sub);
  } catch (err) {
    throw userinfoFailure(err);
  }
  const expiresIn = tokens.expires_in;
  return {
    claims: { ...userinfo },
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
    accessTokenExp: typeof expiresIn === "number" ? Math.floor(Date.now() / 1000) + expiresIn : undefined,
  };
}

/**
 * Exchanges the code at the token endpoint with the client secret, validates the ID token
 * (iss, aud, exp; the signature is not needed for a token received directly over TLS, per OIDC Core 3.1.3.7),
 * then fetches userinfo with the access token.
 * @throws IdpError with the ALB's status: 500 also when the response has no ID token (a Scope that yields none).
 */
export async function completeLogin(conf: client.Configuration, redirectUri: string, code: string, state: string): Promise<LoginResult> {
  // Only code and state: the ALB does not check RFC 9207's `iss` parameter, and a wrong Issuer must fail where it fails at the ALB.
  const callback = new URL(redirectUri);
  callback.searchParams.set("code", code);
  callback.searchParams.set("state", state);
  let tokens: TokenResponse;
  try {
    // An ID token is still validated when there is one; its absence is checked below, to answer it as the ALB does (500, not 561).
    tokens = await client.authorizationCodeGrant(conf, callback, { expectedState: state, idTokenExpected: false });
  } catch (err) {
    throw tokenFailure(err, "code exchange failed");
  }
  const sub = tokens.claims()?.sub;
  if (sub === undefined)
    throw new IdpError(500, "AuthInvalidTokenResponse", "the token response has no ID token: the Scope must yield one (include openid)");
  return withUserinfo(conf, tokens, sub);
}

/**
 * The refresh_token grant, then userinfo with the new access token (for the same `sub`): what the ALB
 * does when a session's access token has expired. An ID token in the answer is validated as at login.
 * @throws IdpError when the IdP refuses (revoked grant, user signed out), fails or cannot be reached.
 */
export async function refreshLogin(conf: client.Configuration, refreshToken: string, sub: string): Promise<LoginResult> {
  let tokens: TokenResponse;
  try {
    tokens = await client.refreshTokenGrant(conf, refreshToken);
  } catch (err) {
    throw tokenFailure(err, "refresh refused");
  }
  const idTokenSub = tokens.claims()?.sub;
  if (idTokenSub !== undefined && idTokenSub !== sub)
    throw new IdpError(561, "AuthInvalidIdToken", "the refreshed ID token names another user");
  return withUserinfo(conf, tokens, sub);
}
