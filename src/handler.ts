// The request flow: read the ALB event -> route -> authenticate -> authorize -> respond. Never throws: a thrown error is a bare 502 at the ALB.
import type { ALBEvent, ALBResult, Context } from "aws-lambda";
import { isMultiValue, readHeader, readHeaders, requestLine } from "./alb/event.js";
import { jsonResult } from "./alb/result.js";
import type { AlbClaims, AlbTokenVerifier } from "./auth/alb-token.js";
import type { UserPolicy } from "./auth/authorize.js";
import { bearerToken, type MachineTokenVerifier, type VerifiedMachine } from "./auth/machine-token.js";
import { AuthError, InsufficientScopeError } from "./errors.js";
import { scrubTokens, type Logger } from "./log.js";
import { routeOf, type Route, type RouteTable } from "./routes/route.js";

export interface HandlerDeps {
  readonly userTokens: AlbTokenVerifier;
  readonly logger: Logger;
  /** Health check, logout and machine paths; absent: every request is a user request. */
  readonly routes?: RouteTable;
  /** Authorization of authenticated users (ALLOWED_EMAIL_DOMAINS, REQUIRED_USER_CLAIMS); absent: every verified user. */
  readonly userPolicy?: UserPolicy;
}

export type AlbHandler = (event: ALBEvent, context?: Pick<Context, "awsRequestId">) => Promise<ALBResult>;

/** Retry-After for 503s: long enough for a flapping endpoint, short enough for a person. */
const RETRY_AFTER_S = "5";

const OIDC_HEADERS = ["x-amzn-oidc-data", "x-amzn-oidc-identity", "x-amzn-oidc-accesstoken"] as const;

/** Reads the three x-amzn-oidc-* headers and verifies them; returns the verified claims. */
async function authenticateUser(event: unknown, tokens: AlbTokenVerifier): Promise<AlbClaims & { sub: string }> {
  const {
    "x-amzn-oidc-data": data,
    "x-amzn-oidc-identity": identity,
    "x-amzn-oidc-accesstoken": access,
  } = readHeaders(event, OIDC_HEADERS);
  if (data.kind === "ambiguous" || identity.kind === "ambiguous" || access.kind === "ambiguous") {
    throw new AuthError("ambiguous_header", "an x-amzn-oidc-* header appears more than once or is malformed");
  }
  if (data.kind === "absent" || data.value === "") throw new AuthError("missing_token", "no x-amzn-oidc-data header");
  const claims = await tokens.verify(data.value);
  const sub = claims.sub;
  if (typeof sub !== "string" || sub === "") throw new AuthError("identity_mismatch", "verified claims have no sub");
  if (identity.kind === "one" && identity.value !== sub) {
    throw new AuthError("identity_mismatch", "x-amzn-oidc-identity differs from the verified sub");
  }
  return claims as AlbClaims & { sub: string };
}

/** Reads `Authorization: Bearer` and verifies it; the x-amzn-oidc-* headers play no part on a machine route. */
async function authenticateMachine(event: unknown, tokens: MachineTokenVerifier): Promise<VerifiedMachine> {
  const authorization = readHeader(event, "authorization");
  if (authorization.kind === "ambiguous") {
    throw new AuthError("ambiguous_header", "the authorization header appears more than once or is malformed");
  }
  if (authorization.kind === "absent") throw new AuthError("missing_token", "no authorization header");
  return tokens.verify(bearerToken(authorization.value));
}

/** Authenticates and authorizes as the route demands, and builds the success response. */
async function respond(route: Route, event: unknown, deps: HandlerDeps, multiValue: boolean): Promise<ALBResult> {
  switch (route.kind) {
    case "health":
      return jsonResult(200, { status: "ok" }, undefined, multiValue);
    case "logout":
      return route.respond(multiValue);
    case "machine": {
      const { principal, claims } = await authenticateMachine(event, route.tokens);
      return jsonResult(200, { message: "Token is valid", principal, claims }, undefined, multiValue);
    }
    case "user": {
      const claims = await authenticateUser(event, deps.userTokens);
      deps.userPolicy?.(claims);
      return jsonResult(200, { message: "Token is valid", identity: claims.sub, claims }, undefined, multiValue);
    }
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
function failure(err: unknown, multiValue: boolean, requestId: string): Failure {
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

/**
 * Creates the Lambda handler. Build it once per cold start; it answers every event,
 * however malformed, with a well-formed ALB result.
 */
export function createHandler(deps: HandlerDeps): AlbHandler {
  return async function handler(event, context) {
    const started = performance.now();
    const requestId = typeof context?.awsRequestId === "string" ? context.awsRequestId : "";
    let multiValue = false;
    try {
      multiValue = isMultiValue(event);
      const { method, path } = requestLine(event);
      let res: ALBResult;
      let code: string | undefined;
      let reason: string | undefined;
      let route: Route["kind"] | undefined;
      try {
        const chosen = routeOf(event, deps.routes ?? {});
        route = chosen.kind;
        res = await respond(chosen, event, deps, multiValue);
      } catch (err) {
        ({ result: res, code, reason } = failure(err, multiValue, requestId));
      }
      const durationMs = Math.round((performance.now() - started) * 1000) / 1000;
      const level = res.statusCode >= 500 && res.statusCode !== 503 ? "error" : "info";
      deps.logger[level]("request", { requestId, method, path, route, status: res.statusCode, error: code, reason, durationMs });
      return res;
    } catch {
      return lastResort(multiValue);
    }
  };
}
