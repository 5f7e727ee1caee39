// The authenticate-oidc action: the session check on each request, the redirect to the IdP with a nonce cookie, and the /oauth2/idpresponse callback that sets the session cookie.
import { randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Configuration } from "openid-client";
import { LOOPBACK_HOSTS, type Logger } from "alb-oidc-target/rules";
import { sendAlbError, type AlbErrorReason } from "../error-page.js";
import type { EmulatorConfig } from "../listener/config-file.js";
import { safeDetail } from "../safe-detail.js";
import type { OidcHeaders } from "../targets/wire.js";
import type { ClaimsTokens } from "./claims-token.js";
import { expireCookie, setCookie } from "./cookies.js";
import { authorizationUrl, completeLogin, IdpError, type LoginResult } from "./idp-client.js";
import { MAX_SHARDS, readSession, splitShards, type Sealer, type Session } from "./session.js";

export const CALLBACK_PATH = "/oauth2/idpresponse";
const NONCE_COOKIE = "AWSALBAuthNonce";
/** Claims + access token above this make the ALB answer 500. */
const MAX_CLAIMS_BYTES = 11 * 1024;
/** How long a started login may take (not documented for the ALB). */
const NONCE_TTL_S = 900;

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

/** `Secure` except on plain-http loopback, where a browser could not send it back over http. */
function cookiesSecure(host: string): boolean {
  const hostname = host.replace(/:\d+$/, "");
  return !LOOPBACK_HOSTS.includes(hostname);
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
): undefined {
  // Bounded before anything reads it: an IdP error or a callback query is the client's text.
  const safe = detail === undefined ? undefined : safeDetail(detail);
  deps.logger.error("authentication failed", { status, reason, detail: safe });
  sendAlbError(res, status, reason, safe, cookies);
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

/** 302 to the authorization endpoint; the nonce cookie remembers the state and where to come back to. */
export function redirectToIdp(deps: AuthenticateDeps, req: IncomingMessage, res: ServerResponse, host: string, rule = 0): void {
  const state = randomBytes(24).toString("base64url");
  const nonce: Nonce = { state, returnTo: safeReturnTo(req.url), exp: nowS() + NONCE_TTL_S, rule };
  const redirectUri = `http://${host}${CALLBACK_PATH}`;
  res.setHeader(
    "set-cookie",
    setCookie(NONCE_COOKIE, deps.sealer.seal(nonce, "nonce"), { secure: cookiesSecure(host), maxAge: NONCE_TTL_S }),
  );
  res.writeHead(302, {
    location: authorizationUrl(deps.config, redirectUri, state),
    "cache-control": "no-cache, no-store",
    "content-length": 0,
  });
  res.end();
}

/**
 * The action on a request: a valid session goes on with its three x-amzn-oidc-* values; without one,
 * `allow` goes on without them, `deny` answers 401 (an expired session still goes back to the IdP, as
 * the ALB documents) and `authenticate` sends the browser to the IdP.
 */
export function authenticate(
  a: OidcAction,
  req: IncomingMessage,
  res: ServerResponse,
  host: string,
  cookies: ReadonlyMap<string, string>,
): AuthenticateOutcome {
  const config = a.deps.config;
  const state = readSession(a.deps.sealer, cookies, config.SessionCookieName, nowS());
  if (state.kind === "valid") {
    const s = state.session;
    return { pass: true, oidc: { accessToken: s.accessToken, identity: String(s.claims.sub), data: a.tokens.tokenFor(s.sid, s.claims) } };
  }
  const mode = config.OnUnauthenticatedRequest;
  if (mode === "allow") return { pass: true, oidc: undefined };
  if (mode === "deny" && state.kind === "none") {
    sendAlbError(res, 401, "AuthUnauthenticatedRequest");
    return { pass: false };
  }
  redirectToIdp(a.deps, req, res, host, a.index);
  return { pass: false };
}

function readNonce(sealer: Sealer, raw: string): Nonce | undefined {
  const v = sealer.open(raw, "nonce") as Partial<Nonce> | undefined;
  if (typeof v?.state !== "string" || typeof v.returnTo !== "string" || typeof v.exp !== "number" || v.exp <= nowS()) return undefined;
  if (typeof v.rule !== "number") return undefined;
  return v as Nonce;
}

/**
 * The callback: IdP error -> 401; nonce cookie missing or not matching state -> 401; code exchange or
 * ID token failure -> 561; IdP unreachable or claims too large -> 500; else the session cookie and a
 * 302 back to the original URL.
 */
export async function handleCallback(
  depsFor: (rule: number) => AuthenticateDeps | undefined,
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
    return fail(deps, res, err.status, err.status === 500 ? "AuthTokenEpRequestFailed" : "AuthInvalidIdToken", err.message);
  }
  if (Buffer.byteLength(JSON.stringify(login.claims)) + Buffer.byteLength(login.accessToken) > MAX_CLAIMS_BYTES) {
    return fail(deps, res, 500, "AuthClaimsTooLarge");
  }
  startSession(deps, res, login, nonce.returnTo, cookies, cookiesSecure(host));
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
  if (rawNonce === undefined) return fail(first, res, 401, "AuthMissingAWSALBAuthNonce");
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
  secure: boolean,
): void {
  const session: Session = {
    sid: randomUUID(),
    claims: login.claims,
    accessToken: login.accessToken,
    exp: nowS() + deps.config.SessionTimeout,
  };
  const shards = splitShards(deps.sealer.seal(session, "session"));
  if (shards.length > MAX_SHARDS) return fail(deps, res, 500, "AuthClaimsTooLarge");
  const name = deps.config.SessionCookieName;
  const setCookies = shards.map((v, i) => setCookie(`${name}-${i}`, v, { secure, maxAge: deps.config.SessionTimeout }));
  // Shards left over from a larger earlier session would otherwise be joined onto this one.
  for (let i = shards.length; i < MAX_SHARDS; i++) if (cookies.has(`${name}-${i}`)) setCookies.push(expireCookie(`${name}-${i}`, secure));
  setCookies.push(expireCookie(NONCE_COOKIE, secure));
  deps.logger.info("login", { sub: typeof login.claims.sub === "string" ? login.claims.sub : "", shards: shards.length });
  res.setHeader("set-cookie", setCookies);
  res.writeHead(302, { location: safeReturnTo(returnTo), "cache-control": "no-cache, no-store", "content-length": 0 });
  res.end();
}
