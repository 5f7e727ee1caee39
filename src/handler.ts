// The request flow: read the ALB event -> route -> authenticate -> authorize -> the app -> respond. Never throws: a thrown error is a bare 502 at the ALB.
import type { ALBEvent, ALBResult, Context } from "aws-lambda";
import { isMultiValue, prefersHtml, readHeader, readHeaderList, requestLine, type HeaderValue } from "./alb/event.js";
import { deliverToRuntime, jsonResult } from "./alb/result.js";
import type { AlbClaims, AlbTokenVerifier } from "./auth/alb-token.js";
import type { UserPolicy } from "./auth/authorize.js";
import { bearerToken, type MachineTokenVerifier } from "./auth/machine-token.js";
import { AuthError, InsufficientScopeError } from "./errors.js";
import { scrubTokens, type Logger } from "./log.js";
import { forbiddenPage } from "./pages.js";
import type { AlbApp, MachinePrincipal, Principal, UserPrincipal } from "./principal.js";
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

/** Where a request stands before the app: a principal to hand on, or an answer already made (health, logout, a refusal). */
export type Outcome =
  | { readonly kind: "principal"; readonly principal: Principal; readonly route: "user" | "machine" }
  | {
      readonly kind: "answer";
      readonly result: ALBResult;
      readonly route: Route["kind"] | undefined;
      readonly code?: string;
      readonly reason?: string;
    };

/** Retry-After for 503s: long enough for a flapping endpoint, short enough for a person. */
const RETRY_AFTER_S = "5";

const OIDC_HEADERS = ["x-amzn-oidc-data", "x-amzn-oidc-identity", "x-amzn-oidc-accesstoken"] as const;
const ABSENT: HeaderValue = { kind: "absent" };

/** Reads the three x-amzn-oidc-* headers and verifies them, then authorizes (when there is a policy); returns the user. */
async function authenticateUser(event: unknown, tokens: AlbTokenVerifier, policy: UserPolicy | undefined): Promise<UserPrincipal> {
  // By index, not destructured: array destructuring runs the iterator protocol on every request.
  const found = readHeaderList(event, OIDC_HEADERS);
  const data = found[0] ?? ABSENT;
  const identity = found[1] ?? ABSENT;
  const access = found[2] ?? ABSENT;
  if (data.kind === "ambiguous" || identity.kind === "ambiguous" || access.kind === "ambiguous") {
    throw new AuthError("ambiguous_header", "an x-amzn-oidc-* header appears more than once or is malformed");
  }
  if (data.kind === "absent" || data.value === "") throw new AuthError("missing_token", "no x-amzn-oidc-data header");
  const claims: AlbClaims = await tokens.verify(data.value);
  const sub = claims.sub;
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
  const { principal, claims } = await tokens.verify(bearerToken(authorization.value));
  return { ...principal, claims };
}

/**
 * Authenticates (and for users authorizes) as the path demands. @throws AuthError (as a rejection)
 * Not async itself: both branches return their own promise, one layer fewer on every request.
 */
function authenticateFor(route: Route, event: unknown, deps: Omit<HandlerDeps, "app">): Promise<Principal> {
  if (route.kind === "machine") return authenticateMachine(event, route.tokens);
  if (route.kind === "ambiguous") return Promise.reject(new AuthError("ambiguous_path", route.reason));
  return authenticateUser(event, deps.userTokens, deps.userPolicy);
}

/**
 * Authenticates and authorizes one event by its path (machine prefixes, else user), ignoring the
 * health check and logout paths: createAlbAuth's `authenticate`.
 * @throws AuthError with a stable code.
 */
export function authenticate(event: unknown, deps: Omit<HandlerDeps, "app">): Promise<Principal> {
  const machine = deps.routes?.machine;
  return authenticateFor(routeOf(event, machine ? { machine } : {}), event, deps);
}

/**
 * Routes, authenticates and authorizes one event: the part of the flow before the app, shared by
 * the Lambda handler and by createAlbAuth's middlewares. Never throws.
 */
export async function decide(event: unknown, deps: Omit<HandlerDeps, "app">, requestId: string): Promise<Outcome> {
  return decideIn(event, deps, requestId, isMultiValue(event));
}

/** decide, for a caller that knows the event's header mode already (the handler). */
async function decideIn(event: unknown, deps: Omit<HandlerDeps, "app">, requestId: string, multiValue: boolean): Promise<Outcome> {
  let route: Route["kind"] | undefined;
  try {
    const chosen = routeOf(event, deps.routes ?? {});
    route = chosen.kind;
    switch (chosen.kind) {
      case "health":
        return { kind: "answer", route, result: jsonResult(200, { status: "ok" }, undefined, multiValue) };
      case "logout":
        return { kind: "answer", route, result: chosen.respond(multiValue) };
      case "ambiguous": {
        // A 400 the app never sees; no challenge: no token would make this path acceptable.
        const { code, status, reason } = new AuthError("ambiguous_path", chosen.reason);
        return {
          kind: "answer",
          route,
          code,
          reason,
          result: jsonResult(status, { message: "Bad Request", error: code }, undefined, multiValue),
        };
      }
      case "machine":
      case "user":
        return { kind: "principal", route: chosen.kind, principal: await authenticateFor(chosen, event, deps) };
    }
  } catch (err) {
    const refusal = failure(err, multiValue, requestId);
    const logoutPath = deps.forbiddenPageLogoutPath;
    if (logoutPath !== undefined && refusal.result.statusCode === 403 && prefersHtml(event)) {
      return { kind: "answer", route, ...refusal, result: forbiddenPage(logoutPath, multiValue) };
    }
    return { kind: "answer", route, ...refusal };
  }
}

function challenge(err: AuthError): string {
  if (err.code === "missing_token") return "Bearer";
  if (err.code === "ambiguous_header") return 'Bearer error="invalid_request"';
  return 'Bearer error="invalid_token"';
}

interface Failure {
  readonly result: ALBResult;
  readonly code: string;
  readonly reason: string;
}

/** The one place an error becomes a response. */
export function failure(err: unknown, multiValue: boolean, requestId: string): Failure {
  if (err instanceof AuthError) {
    if (err.status === 503) {
      return {
        result: jsonResult(503, { error: err.code }, { "retry-after": RETRY_AFTER_S }, multiValue),
        code: err.code,
        reason: err.reason,
      };
    }
    if (err.status === 401) {
      const body = { message: "Token verification failed", error: err.code };
      return { result: jsonResult(401, body, { "www-authenticate": challenge(err) }, multiValue), code: err.code, reason: err.reason };
    }
    const headers: Record<string, string> =
      err instanceof InsufficientScopeError
        ? { "www-authenticate": `Bearer error="insufficient_scope", scope="${err.requiredScopes.join(" ")}"` }
        : {};
    return {
      result: jsonResult(err.status, { message: "Forbidden", error: err.code }, headers, multiValue),
      code: err.code,
      reason: err.reason,
    };
  }
  const reason = scrubTokens(err instanceof Error ? `${err.name}: ${err.message}` : "non-Error thrown").slice(0, 500);
  const body = { message: "Internal Server Error", error: "internal_error", requestId };
  return { result: jsonResult(500, body, undefined, multiValue), code: "internal_error", reason };
}

/** Answered if even building a response failed: a 500 still beats the ALB's bare 502. */
function lastResort(multiValue: boolean): ALBResult {
  const status = { statusCode: 500, statusDescription: "500 Internal Server Error", isBase64Encoded: false };
  const body = '{"message":"Internal Server Error","error":"internal_error"}';
  return multiValue
    ? { ...status, multiValueHeaders: { "content-type": ["application/json"], "cache-control": ["no-store"] }, body }
    : { ...status, headers: { "content-type": "application/json", "cache-control": "no-store" }, body };
}

/** The request line and timing of a log line. */
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
  const durationMs = Math.round((performance.now() - fields.started) * 1000) / 1000;
  const level = fields.status >= 500 && fields.status !== 503 ? "error" : "info";
  const { requestId, route, status, code: error, reason } = fields;
  logger.request(level, { requestId, method, path, route, status, error, reason, durationMs });
}

/** A context for an app when the caller passed none (local tools, tests): only awsRequestId is read by us. */
function contextFor(context: Pick<Context, "awsRequestId"> | undefined, requestId: string): Context {
  return (context ?? { awsRequestId: requestId }) as Context;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  if (typeof value !== "function" && (typeof value !== "object" || value === null)) return false;
  return typeof (value as { then?: unknown }).then === "function";
}

/**
 * Creates the Lambda handler. Build it once per cold start; it answers every event,
 * however malformed, with a well-formed ALB result, and calls the app only for requests that passed.
 */
export function createHandler(deps: HandlerDeps): AlbHandler {
  return async function handler(event, context) {
    const started = performance.now();
    const requestId = typeof context?.awsRequestId === "string" ? context.awsRequestId : "";
    let multiValue = false;
    try {
      multiValue = isMultiValue(event);
      const outcome = await decideIn(event, deps, requestId, multiValue);
      let res: ALBResult;
      let code: string | undefined;
      let reason: string | undefined;
      if (outcome.kind === "answer") ({ result: res, code, reason } = outcome);
      else {
        try {
          const returned = deps.app({ event, context: contextFor(context, requestId), principal: outcome.principal });
          // Awaited only when it is a promise (or thenable): a plain result is delivered without a trip through the microtask queue.
          res = deliverToRuntime(isThenable(returned) ? await returned : returned, multiValue);
        } catch (err) {
          ({ result: res, code, reason } = failure(err, multiValue, requestId));
        }
      }
      logRequest(deps.logger, event, { requestId, route: outcome.route, status: res.statusCode, code, reason, started });
      return res;
    } catch {
      return lastResort(multiValue);
    }
  };
}
