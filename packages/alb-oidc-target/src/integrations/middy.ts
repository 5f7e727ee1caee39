// The package entry "alb-oidc-target/middy": a middy middleware over createAlbAuth; @middy/core is an optional peer dependency.
import type { MiddlewareObj } from "@middy/core";
import type { ALBEvent, ALBResult, Context } from "aws-lambda";
import { createAlbAuth, type AlbAuth, type AlbAuthOptions, type Principal } from "../api.js";

/**
 * The Lambda context your handler gets behind the middleware: the verified principal is on it.
 * @example middy<ALBEvent, ALBResult, Error, AlbAuthContext>().use(albAuth()).handler(async (_e, context) => ...context.principal.sub...)
 */
export type AlbAuthContext = Context & { principal: Principal };

/**
 * Authenticates before your handler: on success `context.principal` holds the principal (where
 * middy middlewares put what they add); a refusal, the health check and logout are answered
 * without calling your handler. Your result is delivered in the event's header mode, and an
 * error nothing else handled becomes our 500 `internal_error` with the request id. Build it at
 * module scope: configuration is read once, then. The options are createAlbAuth's; with `logger`
 * (Powertools' `Logger`, say) the request lines go to your logger.
 * @throws ConfigError naming the variable or option.
 * @example
 * import middy from "@middy/core";
 * import { albAuth, type AlbAuthContext } from "alb-oidc-target/middy";
 * export const handler = middy<ALBEvent, ALBResult, Error, AlbAuthContext>()
 *   .use(albAuth())
 *   .handler(async (_event, context) => ({ statusCode: 200, body: context.principal.sub }));
 */
export function albAuth(options: AlbAuthOptions = {}): MiddlewareObj<ALBEvent, ALBResult, Error, AlbAuthContext> {
  const auth: AlbAuth = createAlbAuth(options);
  return {
    name: "alb-oidc-target",
    before: async (request) => {
      const outcome = await auth.check(request.event, request.context);
      if (outcome.result) return outcome.result;
      request.context.principal = outcome.principal;
      return undefined;
    },
    after: (request) => {
      request.response = auth.deliver(request.response, request.event);
    },
    onError: (request) => {
      // Another error middleware already answered: leave its response alone.
      if ((request.response as ALBResult | null | undefined) != null) return;
      request.response = auth.errorResult(request.error, request.event, request.context);
    },
  };
}
