// The authenticate-oidc action: the session check on each request (a session is its IdP's, and is refreshed once its access token has expired), the redirect to the IdP with a nonce cookie, and the /oauth2/idpresponse callback that sets the session cookie.
import { randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Configuration } from "openid-client";
import type { Logger } from "alb-oidc-target/rules";
import { sendAlbError, type AlbErrorReason, type Compared } from "../error-page.js";
import type { EmulatorConfig } from "../listener/config-file.js";
import { safeDetail } from "../safe-detail.js";
import type { OidcHeaders } from "../targets/wire.js";
import type { ClaimsTokens } from "./claims-token.js";
import { expireCookie, isCrossOrigin, setCookie } from "./cookies.js";
import { authorizationUrl, completeLogin, IdpError, refreshLogin, type LoginResult } from "./idp-client.js";
import { MAX_SHARDS, readSession, splitShards, type Sealer, type Session, type SessionState } from "./session.js";

export const CALLBACK_PATH = "/oauth2/idpresponse";
const NONCE_COOKIE = "AWSALBAuthNonce";
/** Claims + access token above this make the ALB answer 500. */
const MAX_CLAIMS_BYTES = 11 * 1024;
/** The one reason for a missing nonce cookie that only the emulator has (plain http), added to those the page's hint names. */
const MISSING_NONCE =
  "the load balancer's cookies are Secure, as the ALB's: a browser that keeps no Secure cookies for http://localhost (Safari) cannot log in to the emulator; use Chrome, Edge or Firefox";
/** How long a started login may take: the ALB's client login timeout, 15 minutes ("can't be changed or removed"). */
const NONCE_TTL_S = 900;
/**
 * The session cookie's own expiry, whatever SessionTimeout says: "The cookie expiry is an attribute of the
 * cookie, which is set to 7 days" (the session's end is sealed inside it). A browser thus still sends a
 * timed-out session, which the ALB answers as expired authentication information (a redirect, also under deny).
 */
const SESSION_COOKIE_MAX_AGE_S = 7 * 24 * 3600;

interface Nonce {
  readonly state: string;
  readonly returnTo: string;
  readonly exp: number;
  /** Which authenticate-oidc action started the login (its index among the listener's). */
  readonly rule: number;
}

export interface AuthenticateDeps {
  readonly config: EmulatorConfig;
  readonly idp: Configuration;
  readonly sealer: Sealer;
  readonly logger: Logger;
}

/** One authenticate-oidc action of the listener as it runs, built once at start. */
export interface OidcAction {
  /** Its place among the listener's authenticate-oidc actions (the nonce names it). */
  readonly index: number;
  readonly deps: AuthenticateDeps;
  /** Mints the x-amzn-oidc-data tokens of its sessions. */
  readonly tokens: ClaimsTokens;
}

/** What the action decided: go on to the rule's final action (with the session's x-amzn-oidc-* values, none under `allow`), or it has answered. */
export type AuthenticateOutcome = { readonly pass: true; readonly oidc: OidcHeaders | undefined } | { readonly pass: false };

/** Does the load balancer's Set-Cookie get `SameSite=None`? Yes on a cross-origin (CORS) request, as the ALB documents. */
function crossOrigin(req: IncomingMessage, host: string): boolean {
  return isCrossOrigin(req.headers.origin, host);
}

function nowS(): number {
  return Math.floor(Date.now() / 1000);
}

/** Logs an authentication failure (its detail bounded and scrubbed) and answers it; undefined, so that a step can `return fail(...)`. */
function fail(
  deps: AuthenticateDeps,
  res: ServerResponse,
  status: 401 | 500 | 561,
  reason: AlbErrorReason,
  detail?: string,
  cookies?: string[],
  compared: readonly Compared[] = [],
): undefined {
  // Bounded before anything reads it: an IdP error or a callback query is the client's text.
  const safe = detail === undefined ? undefined : safeDetail(detail);
  const shown = compared.map((c) => ({ what: c.what, expected: safeDetail(c.expected), received: safeDetail(c.received) }));
  deps.logger.error("authentication failed", { status, reason, detail: safe });
  sendAlbError(res, status, reason, safe, cookies, shown);
}

/**
 * Where to send the browser after login: the request target as a path on the host the user browsed to.
 * A run of leading slashes or backslashes (`//evil.example/x`, `/\evil.example`, `///evil.example`)
 * would make the browser read a host name out of it, so it is collapsed to one `/`; control
 * characters (which browsers drop from URLs) are removed first.
 * @example safeReturnTo("//evil.example/x") // "/evil.example/x"
 */
export function safeReturnTo(target: string | undefined): string {
  // eslint-disable-next-line no-control-regex
  const clean = (target ?? "/").replace(/[\u0000-\u001f\u007f]/g, "");
  if (!clean.startsWith("/")) return "/";
  return clean.replace(/^[/\\]+/, "/");
}

/**
 * 302 to the authorization endpoint; the nonce cookie remembers the state and where to come back to.
 * `dropped` are Set-Cookie values sent along (a refused refresh's expired session).
 */
export function redirectToIdp(
  deps: AuthenticateDeps,
  req: IncomingMessage,
  res: ServerResponse,
  host: string,
  rule = 0,
  dropped: readonly string[] = [],
): void {
  const state = randomBytes(24).toString("base64url");
  const nonce: Nonce = { state, returnTo: safeReturnTo(req.url), exp: nowS() + NONCE_TTL_S, rule };
  const redirectUri = `http://${host}${CALLBACK_PATH}`;
  const nonceCookie = setCookie(NONCE_COOKIE, deps.sealer.seal(nonce, "nonce"), {
    maxAge: NONCE_TTL_S,
    crossOrigin: crossOrigin(req, host),
  });
  res.setHeader("set-cookie", [...dropped, nonceCookie]);
  res.writeHead(302, {
    location: authorizationUrl(deps.config, redirectUri, state),
    "cache-control": "no-cache, no-store",
    "content-length": 0,
  });
  res.end();
}

/**
 * The action on a request: a session of this action's IdP goes on with its three x-amzn-oidc-* values
 * (refreshed first when its access token has expired); without one, `allow` goes on without them,
 * `deny` answers 401 (an expired session still goes back to the IdP, as the ALB documents) and
 * `authenticate` sends the browser to the IdP. A refused refresh drops the session: no session.
 */
export async function authenticate(
  a: OidcAction,
  req: IncomingMessage,
  res: ServerResponse,
  host: string,
  cookies: ReadonlyMap<string, string>,
): Promise<AuthenticateOutcome> {
  const state = sessionOf(a.deps.config, readSession(a.deps.sealer, cookies, a.deps.config.SessionCookieName, nowS()));
  if (state.kind !== "valid") return unauthenticated(a, req, res, host, state.kind, []);
  const live = await current(a, state.session, req, res, host, cookies);
  if (live.kind === "answered") return { pass: false };
  if (live.kind === "refused") return unauthenticated(a, req, res, host, "none", live.dropped);
  const s = live.session;
  return { pass: true, oidc: { accessToken: s.accessToken, identity: String(s.claims.sub), data: a.tokens.tokenFor(s.sid, s.claims) } };
}

/**
 * A session counts only on an action with the Issuer and ClientId that created it: a login at one IdP
 * is no session on a rule of another (which would otherwise sign that rule's iss and client over it).
 */
function sessionOf(config: EmulatorConfig, state: SessionState): SessionState {
  if (state.kind !== "valid") return state;
  const s = state.session;
  return s.iss === config.Issuer && s.client === config.ClientId ? state : { kind: "none" };
}

/** No session (or a dropped one): what OnUnauthenticatedRequest says, the dropped session's cookies expired with the answer. */
function unauthenticated(
  a: OidcAction,
  req: IncomingMessage,
  res: ServerResponse,
  host: string,
  kind: "none" | "expired",
  dropped: readonly string[],
): AuthenticateOutcome {
  const mode = a.deps.config.OnUnauthenticatedRequest;
  if (mode === "allow") {
    if (dropped.length > 0) res.setHeader("set-cookie", [...dropped]);
    return { pass: true, oidc: undefined };
  }
  if (mode === "deny" && kind === "none") {
    sendAlbError(res, 401, "AuthUnauthenticatedRequest", undefined, dropped);
    return { pass: false };
  }
  redirectToIdp(a.deps, req, res, host, a.index, dropped);
  return { pass: false };
}

/** The session to go on with (refreshed, its cookie set on `res`), a refused refresh (with the cookies that drop the session), or an answer already sent. */
type Current =
  | { readonly kind: "session"; readonly session: Session }
  | { readonly kind: "refused"; readonly dropped: readonly string[] }
  | { readonly kind: "answered" };

/**
 * The session as it stands now: unchanged while its access token lives (or when the IdP gave no refresh
 * token or no expiry: it lasts until SessionTimeout); else the refresh_token grant and userinfo, and the
 * session cookie issued again with the new tokens and claims. SessionTimeout still counts from the login.
 */
async function current(
  a: OidcAction,
  s: Session,
  req: IncomingMessage,
  res: ServerResponse,
  host: string,
  cookies: ReadonlyMap<string, string>,
): Promise<Current> {
  const now = nowS();
  if (s.refreshToken === undefined || s.accessTokenExp === undefined || s.accessTokenExp > now) return { kind: "session", session: s };
  const { deps } = a;
  const co = crossOrigin(req, host);
  const sub = String(s.claims.sub);
  let login: LoginResult;
  try {
    login = await refreshOnce(deps, s.sid, s.refreshToken, sub);
  } catch (err) {
    if (!(err instanceof IdpError)) throw err;
    // The ALB sends the user to log in again (AWS: "the refresh fails and the load balancer redirects the user to the IdP").
    deps.logger.info("session refresh refused", { sub, detail: safeDetail(err.message) });
    return { kind: "refused", dropped: dropSession(deps.config.SessionCookieName, cookies, co) };
  }
  if (tooLarge(login)) {
    fail(deps, res, 500, "AuthUserinfoResponseSizeExceeded");
    return { kind: "answered" };
  }
  const session: Session = {
    ...s,
    sid: randomUUID(),
    claims: login.claims,
    accessToken: login.accessToken,
    refreshToken: login.refreshToken ?? s.refreshToken,
    accessTokenExp: login.accessTokenExp,
  };
  const set = sessionCookies(deps, session, cookies, co);
  if (!set) {
    fail(deps, res, 500, "AuthUserinfoResponseSizeExceeded");
    return { kind: "answered" };
  }
  res.setHeader("set-cookie", set.cookies);
  deps.logger.info("session refreshed", { sub });
  return { kind: "session", session };
}

/** Refreshes under way, by session id: requests that arrive together with one expired session share one refresh. */
const refreshing = new Map<string, Promise<LoginResult>>();

function refreshOnce(deps: AuthenticateDeps, sid: string, refreshToken: string, sub: string): Promise<LoginResult> {
  let pending = refreshing.get(sid);
  if (!pending) {
    pending = refreshLogin(deps.idp, refreshToken, sub).finally(() => refreshing.delete(sid));
    refreshing.set(sid, pending);
  }
  return pending;
}

/** Claims + access token above 11 KB: the ALB answers 500. */
function tooLarge(login: LoginResult): boolean {
  return Buffer.byteLength(JSON.stringify(login.claims)) + Buffer.byteLength(login.accessToken) > MAX_CLAIMS_BYTES;
}

/** Set-Cookie values that expire every shard of the session the request carried. */
function dropSession(name: string, cookies: ReadonlyMap<string, string>, co: boolean): string[] {
  const out: string[] = [];
  for (let i = 0; i < MAX_SHARDS; i++) if (cookies.has(`${name}-${i}`)) out.push(expireCookie(`${name}-${i}`, co));
  return out;
}

/**
 * The session cookie's Set-Cookie values: its shards (the cookie living 7 days, the session until its SessionTimeout), and
 * stale shards of a larger earlier session expired; undefined when it needs more shards than the ALB sets.
 */
function sessionCookies(
  deps: AuthenticateDeps,
  session: Session,
  cookies: ReadonlyMap<string, string>,
  co: boolean,
): { cookies: string[]; shards: number } | undefined {
  const shards = splitShards(deps.sealer.seal(session, "session"));
  if (shards.length > MAX_SHARDS) return undefined;
  const name = deps.config.SessionCookieName;
  const out = shards.map((v, i) => setCookie(`${name}-${i}`, v, { maxAge: SESSION_COOKIE_MAX_AGE_S, crossOrigin: co }));
  // Shards left over from a larger earlier session would otherwise be joined onto this one.
  for (let i = shards.length; i < MAX_SHARDS; i++) if (cookies.has(`${name}-${i}`)) out.push(expireCookie(`${name}-${i}`, co));
  return { cookies: out, shards: shards.length };
}

function readNonce(sealer: Sealer, raw: string): Nonce | undefined {
  const v = sealer.open(raw, "nonce") as Partial<Nonce> | undefined;
  if (typeof v?.state !== "string" || typeof v.returnTo !== "string" || typeof v.exp !== "number" || v.exp <= nowS()) return undefined;
  if (typeof v.rule !== "number") return undefined;
  return v as Nonce;
}

/**
 * The callback: IdP error -> 401; nonce cookie missing, no state or a state not matching it -> 401; code exchange or
 * ID token failure -> 561; IdP unreachable, no ID token or claims too large -> 500; else the session
 * cookie (the session this action's IdP's) and a 302 back to the original URL.
 */
export async function handleCallback(
  depsFor: (rule: number) => AuthenticateDeps | undefined,
  req: IncomingMessage,
  res: ServerResponse,
  host: string,
  rawQuery: string,
  cookies: ReadonlyMap<string, string>,
): Promise<void> {
  const started = startedLogin(depsFor, res, new URLSearchParams(rawQuery), cookies);
  if (!started) return;
  const { deps, nonce, code } = started;
  let login;
  try {
    login = await completeLogin(deps.idp, `http://${host}${CALLBACK_PATH}`, code, nonce.state);
  } catch (err) {
    if (!(err instanceof IdpError)) throw err;
    return fail(deps, res, err.status, err.reason, err.message, undefined, err.compared);
  }
  if (tooLarge(login)) return fail(deps, res, 500, "AuthUserinfoResponseSizeExceeded");
  startSession(deps, res, login, nonce.returnTo, cookies, crossOrigin(req, host));
}

/**
 * The login this callback completes: the action that started it (named by the nonce cookie, whose
 * state must match), and the authorization code. Undefined once a failure has been answered.
 */
function startedLogin(
  depsFor: (rule: number) => AuthenticateDeps | undefined,
  res: ServerResponse,
  q: URLSearchParams,
  cookies: ReadonlyMap<string, string>,
): { deps: AuthenticateDeps; nonce: Nonce; code: string } | undefined {
  // Until the nonce says which action started the login, failures are logged with the first one's.
  const first = depsFor(0);
  if (!first) throw new Error("the listener has no authenticate-oidc action");
  const idpError = q.get("error");
  if (idpError !== null) {
    const description = q.get("error_description");
    return fail(first, res, 401, "AuthIdPClientRequestError", description ? `${idpError}: ${description}` : idpError);
  }
  const rawNonce = cookies.get(NONCE_COOKIE);
  if (rawNonce === undefined) return fail(first, res, 401, "AuthMissingAWSALBAuthNonce", MISSING_NONCE);
  if (q.get("state") === null) return fail(first, res, 401, "AuthMissingStateParam");
  const nonce = readNonce(first.sealer, rawNonce);
  if (!nonce || q.get("state") !== nonce.state) return fail(first, res, 401, "AuthInvalidAWSALBAuthNonce");
  const deps = depsFor(nonce.rule);
  if (!deps) return fail(first, res, 401, "AuthInvalidAWSALBAuthNonce");
  const code = q.get("code");
  if (!code) return fail(deps, res, 401, "AuthMissingCodeParam");
  return { deps, nonce, code };
}

/** The session cookie (in shards, stale shards and the nonce cookie expired) and the 302 back to where the login began. */
function startSession(
  deps: AuthenticateDeps,
  res: ServerResponse,
  login: LoginResult,
  returnTo: string,
  cookies: ReadonlyMap<string, string>,
  co: boolean,
): void {
  const now = nowS();
  const session: Session = {
    sid: randomUUID(),
    claims: login.claims,
    accessToken: login.accessToken,
    exp: now + deps.config.SessionTimeout,
    // The session is this IdP's and this client's: other rules' actions do not accept it.
    iss: deps.config.Issuer,
    client: deps.config.ClientId,
    ...(login.refreshToken !== undefined && { refreshToken: login.refreshToken }),
    ...(login.accessTokenExp !== undefined && { accessTokenExp: login.accessTokenExp }),
  };
  const set = sessionCookies(deps, session, cookies, co);
  if (!set) return fail(deps, res, 500, "AuthUserinfoResponseSizeExceeded");
  deps.logger.info("login", {
    sub: typeof login.claims.sub === "string" ? login.claims.sub : "",
    shards: set.shards,
    refreshable: session.refreshToken !== undefined && session.accessTokenExp !== undefined,
  });
  res.setHeader("set-cookie", [...set.cookies, expireCookie(NONCE_COOKIE, co)]);
  res.writeHead(302, { location: safeReturnTo(returnTo), "cache-control": "no-cache, no-store", "content-length": 0 });
  res.end();
}
