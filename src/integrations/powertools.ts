// The package entry "alb-oidc-target/powertools": a middleware for the HTTP Router of @aws-lambda-powertools/event-handler (ALB events) over createAlbAuth; an optional peer dependency.
import type { Middleware } from "@aws-lambda-powertools/event-handler/types";
import type { ALBEvent, ALBResult } from "aws-lambda";
import { createAlbAuth, type AlbAuthOptions, type Principal } from "../api.js";

/**
 * The Router's environment with the principal in its request store.
 * @example const app = new Router<AlbAuthEnv>(); app.get("/me", (reqCtx) => ({ sub: reqCtx.get("principal")?.sub }));
 */
export interface AlbAuthEnv {
  store: { request: { principal: Principal } };
}

/** Our ALB result as the web Response the Router short-circuits with (it converts it back for the ALB). */
function toResponse(result: ALBResult): Response {
  const headers = new Headers();
  for (const [k, v] of Object.entries(result.headers ?? {})) headers.append(k, String(v));
  for (const [k, values] of Object.entries(result.multiValueHeaders ?? {})) for (const v of values) headers.append(k, String(v));
  const body = result.statusCode === 204 || result.statusCode === 304 || result.body === "" ? null : (result.body ?? null);
  return new Response(body, { status: result.statusCode, headers });
}

/**
 * Authenticates before your routes: on success the principal is in the request store of the
 * Router's request context (`reqCtx.get("principal")`); a refusal, the health check and logout
 * are answered with our ALB result and your route is not called. Build it at module scope.
 * @throws ConfigError naming the variable or option.
 * @example
 * import { Router } from "@aws-lambda-powertools/event-handler/http";
 * import { albAuth, type AlbAuthEnv } from "alb-oidc-target/powertools";
 * const app = new Router<AlbAuthEnv>();
 * app.use(albAuth());
 * app.get("/me", (reqCtx) => ({ sub: reqCtx.get("principal").sub }));
 * export const handler = (event: ALBEvent, context: Context) => app.resolve(event, context);
 */
export function albAuth(options: AlbAuthOptions = {}): Middleware<AlbAuthEnv> {
  const auth = createAlbAuth(options);
  return async ({ reqCtx, next }) => {
    const outcome = await auth.check(reqCtx.event as ALBEvent, reqCtx.context);
    if (outcome.result) return toResponse(outcome.result);
    reqCtx.set("principal", outcome.principal);
    await next();
    return undefined;
  };
}
