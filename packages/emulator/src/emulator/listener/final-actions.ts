// A rule's final action, once its authenticate action (if any) has let the request through: forward to the target group's target, a fixed response, or a redirect.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "alb-oidc-target/rules";
import type { Target } from "../targets/target.js";
import { splitTarget, type OidcHeaders } from "../targets/wire.js";
import { hostName, requestHost } from "./host.js";
import type { FinalAction } from "./rules.js";

/** What a final action needs of the running listener. */
export interface FinalActionContext {
  /** Where a forward goes unless its target group has a target of its own in `targets`. */
  readonly target: Target;
  readonly targets: ReadonlyMap<string, Target>;
  /** The listener's port: the redirect action's #{port}, the target's x-forwarded-port. */
  readonly port: number;
  readonly logger: Logger;
}

/** The ALB's redirect action: each part defaults to the request's own (#{protocol}, #{host}, #{port}, #{path}, #{query}). */
function redirectLocation(
  a: Extract<FinalAction, { type: "redirect" }>,
  port: number,
  host: string,
  path: string,
  rawQuery: string,
): string {
  const fill = (template: string): string =>
    template
      .replace(/#\{protocol\}/g, "http")
      .replace(/#\{host\}/g, hostName(host))
      .replace(/#\{port\}/g, String(port))
      .replace(/#\{path\}/g, path.slice(1))
      .replace(/#\{query\}/g, rawQuery);
  const protocol = fill(a.protocol ?? "#{protocol}").toLowerCase();
  const h = fill(a.host ?? "#{host}");
  const p = fill(a.port ?? "#{port}");
  let target = fill(a.path ?? "/#{path}");
  if (!target.startsWith("/")) target = `/${target}`;
  const q = fill(a.query ?? "#{query}");
  const defaultPort = (protocol === "https" && p === "443") || (protocol === "http" && p === "80");
  return `${protocol}://${h}${defaultPort ? "" : `:${p}`}${target}${q ? `?${q}` : ""}`;
}

/**
 * Answers the request with the rule's final action; `oidc` is what the authenticate-oidc action adds
 * for the target (undefined: no session, or no such action).
 */
export async function runFinalAction(
  a: FinalAction,
  c: FinalActionContext,
  req: IncomingMessage,
  res: ServerResponse,
  oidc: OidcHeaders | undefined,
): Promise<void> {
  if (a.type === "forward") {
    const target = (a.targetGroup === undefined ? undefined : c.targets.get(a.targetGroup)) ?? c.target;
    return target.deliver({ req, res, listenerPort: c.port, oidc, logger: c.logger });
  }
  if (a.type === "fixed-response") {
    const body = Buffer.from(a.messageBody ?? "");
    res.writeHead(a.statusCode, { "content-type": a.contentType ?? "text/plain; charset=utf-8", "content-length": body.length });
    res.end(body);
    return;
  }
  const { path, rawQuery } = splitTarget(req.url ?? "/");
  res.writeHead(a.statusCode, { location: redirectLocation(a, c.port, requestHost(req, c.port), path, rawQuery), "content-length": 0 });
  res.end();
}
