// The request flow: read the ALB event -> route -> authenticate -> authorize -> the app -> respond. Never throws: a thrown error is a bare 502 at the ALB.
import type { ALBEvent, ALBResult, Context } from "aws-lambda";
import { headerValues, isMultiValue, prefersHtml, readHeader, requestLine } from "./alb/event.js";
import { deliverResult, jsonResult } from "./alb/result.js";
import type { AlbTokenVerifier } from "./auth/alb-token.js";
import type { UserPolicy } from "./auth/authorize.js";
import { bearerToken } from "./auth/bearer.js";
import type { MachineTokenVerifier } from "./auth/machine-token.js";
import { AuthError, InsufficientScopeError } from "./errors.js";
import { scrubTokens, type Logger } from "./log.js";
import { forbiddenPage } from "./pages.js";
import type { AlbApp, AlbAppRequest, MachinePrincipal, Principal, UserPrincipal } from "./principal.js";
import { routeOf, type Route, type RouteTable } from "./routes/route.js";

export interface HandlerDeps {
  readonly userTokens: AlbTokenVerifier;
  readonly logger: Logger;
  /** Health check, logout and machine paths; absent: every request is a user request. */
  readonly routes?: RouteTable;
  /** Authorization of authenticated users (ALLOWED_EMAIL_DOMAINS, REQUIRED_USER_CLAIMS); absent: every verified user. */
  readonly userPolicy?: UserPolicy;
  /** Called with the principal once authentication and authorization passed; its result is delivered in the event's header mode. */
  readonly app: AlbApp;
  /** Answer a browser's 403 (accept: text/html first) with a page linking to this logout path; absent: JSON for everyone. */
  readonly forbiddenPageLogoutPath?: string;
}

/**
 * A Lambda handler for ALB events, as withAlbAuth returns it: it answers every event with a well-formed ALB result.
 * @example const handler: AlbHandler = withAlbAuth(app); const res = await handler(event, context);
 */
export type AlbHandler = (event: ALBEvent, context?: Pick<Context, "awsRequestId">) => Promise<ALBResult>;

/** A response and, for a refusal or an error, its code and the reason the log gets. */
interface Answer {
  readonly result: ALBResult;
  readonly code?: string | undefined;
  readonly reason?: string | undefined;
}

/** Where a request stands before the app: a principal to hand on, or an answer already made (health, logout, a refusal). */
export type Outcome =
  | { readonly kind: "principal"; readonly principal: Principal; readonly route: Route["kind"] }
  | (Answer & { readonly kind: "answer"; readonly route: Route["kind"] | undefined });

/** Retry-After for 503s: long enough for a flapping endpoint, short enough for a person. */
const RETRY_AFTER_S = "5";

/** Reads the three x-amzn-oidc-* headers and verifies them, then authorizes (when there is a policy); returns the user. */
async function authenticateUser(event: unknown, tokens: AlbTokenVerifier, policy: UserPolicy | undefined): Promise<UserPrincipal> {
  const data = readHeader(event, "x-amzn-oidc-data");
  const identity = readHeader(event, "x-amzn-oidc-identity");
  const access = readHeader(event, "x-amzn-oidc-accesstoken");
  if (data.kind === "ambiguous" || identity.kind === "ambiguous" || access.kind === "ambiguous") {
    throw new AuthError("ambiguous_header", "an x-amzn-oidc-* header appears more than once or is malformed");
  }
  if (data.kind === "absent" || data.value === "") throw new AuthError("missing_token", "no x-amzn-oidc-data header");
  const claims = await tokens.verify(data.value);
  const { sub } = claims;
  if (typeof sub !== "string" || sub === "") throw new AuthError("identity_mismatch", "verified claims have no sub");
  if (identity.kind === "one" && identity.value !== sub) {
    throw new AuthError("identity_mismatch", "x-amzn-oidc-identity differs from the verified sub");
  }
  policy?.(claims);
  return { type: "user", sub, claims, accessToken: access.kind === "one" ? access.value : null };
}

/** Reads `Authorization: Bearer` and verifies it; the x-amzn-oidc-* headers play no part on a machine route. */
async function authenticateMachine(event: unknown, tokens: MachineTokenVerifier): Promise<MachinePrincipal> {
  const authorization = readHeader(event, "authorization");
  if (authorization.kind === "ambiguous") {
    throw new AuthError("ambiguous_header", "the authorization header appears more than once or is malformed");
  }
  if (authorization.kind === "absent") throw new AuthError("missing_token", "no authorization header");
  return tokens.verify(bearerToken(authorization.value));
}

/** Authenticates (and for users authorizes) as the route demands; an ambiguous path is a 400 the app never sees. @throws AuthError */
async function authenticateOn(route: Route, event: unknown, deps: Omit<HandlerDeps, "app">): Promise<Principal> {
  if (route.kind === "machine") return authenticateMachine(event, route.tokens);
  if (route.kind === "ambiguous") throw new AuthError("ambiguous_path", route.reason);
  return authenticateUser(event, deps.userTokens, deps.userPolicy);
}

/**
 * Authenticates and authorizes one event by its path (machine prefixes, else user), ignoring the
 * health check and logout paths: createAlbAuth's `authenticate`.
 * @throws AuthError with a stable code.
 */
export async function authenticate(event: unknown, deps: Omit<HandlerDeps, "app">): Promise<Principal> {
  const machine = deps.routes?.machine;
  return authenticateOn(routeOf(event, machine ? { machine } : {}), event, deps);
}

/**
 * Routes, authenticates and authorizes one event: the part of the flow before the app, shared by
 * the Lambda handler and by createAlbAuth's middlewares. Never throws.
 */
export async function decide(event: unknown, deps: Omit<HandlerDeps, "app">, requestId: string): Promise<Outcome> {
  const multiValue = isMultiValue(event);
  let route: Route["kind"] | undefined;
  try {
    const chosen = routeOf(event, deps.routes ?? {});
    route = chosen.kind;
    if (chosen.kind === "health") return { kind: "answer", route, result: jsonResult(200, { status: "ok" }, undefined, multiValue) };
    if (chosen.kind === "logout") return { kind: "answer", route, result: chosen.respond(multiValue) };
    return { kind: "principal", route, principal: await authenticateOn(chosen, event, deps) };
  } catch (err) {
    const refusal = failure(err, multiValue, requestId);
    const logoutPath = deps.forbiddenPageLogoutPath;
    if (logoutPath !== undefined && refusal.result.statusCode === 403 && prefersHtml(event)) {
      return { kind: "answer", route, ...refusal, result: forbiddenPage(logoutPath, multiValue) };
    }
    return { kind: "answer", route, ...refusal };
  }
}

/** The one place an error becomes a response: an AuthError's status and code, anything else 500 internal_error. */
export function failure(err: unknown, multiValue: boolean, requestId: string): Answer & { readonly code: string; readonly reason: string } {
  if (!(err instanceof AuthError)) {
    // Raw: logRequest scrubs it, knowing the request's own secrets.
    const reason = err instanceof Error ? `${err.name}: ${err.message}` : "non-Error thrown";
    const body = { message: "Internal Server Error", error: "internal_error", requestId };
    return { result: jsonResult(500, body, undefined, multiValue), code: "internal_error", reason };
  }
  const { status, code, reason } = err;
  let headers: Record<string, string> = {};
  if (status === 503) headers = { "retry-after": RETRY_AFTER_S };
  else if (status === 401) headers = { "www-authenticate": challenge(code) };
  else if (err instanceof InsufficientScopeError) {
    headers = { "www-authenticate": `Bearer error="insufficient_scope", scope="${err.requiredScopes.join(" ")}"` };
  }
  // No challenge on a 400 (ambiguous_path): no token would make that path acceptable.
  const message = status === 401 ? "Token verification failed" : status === 400 ? "Bad Request" : "Forbidden";
  const body = status === 503 ? { error: code } : { message, error: code };
  return { result: jsonResult(status, body, headers, multiValue), code, reason };
}

/** The RFC 6750 challenge of a 401: no error attribute without credentials. */
function challenge(code: string): string {
  if (code === "missing_token") return "Bearer";
  if (code === "ambiguous_header") return 'Bearer error="invalid_request"';
  return 'Bearer error="invalid_token"';
}

/** Answered if even building a response failed: a 500 still beats the ALB's bare 502. */
function lastResort(multiValue: boolean): ALBResult {
  const status = { statusCode: 500, statusDescription: "500 Internal Server Error", isBase64Encoded: false };
  const body = '{"message":"Internal Server Error","error":"internal_error"}';
  return multiValue
    ? { ...status, multiValueHeaders: { "content-type": ["application/json"], "cache-control": ["no-store"] }, body }
    : { ...status, headers: { "content-type": "application/json", "cache-control": "no-store" }, body };
}

/** Longest reason logged: an error message is for a person, and a long one is most likely data. */
const MAX_REASON_CHARS = 500;
/** Headers whose values a logged reason must never repeat: the request's own tokens and cookies. */
const SECRET_HEADERS = ["x-amzn-oidc-accesstoken", "x-amzn-oidc-data", "authorization", "cookie"];
/** Shortest part of such a value (a cookie's value, the credentials after the scheme) removed on its own. */
const MIN_SECRET_PART_CHARS = 8;

/** The request's secrets: each secret header's value, and the parts of it an app is likelier to print. */
function secretsOf(event: unknown): string[] {
  const secrets: string[] = [];
  for (const name of SECRET_HEADERS) {
    for (const value of headerValues(event, name)) {
      secrets.push(value);
      const parts =
        name === "cookie"
          ? value.split(";").map((cookie) => cookie.slice(cookie.indexOf("=") + 1).trim())
          : [value.trim().replace(/^\S+\s+/, "")];
      secrets.push(...parts.filter((part) => part.length >= MIN_SECRET_PART_CHARS));
    }
  }
  return secrets;
}

/**
 * Logs the request line, at level error for a 500 (a bug) and info otherwise. A reason (from an app's
 * error, perhaps) is logged without anything shaped like a JWT and without the request's own tokens
 * and cookies, however they are written.
 */
export function logRequest(
  logger: Logger,
  event: unknown,
  fields: {
    requestId: string;
    route: string | undefined;
    status: number;
    code: string | undefined;
    reason: string | undefined;
    started: number;
  },
): void {
  const { method, path } = requestLine(event);
  const { requestId, route, status, code, started } = fields;
  const reason = fields.reason === undefined ? undefined : scrubTokens(fields.reason, secretsOf(event)).slice(0, MAX_REASON_CHARS);
  const durationMs = Math.round((performance.now() - started) * 1000) / 1000;
  const line = { requestId, method, path, route, status, error: code, reason, durationMs };
  if (status >= 500 && status !== 503) logger.error("request", line);
  else logger.info("request", line);
}

/** The request id we log: the Lambda context's, or "" when the caller passed none (local tools, tests). */
export function requestIdOf(context: Pick<Context, "awsRequestId"> | undefined): string {
  return typeof context?.awsRequestId === "string" ? context.awsRequestId : "";
}

/** The app's context: the caller's, or a minimal one when it passed none (local tools, tests); awsRequestId is the request id we log. */
function contextFor(context: Pick<Context, "awsRequestId"> | undefined, requestId: string): Context {
  return (context ?? { awsRequestId: requestId }) as Context;
}

/** The app's result, delivered in the event's mode; what it throws is answered as any error is. */
async function callApp(app: AlbApp, request: AlbAppRequest, multiValue: boolean, requestId: string): Promise<Answer> {
  try {
    return { result: deliverResult(await app(request), multiValue) };
  } catch (err) {
    return failure(err, multiValue, requestId);
  }
}

/**
 * Creates the Lambda handler. Build it once per cold start; it answers every event,
 * however malformed, with a well-formed ALB result, and calls the app only for requests that passed.
 */
export function createHandler(deps: HandlerDeps): AlbHandler {
  return async function handler(event, context) {
    const started = performance.now();
    const requestId = requestIdOf(context);
    let multiValue = false;
    try {
      multiValue = isMultiValue(event);
      const outcome = await decide(event, deps, requestId);
      const { result, code, reason } =
        outcome.kind === "answer"
          ? outcome
          : await callApp(
              deps.app,
              { event, context: contextFor(context, requestId), principal: outcome.principal },
              multiValue,
              requestId,
            );
      logRequest(deps.logger, event, { requestId, route: outcome.route, status: result.statusCode, code, reason, started });
      return result;
    } catch {
      return lastResort(multiValue);
    }
  };
}
