// The authenticate-oidc action: redirect to the IdP with a nonce cookie, and the /oauth2/idpresponse callback that sets the session cookie.
import { randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Configuration } from "openid-client";
import { LOOPBACK_HOSTS } from "../../../guards.js";
import type { Logger } from "../../../log.js";
import type { EmulatorConfig } from "../listener/config-file.js";
import { expireCookie, setCookie } from "./cookies.js";
import { sendAlbError, type AlbErrorReason } from "../error-page.js";
import { authorizationUrl, completeLogin, IdpError } from "./idp-client.js";
import { safeDetail } from "../safe-detail.js";
import { MAX_SHARDS, splitShards, type Sealer, type Session } from "./session.js";

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

/** The request's host as the browser used it: the ALB builds redirect_uri from it (the blog article's 400 when it is not registered). */
export function requestHost(req: IncomingMessage, fallbackPort: number): string {
  const host = req.headers.host;
  return host && /^[A-Za-z0-9.[\]:-]+$/.test(host) ? host : `localhost:${fallbackPort}`;
}

/** `Secure` except on plain-http loopback, where a browser could not send it back over http. */
function cookiesSecure(host: string): boolean {
  const hostname = host.replace(/:\d+$/, "");
  return !LOOPBACK_HOSTS.includes(hostname);
}

function nowS(): number {
  return Math.floor(Date.now() / 1000);
}

function fail(
  deps: AuthenticateDeps,
  res: ServerResponse,
  status: 401 | 500 | 561,
  reason: AlbErrorReason,
  detail?: string,
  cookies?: string[],
) {
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
  const q = new URLSearchParams(rawQuery);
  // Until the nonce says which action started the login, failures are logged with the first one's.
  const first = depsFor(0);
  if (!first) throw new Error("the listener has no authenticate-oidc action");
  let deps: AuthenticateDeps = first;
  const idpError = q.get("error");
  if (idpError !== null) {
    const description = q.get("error_description");
    fail(deps, res, 401, "AuthIdPClientRequestError", description ? `${idpError}: ${description}` : idpError);
    return;
  }
  const rawNonce = cookies.get(NONCE_COOKIE);
  if (rawNonce === undefined) return fail(deps, res, 401, "AuthMissingAWSALBAuthNonce");
  const nonce = readNonce(deps.sealer, rawNonce);
  const state = q.get("state");
  if (!nonce || state !== nonce.state) return fail(deps, res, 401, "AuthInvalidAWSALBAuthNonce");
  const started = depsFor(nonce.rule);
  if (!started) return fail(deps, res, 401, "AuthInvalidAWSALBAuthNonce");
  deps = started;
  const code = q.get("code");
  if (!code) return fail(deps, res, 401, "AuthMissingCodeParam");

  const secure = cookiesSecure(host);
  let login;
  try {
    login = await completeLogin(deps.idp, `http://${host}${CALLBACK_PATH}`, code, state);
  } catch (err) {
    if (!(err instanceof IdpError)) throw err;
    return fail(deps, res, err.status, err.status === 500 ? "AuthTokenEpRequestFailed" : "AuthInvalidIdToken", err.message);
  }
  if (Buffer.byteLength(JSON.stringify(login.claims)) + Buffer.byteLength(login.accessToken) > MAX_CLAIMS_BYTES) {
    return fail(deps, res, 500, "AuthClaimsTooLarge");
  }
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
  res.writeHead(302, { location: safeReturnTo(nonce.returnTo), "cache-control": "no-cache, no-store", "content-length": 0 });
  res.end();
}
