// The package entry "alb-oidc-target": withAlbAuth for a Lambda behind an ALB, createAlbAuth for other shapes (middlewares, container targets' verifyHeaders).
import type { ALBEvent, ALBResult, Context } from "aws-lambda";
import { isMultiValue } from "./alb/event.js";
import { deliverResult } from "./alb/result.js";
import { buildApp, type App } from "./app.js";
import { AuthError, ConfigError } from "./errors.js";
import { isPlainObject } from "./guards.js";
import { failure, logRequest, requestIdOf, type AlbHandler } from "./handler.js";
import type { Logger } from "./log.js";
import { resolveConfig, type AlbAuthOptions } from "./options.js";
import type { AlbApp, Principal } from "./principal.js";

export { AuthError, ConfigError, type ErrorCode } from "./errors.js";
export type { AlbAuthOptions } from "./options.js";
export type { Logger as AlbAuthLogger, LogFields } from "./log.js";
export type { AlbApp, AlbAppRequest, AlbAppResult, MachinePrincipal, Principal, UserPrincipal } from "./principal.js";
export type { AlbHandler } from "./handler.js";

/** Has it the two methods the logger option calls? (console and Powertools' Logger have them.) */
function isLogger(value: unknown): value is Logger {
  return isPlainObject(value) && typeof value.info === "function" && typeof value.error === "function";
}

function build(options: AlbAuthOptions, app: AlbApp | undefined): App {
  const config = resolveConfig(options, options.env ?? process.env);
  const { logger, writeLog } = options;
  if (logger !== undefined) {
    if (!isLogger(logger)) throw new ConfigError("logger", "must have info(message, fields) and error(message, fields) methods");
    if (writeLog !== undefined)
      throw new ConfigError("logger", "must not be given with writeLog: the logger gets the fields of the line writeLog would get");
  }
  return buildApp(config, {
    ...(logger && { logger }),
    ...(writeLog && { writeLog }),
    // Without an app createAlbAuth never calls one: the placeholder only satisfies the flow's shape.
    app: app ?? (() => Promise.reject(new Error("createAlbAuth has no app"))),
    forbiddenPage: options.forbiddenPage ?? false,
  });
}

/**
 * Protects your Lambda function behind an ALB: verifies the ALB-signed `x-amzn-oidc-data` token
 * (or the bearer token on machine routes), authorizes, and calls `app` only for requests that
 * passed. Health checks and logout are answered without `app`; every failure is a well-formed ALB
 * result with a stable error code. Configuration (options over environment variables) is read
 * once, here: call it at module scope, so a mistake fails the cold start naming the setting.
 * @throws ConfigError naming the variable or option.
 * @example
 * import { withAlbAuth } from "alb-oidc-target";
 * export const handler = withAlbAuth(async ({ principal }) => ({
 *   statusCode: 200,
 *   headers: { "content-type": "text/plain" },
 *   body: `Hello ${principal.sub}`,
 * }));
 */
export function withAlbAuth(app: AlbApp, options: AlbAuthOptions = {}): AlbHandler {
  if (typeof app !== "function")
    throw new TypeError("withAlbAuth(app): app must be a function ({ event, context, principal }) => ALBResult");
  return build(options, app).handler;
}

/**
 * Where a request stands after createAlbAuth's check: go on with the principal, or send the answer.
 * @example const { principal, result } = await auth.check(event); if (result) return result;
 */
export type AlbAuthOutcome =
  { readonly principal: Principal; readonly result?: undefined } | { readonly principal?: undefined; readonly result: ALBResult };

/**
 * The verification machinery of withAlbAuth, for middlewares and other shapes.
 * @example const auth: AlbAuth = createAlbAuth(); const principal = await auth.authenticate(event);
 */
export interface AlbAuth {
  /**
   * Authenticates and authorizes an ALB event as withAlbAuth does (machine paths by bearer token,
   * the rest by the x-amzn-oidc-* headers); health check and logout are not special here.
   * @throws AuthError with `code` and `status`.
   */
  authenticate(event: ALBEvent): Promise<Principal>;
  /**
   * The whole flow before an app: a principal to go on with, or the ALB result to answer with
   * (health check, logout, any refusal; refusals are logged as withAlbAuth logs them).
   */
  check(event: ALBEvent, context?: Pick<Context, "awsRequestId">): Promise<AlbAuthOutcome>;
  /** The ALB result withAlbAuth answers for this error and event (an AuthError's status and code; anything else 500 internal_error). */
  errorResult(error: unknown, event: ALBEvent, context?: Pick<Context, "awsRequestId">): ALBResult;
  /**
   * For container targets (Express, Fastify, node:http behind an ALB instance or IP target group):
   * verifies the x-amzn-oidc-* headers (or, under a machine path prefix, `authorization`) of a
   * header map as Node gives it, and authorizes like `authenticate`. Pass `req.headersDistinct`
   * (every repeated header stays visible) or `req.headers` (where node joins a repeated
   * x-amzn-oidc-* header with ", ", taken here for several values, and keeps only the first
   * `authorization`). Always a promise: a repeated, case-colliding or malformed header it reads is
   * a rejected AuthError `ambiguous_header`; no map at all is a rejected TypeError.
   * @example const principal = await auth.verifyHeaders(req.headersDistinct, { path: req.path, method: req.method });
   */
  verifyHeaders(headers: HeaderMap, request?: { readonly path?: string; readonly method?: string }): Promise<Principal>;
  /** An app's result checked and delivered in the event's header mode, as withAlbAuth delivers it. @throws TypeError when malformed */
  deliver(result: unknown, event: ALBEvent): ALBResult;
}

/**
 * Request headers as Node's http module and most frameworks hold them.
 * @example const headers: HeaderMap = req.headers; // Express, Fastify, node:http
 */
export type HeaderMap = Readonly<Record<string, string | readonly string[] | undefined>>;

/** Names that only the ALB sets, each once: in `req.headers` node joins repeated ones with ", ". */
const OIDC_HEADER_PREFIX = "x-amzn-oidc-";

/**
 * The headers as the multi-value ALB event a Lambda target would get, read by the same header lookup:
 * names keep their case (two keys differing only in case are ambiguous there), lists stay lists (more
 * than one value is ambiguous), a string x-amzn-oidc-* value is split at commas back into the values
 * node joined, and a value that is neither a string nor a list stays as it is (malformed, so
 * ambiguous, if it is one the flow reads).
 * @throws TypeError when `headers` is not a header map or `request` not `{ path?, method? }` of strings.
 */
function eventFromHeaders(headers: unknown, request: unknown = {}): ALBEvent {
  if (!isPlainObject(headers)) {
    const got = headers === null ? "null" : Array.isArray(headers) ? "an array" : typeof headers;
    throw new TypeError(
      `verifyHeaders(headers): headers must be the request's header map (req.headersDistinct or req.headers), got ${got}`,
    );
  }
  const shape = "verifyHeaders(headers, request): request must be { path?: string, method?: string }";
  if (!isPlainObject(request)) throw new TypeError(shape);
  const { path, method } = request;
  if ((path !== undefined && typeof path !== "string") || (method !== undefined && typeof method !== "string")) throw new TypeError(shape);
  // No prototype: a header named __proto__ is a key like any other.
  const multiValueHeaders = Object.create(null) as Record<string, unknown>;
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined) continue;
    if (typeof value === "string") multiValueHeaders[name] = name.toLowerCase().startsWith(OIDC_HEADER_PREFIX) ? value.split(",") : [value];
    else multiValueHeaders[name] = Array.isArray(value) ? [...(value as unknown[])] : value;
  }
  return {
    requestContext: { elb: { targetGroupArn: "" } },
    httpMethod: method ?? "GET",
    path: path ?? "/",
    multiValueHeaders: multiValueHeaders as ALBEvent["multiValueHeaders"],
    multiValueQueryStringParameters: {},
    body: "",
    isBase64Encoded: false,
  };
}

/**
 * Builds the machinery once (cold start) for use outside withAlbAuth: middlewares, routers, tests.
 * @throws ConfigError naming the variable or option.
 * @example
 * const auth = createAlbAuth();
 * export const handler = async (event: ALBEvent) => {
 *   try {
 *     const principal = await auth.authenticate(event);
 *     return { statusCode: 200, body: principal.sub };
 *   } catch (err) {
 *     return auth.errorResult(err, event);
 *   }
 * };
 */
export function createAlbAuth(options: AlbAuthOptions = {}): AlbAuth {
  const built = build(options, undefined);
  return {
    authenticate: (event) => built.authenticate(event),
    // async: a TypeError from a caller's mistake is a rejection too, never a synchronous throw.
    verifyHeaders: async (headers, request) => built.authenticate(eventFromHeaders(headers, request)),
    async check(event, context) {
      const started = performance.now();
      const requestId = requestIdOf(context);
      const outcome = await built.decide(event, requestId);
      if (outcome.kind === "principal") return { principal: outcome.principal };
      const { result, route, code, reason } = outcome;
      logRequest(built.logger, event, { requestId, route, status: result.statusCode, code, reason, started });
      return { result };
    },
    errorResult(error, event, context) {
      const requestId = requestIdOf(context);
      const { result, code, reason } = failure(error, isMultiValue(event), requestId);
      // Anything but an AuthError is a bug: logged (500) as withAlbAuth logs one.
      if (!(error instanceof AuthError))
        logRequest(built.logger, event, { requestId, route: undefined, status: 500, code, reason, started: performance.now() });
      return result;
    },
    deliver: (result, event) => deliverResult(result, isMultiValue(event)),
  };
}
