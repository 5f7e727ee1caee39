// Reading an HTTP request as the ALB does before it builds the Lambda event: body limit, client-supplied x-amzn-oidc-* and invalid header names dropped, x-forwarded-* and trace id added.
import type { IncomingMessage } from "node:http";
import { traceId, type WireRequest } from "alb-oidc-target/testing";

/** The ALB's request body limit for Lambda targets (larger: 413). */
const MAX_REQUEST_BYTES = 1024 * 1024;

/** The three headers only the load balancer may set. */
export const OIDC_HEADERS = ["x-amzn-oidc-accesstoken", "x-amzn-oidc-identity", "x-amzn-oidc-data"] as const;

/** The request body, or undefined when it exceeds the limit. */
export function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_REQUEST_BYTES) tooLarge = true;
      else chunks.push(c);
    });
    req.on("end", () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** Splits the request target into the raw path and the raw query (both still URL-encoded). */
export function splitTarget(target: string): { path: string; rawQuery: string } {
  const q = target.indexOf("?");
  return q < 0 ? { path: target, rawQuery: "" } : { path: target.slice(0, q), rawQuery: target.slice(q + 1) };
}

/** The headers the authenticate action adds. */
export interface OidcHeaders {
  readonly accessToken: string;
  readonly identity: string;
  readonly data: string;
}

export interface ForwardOptions {
  readonly listenerPort: number;
  readonly multiValue: boolean;
  /** The headers the authenticate action adds; absent for `allow` without a session and for jwt-validation. */
  readonly oidc?: OidcHeaders;
  /**
   * Client headers that end at this hop (an HTTP target's hop-by-hop ones and those the client's
   * Connection header names): dropped from the client's headers before the ALB adds its own, so a
   * client cannot name the ALB's headers away.
   */
  readonly hopByHop?: (name: string) => boolean;
}

/**
 * Header names an ALB with `routing.http.drop_invalid_header_fields.enabled` (the construct sets it)
 * passes on: AWS requires them to match [-A-Za-z0-9]+. Others (`x_amzn_oidc_identity`, which CGI and
 * WSGI servers read as x-amzn-oidc-identity) are dropped, for every kind of target.
 */
const VALID_HEADER_NAME = /^[-A-Za-z0-9]+$/;

/**
 * The X-Amzn-Trace-Id the ALB forwards (load-balancer-request-tracing.html): a fresh `Root` when the
 * request has none; with a `Root`, a `Self` field inserted before the others or, when there is one,
 * its value updated; every other field kept. A header without `Root` is replaced (AWS says nothing of it).
 * @example forwardedTraceId("Root=1-67891233-abcdef012345678912345678;CalledFrom=app") // "Self=1-...;Root=1-...;CalledFrom=app"
 */
export function forwardedTraceId(incoming: string | undefined): string {
  const fields = (incoming ?? "")
    .split(";")
    .map((f) => f.trim())
    .filter((f) => f !== "");
  if (!fields.some((f) => f.startsWith("Root="))) return traceId();
  // Self has Root's format: 1-<epoch seconds, 8 hex digits>-<24 hex digits>.
  const self = `Self=${traceId().slice("Root=".length)}`;
  const at = fields.findIndex((f) => f.startsWith("Self="));
  if (at < 0) return [self, ...fields].join(";");
  fields[at] = self;
  return fields.join(";");
}

/**
 * The headers a target receives: the client's (any x-amzn-oidc-* it sent, any name that is not valid
 * and any `hopByHop` one dropped, so only the emulator's own values of its headers reach the target),
 * x-forwarded-for/-proto/-port, the trace id, and the authenticate action's three headers. Shared by
 * Lambda and HTTP targets.
 */
export function forwardedHeaders(req: IncomingMessage, o: Omit<ForwardOptions, "multiValue">): Record<string, string[]> {
  const headers: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    if (values === undefined || name.startsWith("x-amzn-oidc-") || !VALID_HEADER_NAME.test(name)) continue;
    if (o.hopByHop?.(name)) continue;
    headers[name] = [...values];
  }
  const client = req.socket.remoteAddress ?? "127.0.0.1";
  const forwardedFor = headers["x-forwarded-for"]?.join(", ");
  headers["x-forwarded-for"] = [forwardedFor ? `${forwardedFor}, ${client}` : client];
  headers["x-forwarded-proto"] = ["http"];
  headers["x-forwarded-port"] = [String(o.listenerPort)];
  headers["x-amzn-trace-id"] = [forwardedTraceId(headers["x-amzn-trace-id"]?.[0])];
  if (o.oidc) {
    headers["x-amzn-oidc-accesstoken"] = [o.oidc.accessToken];
    headers["x-amzn-oidc-identity"] = [o.oidc.identity];
    headers["x-amzn-oidc-data"] = [o.oidc.data];
  }
  return headers;
}

/** The request as a Lambda target receives it (before the ALB event is built from it). */
export function wireRequest(req: IncomingMessage, body: Buffer, o: ForwardOptions): WireRequest {
  const headers = forwardedHeaders(req, o);
  const { path, rawQuery } = splitTarget(req.url ?? "/");
  return { method: req.method ?? "GET", path, rawQuery, headers, body, multiValue: o.multiValue };
}
