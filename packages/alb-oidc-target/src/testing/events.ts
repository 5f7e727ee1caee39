// ALB Lambda events as the ALB sends them (single- and multi-value modes, health checks): test and local use only.
import type { ALBEvent } from "aws-lambda";
import { randomBytes } from "node:crypto";

export const TARGET_GROUP_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/alb-oidc-target/943f017f9feb9f1b";

/** Content types the ALB passes as text (without a Content-Encoding); every other body arrives base64-encoded. */
const TEXT_TYPES = /^(text\/|application\/(json|javascript|xml)\b)/i;

export interface EventOptions {
  readonly method?: string;
  readonly path?: string;
  /** Query parameters, raw (they are URL-encoded into the event as the ALB does). Repeated keys: give an array. */
  readonly query?: Readonly<Record<string, string | readonly string[]>>;
  /** Extra headers; names are lower-cased. An array value repeats the header (multi-value mode keeps all, single keeps the last). */
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
  readonly body?: string | Buffer;
  /** A target group in multi-value headers mode. */
  readonly multiValue?: boolean;
  /** The three x-amzn-oidc-* headers, if the request went through authenticate-oidc. */
  readonly oidc?: { readonly data?: string; readonly identity?: string; readonly accessToken?: string };
  readonly sourceIp?: string;
}

/**
 * A signed-in user's request as authenticate-oidc forwards it: the request, plus the three x-amzn-oidc-* headers.
 * @example userEvent({ token: mintAlbToken({ key }), identity: "alice", path: "/notes" })
 */
export interface UserRequestOptions extends Pick<EventOptions, "path" | "method" | "headers" | "query" | "body" | "multiValue"> {
  /** x-amzn-oidc-data, the claims token; `null` (or leaving it out) sends none. */
  readonly token?: string | null;
  /** x-amzn-oidc-identity (default "alice", the `sub` of the kit's default claims `ALICE`); `null` sends none. */
  readonly identity?: string | null;
  /** x-amzn-oidc-accesstoken (default a random opaque token); `null` sends none. */
  readonly accessToken?: string | null;
}

/**
 * The ALB event for a user authenticate-oidc let through, carrying the token you give it (the fake ALB's
 * `userEvent` mints one for you and builds its event here).
 * @example await handler(userEvent({ token: mintAlbToken({ key, expiresIn: -5 }) })) // 401 expired
 */
export function userEvent(o: UserRequestOptions = {}): ALBEvent {
  const orNone = (value: string | null | undefined, fallback: () => string): string | undefined =>
    value === undefined ? fallback() : (value ?? undefined);
  return albEvent({
    path: o.path ?? "/",
    method: o.method ?? "GET",
    headers: o.headers ?? {},
    ...(o.query && { query: o.query }),
    ...(o.body !== undefined && { body: o.body }),
    multiValue: o.multiValue ?? false,
    oidc: {
      data: o.token ?? undefined,
      identity: orNone(o.identity, () => "alice"),
      accessToken: orNone(o.accessToken, () => `fake-alb-${randomBytes(16).toString("hex")}`),
    },
  });
}

/** A trace id in the X-Amzn-Trace-Id format. */
export function traceId(): string {
  return `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString("hex")}`;
}

/**
 * Builds an ALB event.
 * @example albEvent({ path: "/whoami", oidc: { data: token, identity: "alice" } })
 */
export function albEvent(o: EventOptions = {}): ALBEvent {
  const headers: Record<string, string[]> = {
    accept: ["application/json"],
    host: ["alb-oidc-target.example.com"],
    "user-agent": ["curl/8.5.0"],
    "x-amzn-trace-id": [traceId()],
    "x-forwarded-for": [o.sourceIp ?? "203.0.113.7"],
    "x-forwarded-port": ["443"],
    "x-forwarded-proto": ["https"],
  };
  if (o.oidc?.accessToken !== undefined) headers["x-amzn-oidc-accesstoken"] = [o.oidc.accessToken];
  if (o.oidc?.identity !== undefined) headers["x-amzn-oidc-identity"] = [o.oidc.identity];
  if (o.oidc?.data !== undefined) headers["x-amzn-oidc-data"] = [o.oidc.data];
  for (const [k, v] of Object.entries(o.headers ?? {})) headers[k.toLowerCase()] = typeof v === "string" ? [v] : [...v];

  const query: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(o.query ?? {})) {
    query[encodeURIComponent(k)] = (typeof v === "string" ? [v] : [...v]).map(encodeURIComponent);
  }
  return assemble(o.method ?? "GET", o.path ?? "/", headers, query, o.body, o.multiValue ?? false);
}

/** Encodes the body by the ALB's rule and picks the header/query mode: the one place the builders meet. */
function assemble(
  method: string,
  path: string,
  headers: Record<string, string[]>,
  query: Record<string, string[]>,
  rawBody: string | Buffer | undefined,
  multiValue: boolean,
): ALBEvent {
  let body = "";
  let isBase64Encoded = false;
  if (rawBody !== undefined && rawBody.length > 0) {
    const type = headers["content-type"]?.[0] ?? "";
    // "If the content-encoding header is present, the load balancer Base64 encodes the body" (lambda-functions.html), whatever its type.
    if (headers["content-encoding"] === undefined && TEXT_TYPES.test(type))
      body = Buffer.isBuffer(rawBody) ? rawBody.toString("utf8") : rawBody;
    else {
      body = Buffer.from(rawBody).toString("base64");
      isBase64Encoded = true;
    }
  }
  const base = { requestContext: { elb: { targetGroupArn: TARGET_GROUP_ARN } }, httpMethod: method, path, body, isBase64Encoded };
  if (multiValue) return { ...base, multiValueQueryStringParameters: query, multiValueHeaders: headers };
  const last = (m: Record<string, string[]>): Record<string, string> =>
    Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v[v.length - 1] ?? ""]));
  return { ...base, queryStringParameters: last(query), headers: last(headers) };
}

/** A request as it arrived on the wire (the emulator's input). */
export interface WireRequest {
  readonly method: string;
  /** The path, still URL-encoded. */
  readonly path: string;
  /** The query string without `?`; keys and values stay URL-encoded, as the ALB passes them. */
  readonly rawQuery: string;
  /** Lower-case names, every value received in order (x-forwarded-* and the trace id already added). */
  readonly headers: Readonly<Record<string, readonly string[]>>;
  readonly body: Buffer;
  readonly multiValue: boolean;
}

/**
 * Builds the ALB event for a real HTTP request, as the ALB does for a Lambda target (the local ALB emulator builds its events here).
 * @example albEventFromWire({ method: "GET", path: "/", rawQuery: "q=a%20b", headers: { host: ["localhost:3000"] }, body: Buffer.alloc(0), multiValue: false })
 */
export function albEventFromWire(r: WireRequest): ALBEvent {
  const query: Record<string, string[]> = {};
  for (const pair of r.rawQuery.split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const key = eq < 0 ? pair : pair.slice(0, eq);
    (query[key] ??= []).push(eq < 0 ? "" : pair.slice(eq + 1));
  }
  const headers: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(r.headers)) headers[k.toLowerCase()] = [...v];
  return assemble(r.method, r.path, headers, query, r.body, r.multiValue);
}

/**
 * The ALB's health check: GET on the path with only the checker's user agent.
 * @example await handler(healthCheckEvent("/health")) // 200 {"status":"ok"}, the app not called
 */
export function healthCheckEvent(path = "/health", multiValue = false): ALBEvent {
  return assemble("GET", path, { "user-agent": ["ELB-HealthChecker/2.0"] }, {}, undefined, multiValue);
}
