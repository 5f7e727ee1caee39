// The load balancer's own error answers (400/401/413/500/502/561), each with one sentence on the usual cause and the fix.
import type { ServerResponse } from "node:http";
import { escapeHtml } from "../oidc/pages.js";

/** The reason phrases the ALB uses; 561 is its own. */
const REASONS: Readonly<Record<number, string>> = {
  401: "Authorization Required",
  413: "Request Entity Too Large",
  500: "Internal Server Error",
  502: "Bad Gateway",
  504: "Gateway Timeout",
  561: "Authentication Error",
};

/** Stable names for each failure, shown on the page and in the emulator's log (like the ALB's error_reason). */
export type AlbErrorReason =
  | "AuthIdPClientRequestError"
  | "AuthMissingAWSALBAuthNonce"
  | "AuthInvalidAWSALBAuthNonce"
  | "AuthMissingCodeParam"
  | "AuthUnauthenticatedRequest"
  | "AuthInvalidIdToken"
  | "AuthTokenEpRequestFailed"
  | "AuthInvalidTokenResponse"
  | "AuthClaimsTooLarge"
  | "AuthMissingJwt"
  | "AuthInvalidJwt"
  | "AuthJwksUnavailable"
  | "LambdaInvalidResponse"
  | "LambdaResponseTooLarge"
  | "LambdaUnhandled"
  | "LambdaInitError"
  | "TargetConnectionError"
  | "TargetTimeout"
  | "RequestTooLarge";

/** One sentence each: what usually causes it and how to fix it. */
const HINTS: Readonly<Record<AlbErrorReason, string>> = {
  AuthIdPClientRequestError:
    "The identity provider sent an error back to /oauth2/idpresponse, usually a Scope it does not accept (LINE wants exactly `profile openid`): fix Scope and try again.",
  AuthMissingAWSALBAuthNonce:
    "The AWSALBAuthNonce cookie did not come back with the callback, usually because cookies are blocked or the login was started on another host name: allow cookies and use one host name.",
  AuthInvalidAWSALBAuthNonce:
    "The state sent back by the identity provider does not match this browser's login, usually a stale or second login tab: close other login tabs and start again from the application URL.",
  AuthMissingCodeParam:
    "The identity provider came back without an authorization code: check that it is set up for the authorization code flow.",
  AuthUnauthenticatedRequest:
    "This rule answers unauthenticated requests with 401 (OnUnauthenticatedRequest is deny): log in through a route that authenticates, or use authenticate.",
  AuthInvalidIdToken:
    "The code exchange or the ID token check failed, usually a wrong Issuer (LINE's is https://access.line.me, not .../oauth2/v2.1) or a wrong ClientSecret: copy both from the provider's discovery document and console.",
  AuthTokenEpRequestFailed:
    "The identity provider's token or userinfo endpoint could not be reached: check TokenEndpoint and UserInfoEndpoint and that the provider is up.",
  AuthInvalidTokenResponse:
    "The token endpoint answered without an ID token, usually because Scope does not ask for one: add openid (Cognito's aws.cognito.signin.user.admin alone yields none).",
  AuthClaimsTooLarge:
    "The user's claims plus the access token exceed 11 KB, which the load balancer refuses: request fewer scopes or trim the claims at the provider.",
  AuthMissingJwt:
    "This path is behind a jwt-validation rule and the request carried no bearer token: send `Authorization: Bearer <access token>` (locally: npm run token).",
  AuthInvalidJwt:
    "The bearer token failed the jwt-validation rule (signature via the JWKS, RS256, iss, exp, nbf, iat or an additional claim): get a fresh token from the configured Issuer with the claims the rule asks for.",
  AuthJwksUnavailable:
    "The jwt-validation rule could not use the JWKS endpoint (unreachable, not 200 JSON, over 150 KB or over 10 keys): check JwksEndpoint and that the provider is up.",
  LambdaInvalidResponse:
    "The function returned something that is not a valid ALB Lambda result: statusCode an integer, every header value a string (an array of strings in multi-value mode), body a string or left out, never null.",
  LambdaResponseTooLarge:
    "The function's result is over 1 MB as JSON, which the load balancer refuses: send less, or serve large files from S3.",
  LambdaUnhandled:
    "The function threw, or did not settle within its timeout, instead of returning a result: see the emulator's console for the error, or raise the timeout (--timeout, or the function's Timeout).",
  LambdaInitError:
    "The handler module could not be loaded (it threw at module scope, or the export is not a function): see the emulator's console for the cause, fix it and restart.",
  TargetConnectionError:
    "The upstream HTTP server refused the connection or closed it without an answer: check that it runs on the --upstream address.",
  TargetTimeout: "The upstream HTTP server did not answer within the idle timeout: see why it hangs, or raise --upstream-timeout.",
  RequestTooLarge: "The request body exceeds the 1 MB a Lambda target accepts: send a smaller body.",
};

/** Writes the error page (the ALB's pages are HTML too) and returns the reason for logging. */
export function sendAlbError(
  res: ServerResponse,
  status: 401 | 413 | 500 | 502 | 504 | 561,
  reason: AlbErrorReason,
  detail?: string,
  setCookies: readonly string[] = [],
): void {
  const phrase = REASONS[status] ?? "Error";
  const extra = detail ? `<p><code>${escapeHtml(detail)}</code></p>` : "";
  const body = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${status} ${phrase}</title></head>
<body><h1>${status} ${phrase}</h1><p>${escapeHtml(reason)}</p>${extra}<p class="hint">${escapeHtml(HINTS[reason])}</p>
<p><small>alb-oidc-target local ALB emulator</small></p></body></html>`;
  res.statusMessage = phrase;
  if (setCookies.length > 0) res.setHeader("set-cookie", [...setCookies]);
  res.writeHead(status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", "x-alb-emulator-error": reason });
  res.end(body);
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
