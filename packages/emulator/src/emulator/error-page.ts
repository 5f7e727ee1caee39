// The load balancer's own error answers (401/413/500/502/504/561): the ALB's status and access-log reason, with the emulator's explanation and what it compared.
import type { ServerResponse } from "node:http";
import { escapeHtml, styledPage } from "../oidc/pages.js";

/** The reason phrases the ALB uses; 561 is its own. */
const REASONS: Readonly<Record<number, string>> = {
  401: "Authorization Required",
  413: "Request Entity Too Large",
  500: "Internal Server Error",
  502: "Bad Gateway",
  504: "Gateway Timeout",
  561: "Authentication Error",
};

/** Each failure the emulator answers with an error page. Most are named as the ALB's access log names them. */
export type AlbErrorReason =
  | "AuthIdPClientRequestError"
  | "AuthMissingAWSALBAuthNonce"
  | "AuthInvalidAWSALBAuthNonce"
  | "AuthMissingCodeParam"
  | "AuthMissingStateParam"
  | "AuthUnauthenticatedRequest"
  | "AuthInvalidIdToken"
  | "AuthInvalidGrantError"
  | "AuthTokenEpRequestFailed"
  | "AuthTokenEpRequestTimeout"
  | "AuthInvalidTokenResponse"
  | "AuthUserinfoEpRequestFailed"
  | "AuthUserinfoEpRequestTimeout"
  | "AuthInvalidUserinfoResponse"
  | "AuthUserinfoResponseSizeExceeded"
  | "AuthMissingJwt"
  | "AuthInvalidJwt"
  | "AuthJwksUnavailable"
  | "LambdaInvalidResponse"
  | "LambdaResponseTooLarge"
  | "LambdaUnhandled"
  | "LambdaInitError"
  | "LambdaRequestTooLarge"
  | "TargetConnectionError"
  | "TargetTimeout"
  | "EmulatorError";

/**
 * What a failure shows: its name is the access log's `error_reason` where AWS documents one
 * (`aws: true`, load-balancer-access-logs.html "Error reason codes"), else the emulator's own name;
 * `reason` only where the ALB logs it under another name; `hint` is one sentence on the usual cause
 * and the fix (`code` in backticks is shown as code).
 */
export interface AlbErrorInfo {
  readonly reason?: AlbErrorReason;
  readonly aws: boolean;
  readonly hint: string;
}

/** The one map from each failure to what the page and the `x-alb-emulator-error` header say. */
export const ALB_ERRORS: Readonly<Record<AlbErrorReason, AlbErrorInfo>> = {
  AuthIdPClientRequestError: {
    aws: false,
    hint: "The identity provider sent an error back to /oauth2/idpresponse, usually a Scope it does not accept (LINE wants exactly `profile openid`): fix Scope and try again.",
  },
  AuthMissingAWSALBAuthNonce: {
    aws: true,
    hint: "The AWSALBAuthNonce cookie did not come back with the callback, usually because cookies are blocked or the login was started on another host name: allow cookies and use one host name.",
  },
  AuthInvalidAWSALBAuthNonce: {
    aws: true,
    hint: "The state sent back by the identity provider does not match this browser's login, usually a stale or second login tab: close other login tabs and start again from the application URL.",
  },
  AuthMissingCodeParam: {
    aws: true,
    hint: "The identity provider came back without an authorization code: check that it is set up for the authorization code flow.",
  },
  AuthMissingStateParam: {
    aws: true,
    hint: "The callback came back without the state the load balancer sent: check that the identity provider returns `state` unchanged, and start again from the application URL.",
  },
  AuthUnauthenticatedRequest: {
    aws: false,
    hint: "This rule answers unauthenticated requests with 401 (OnUnauthenticatedRequest is `deny`): log in through a route that authenticates, or use `authenticate`.",
  },
  AuthInvalidIdToken: {
    aws: true,
    hint: "The ID token failed a check, usually a wrong Issuer (LINE's is `https://access.line.me`, not `https://access.line.me/oauth2/v2.1`) or a ClientId that is not the token's audience: copy both from the provider's discovery document and console.",
  },
  AuthInvalidGrantError: {
    aws: true,
    hint: "The token endpoint refused the authorization code (invalid_grant), usually a code used twice (a reloaded callback) or expired: start again from the application URL.",
  },
  AuthTokenEpRequestFailed: {
    aws: true,
    hint: "The token endpoint answered with an error, usually a wrong ClientSecret or ClientId (invalid_client): copy both again from the provider's console.",
  },
  AuthTokenEpRequestTimeout: {
    aws: true,
    hint: "The token endpoint could not be reached or did not answer within 5 seconds: check TokenEndpoint and that the provider is up.",
  },
  AuthInvalidTokenResponse: {
    aws: true,
    hint: "The token endpoint answered without an ID token, usually because Scope does not ask for one: add `openid` (Cognito's `aws.cognito.signin.user.admin` alone yields none).",
  },
  AuthUserinfoEpRequestFailed: {
    aws: true,
    hint: "The userinfo endpoint answered with an error, usually because it does not accept the access token (a UserInfoEndpoint of another provider): check UserInfoEndpoint.",
  },
  AuthUserinfoEpRequestTimeout: {
    aws: true,
    hint: "The userinfo endpoint could not be reached or did not answer within 5 seconds: check UserInfoEndpoint and that the provider is up.",
  },
  AuthInvalidUserinfoResponse: {
    aws: true,
    hint: "The userinfo endpoint's answer is not the user's claims as JSON with the ID token's `sub`: check that UserInfoEndpoint is the provider's userinfo endpoint.",
  },
  AuthUserinfoResponseSizeExceeded: {
    aws: true,
    hint: "The user's claims plus the access token exceed 11 KB, which the load balancer refuses: request fewer scopes or trim the claims at the provider.",
  },
  AuthMissingJwt: {
    aws: false,
    hint: "This path is behind a jwt-validation rule and the request carried no bearer token: send `Authorization: Bearer <access token>` (locally: `npm run token`).",
  },
  AuthInvalidJwt: {
    aws: false,
    hint: "The bearer token failed the jwt-validation rule (signature via the JWKS, RS256, iss, exp, nbf, iat or an additional claim): get a fresh token from the configured Issuer with the claims the rule asks for.",
  },
  AuthJwksUnavailable: {
    aws: false,
    hint: "The jwt-validation rule could not use the JWKS endpoint (unreachable, not 200 JSON, over 150 KB or over 10 keys): check JwksEndpoint and that the provider is up.",
  },
  LambdaInvalidResponse: {
    aws: true,
    hint: "The function returned something that is not a valid ALB Lambda result: statusCode an integer, every header value a string (an array of strings in multi-value mode), body a string or left out, never null.",
  },
  LambdaResponseTooLarge: {
    aws: true,
    hint: "The function's result is over 1 MB as JSON, which the load balancer refuses: send less, or serve large files from S3.",
  },
  LambdaUnhandled: {
    aws: true,
    hint: "The function threw, or did not settle within its timeout, instead of returning a result: see the emulator's console for the error, or raise the timeout (`--timeout`, or the function's Timeout).",
  },
  // Lambda reports a failed initialisation as the invocation's unhandled error: the ALB's reason is the same.
  LambdaInitError: {
    reason: "LambdaUnhandled",
    aws: true,
    hint: "The handler module could not be loaded (it threw at module scope, or the export is not a function): see the emulator's console for the cause, fix it and restart.",
  },
  LambdaRequestTooLarge: {
    aws: true,
    hint: "The request body exceeds the 1 MB a Lambda target accepts: send a smaller body.",
  },
  TargetConnectionError: {
    aws: false,
    hint: "The upstream HTTP server refused the connection or closed it without an answer: check that it runs on the `--upstream` address.",
  },
  TargetTimeout: {
    aws: false,
    hint: "The upstream HTTP server did not answer within the idle timeout: see why it hangs, or raise `--upstream-timeout`.",
  },
  EmulatorError: {
    aws: false,
    hint: "The emulator itself failed on this request, not the function or the provider: see the emulator's console, and report it if it is a bug.",
  },
};

/** The name the page and the `x-alb-emulator-error` header give a failure. */
export function reasonOf(failure: AlbErrorReason): AlbErrorReason {
  return ALB_ERRORS[failure].reason ?? failure;
}

/** A value the load balancer checked and what it got instead (issuer, audience, ...): never a token, code, cookie or secret. */
export interface Compared {
  readonly what: string;
  readonly expected: string;
  readonly received: string;
}

/** The hint's `code` spans as <code>, the rest escaped: no markdown reaches the page. */
function hintHtml(hint: string): string {
  return hint
    .split("`")
    .map((part, i) => (i % 2 === 1 ? `<code>${escapeHtml(part)}</code>` : escapeHtml(part)))
    .join("");
}

function comparedHtml(compared: readonly Compared[]): string {
  if (compared.length === 0) return "";
  const rows = compared.map(
    (c) =>
      `<tr><th>${escapeHtml(c.what)}</th><td>expected <code>${escapeHtml(c.expected)}</code></td><td>received <code>${escapeHtml(c.received)}</code></td></tr>`,
  );
  return `<table>${rows.join("")}</table>`;
}

/** The error page: status line, the reason (and whose name it is), what was compared, the detail, the hint. */
export function albErrorPage(status: number, failure: AlbErrorReason, detail?: string, compared: readonly Compared[] = []): string {
  const phrase = REASONS[status] ?? "Error";
  const { aws, hint } = ALB_ERRORS[failure];
  const reason = reasonOf(failure);
  const whose = aws
    ? "the <code>error_reason</code> a real ALB writes to its access log"
    : "the emulator's own name: AWS documents no <code>error_reason</code> for this";
  const extra = detail ? `<p class="error">${escapeHtml(detail)}</p>` : "";
  return styledPage(
    `${status} ${phrase}`,
    `<h1>${status} ${escapeHtml(phrase)}</h1>
<p><code>${escapeHtml(reason)}</code> <small>(${whose})</small></p>
${comparedHtml(compared)}${extra}<p class="hint">${hintHtml(hint)}</p>
<p><small>alb-oidc-target local ALB emulator</small></p>`,
  );
}

/**
 * Writes the error page (the ALB's pages are HTML too) with the ALB's status and the reason in `x-alb-emulator-error`.
 * @example sendAlbError(res, 561, "AuthInvalidIdToken", detail, [], [{ what: "issuer", expected, received }])
 */
export function sendAlbError(
  res: ServerResponse,
  status: 401 | 413 | 500 | 502 | 504 | 561,
  failure: AlbErrorReason,
  detail?: string,
  setCookies: readonly string[] = [],
  compared: readonly Compared[] = [],
): void {
  res.statusMessage = REASONS[status] ?? "Error";
  if (setCookies.length > 0) res.setHeader("set-cookie", [...setCookies]);
  res.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    "x-alb-emulator-error": reasonOf(failure),
  });
  res.end(albErrorPage(status, failure, detail, compared));
}

/** The statuses the load balancer answers with its own plain page, before any rule or target. */
export type PlainAlbStatus = 400 | 405 | 408 | 463;

/** Status lines of the plain pages; AWS names no phrase for 463, its own code. */
const PLAIN_PHRASES: Readonly<Record<PlainAlbStatus, string>> = {
  400: "Bad Request",
  405: "Method Not Allowed",
  408: "Request Timeout",
  463: "",
};

/** The page the ALB itself serves for an error (its 502 page, quoted in awslabs/aws-lambda-go-api-proxy#79, with another status). */
function plainPage(status: PlainAlbStatus): string {
  const title = `${status} ${PLAIN_PHRASES[status]}`.trim();
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`;
}

/**
 * Answers with the ALB's own plain error page (no explanation: the ALB gives none, the emulator's
 * console line says why) and closes the connection, as the ALB does after refusing a request.
 */
export function sendPlainAlbError(res: ServerResponse, status: PlainAlbStatus): void {
  const body = plainPage(status);
  res.shouldKeepAlive = false;
  res.writeHead(status, PLAIN_PHRASES[status], { "content-type": "text/html", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

/** The same page as raw HTTP, for a connection Node's parser gave up on (no ServerResponse exists then). */
export function plainAlbErrorResponse(status: PlainAlbStatus): string {
  const body = plainPage(status);
  return `HTTP/1.1 ${status} ${PLAIN_PHRASES[status]}\r\ncontent-type: text/html\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`;
}
