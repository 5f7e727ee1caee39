// Which kind of request this is: an ALB health check, a logout, a machine request (bearer token) or a user request (x-amzn-oidc-*).
import { readHeader, requestLine } from "../alb/event.js";
import type { MachineTokenVerifier } from "../auth/machine-token.js";
import type { LogoutResponder } from "./logout.js";

/** The ALB health checker's user agent; its requests carry nothing else to authenticate. */
const HEALTH_CHECKER_AGENT = "ELB-HealthChecker/2.0";

/** The special routes; each one absent is simply not there (an empty table makes every request a user request). */
export interface RouteTable {
  /** Exact path answered 200 to the health checker without authentication. */
  readonly healthCheckPath?: string;
  /** Exact path that expires the ALB session cookies. */
  readonly logout?: { readonly path: string; readonly respond: LogoutResponder };
  readonly machine?: { readonly pathPrefixes: readonly string[]; readonly tokens: MachineTokenVerifier };
}

export type Route =
  | { readonly kind: "health" }
  | { readonly kind: "logout"; readonly respond: LogoutResponder }
  | { readonly kind: "machine"; readonly tokens: MachineTokenVerifier }
  | { readonly kind: "user" };

/**
 * Picks the route. Only the checker's own request skips authentication on the health path:
 * anything else sent there is an ordinary user (or machine) request.
 * @example routeOf(healthCheckEvent("/health"), table) // { kind: "health" }
 */
export function routeOf(event: unknown, table: RouteTable): Route {
  const { method, path } = requestLine(event);
  if (path === table.healthCheckPath && method === "GET") {
    const agent = readHeader(event, "user-agent");
    if (agent.kind === "one" && agent.value === HEALTH_CHECKER_AGENT) return { kind: "health" };
  }
  if (table.logout && path === table.logout.path) return { kind: "logout", respond: table.logout.respond };
  const machine = table.machine;
  if (machine?.pathPrefixes.some((prefix) => path.startsWith(prefix))) return { kind: "machine", tokens: machine.tokens };
  return { kind: "user" };
}
