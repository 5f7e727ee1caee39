// The request's host as the browser used it, and its name without the port: what redirect_uri, the host-header condition and the redirect action are built from.
import type { IncomingMessage } from "node:http";

/** The request's host as the browser used it: the ALB builds redirect_uri from it (the blog article's 400 when it is not registered). */
export function requestHost(req: IncomingMessage, fallbackPort: number): string {
  const host = req.headers.host;
  return host && /^[A-Za-z0-9.[\]:-]+$/.test(host) ? host : `localhost:${fallbackPort}`;
}

/**
 * The host name of a `host[:port]` value (an IPv6 literal keeps its brackets).
 * @example hostName("localhost:3000") // "localhost"
 */
export function hostName(host: string): string {
  return host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.replace(/:\d+$/, "");
}
