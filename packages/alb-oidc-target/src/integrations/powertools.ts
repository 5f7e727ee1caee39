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

/** A proxy result as the Router's middleware may return it. */
interface RouterResult {
  statusCode: number;
  statusDescription?: string;
  isBase64Encoded?: boolean;
  headers: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  body: string | null;
}

/**
 * Our ALB result in the shape the Router converts itself (a proxy result, not a web Response): it
 * appends each value of `multiValueHeaders`, where a returned Response has its headers copied with
 * `set`, which keeps only the last `Set-Cookie` (logout expires several session cookie shards). A
 * header with one value goes in `headers`, which the Router sets over its default content type
 * (appended, it would read "application/json, application/json").
 */
function toRouterResult(result: ALBResult): RouterResult {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(result.headers ?? {})) headers[k] = String(v);
  const lists: Record<string, string[]> = {};
  for (const [k, values] of Object.entries(result.multiValueHeaders ?? {})) {
    if (values.length === 1) headers[k] = String(values[0]);
    else if (values.length > 1) lists[k] = values.map(String);
  }
  // No body for an empty one: the Router would give a 204 or 304 a body, which a Response refuses.
  const out: RouterResult = { statusCode: result.statusCode, headers, body: result.body === "" ? null : (result.body ?? null) };
  if (result.statusDescription !== undefined) out.statusDescription = result.statusDescription;
  if (result.isBase64Encoded !== undefined) out.isBase64Encoded = result.isBase64Encoded;
  if (Object.keys(lists).length > 0) out.multiValueHeaders = lists;
  return out;
}

/**
 * Authenticates before your routes: on success the principal is in the request store of the
 * Router's request context (`reqCtx.get("principal")`); a refusal, the health check and logout
 * are answered with our ALB result and your route is not called. Build it at module scope. The
 * options are createAlbAuth's; with `logger` (Powertools' `Logger`, say) the request lines go to your logger.
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
    if (outcome.result) return toRouterResult(outcome.result);
    reqCtx.set("principal", outcome.principal);
    await next();
    return undefined;
  };
}
