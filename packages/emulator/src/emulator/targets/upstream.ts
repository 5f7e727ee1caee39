// An HTTP server as the target (instance/IP target group): the client's request is proxied with the ALB's headers, the answer streamed back unchanged; refused is 502, silent is 504.
import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { isLoopbackHost } from "alb-oidc-target/rules";
import { EmulatorConfigError } from "../listener/config-file.js";
import { sendAlbError } from "../error-page.js";
import type { Target } from "./target.js";
import { upgradeOf, type Upgrade } from "./upgrade.js";
import { forwardedHeaders } from "./wire.js";

/** Headers of one connection only (RFC 9110 7.6.1): never passed on, in either direction. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/** The ALB's default idle timeout. */
const DEFAULT_UPSTREAM_TIMEOUT_MS = 60_000;

export interface UpstreamOptions {
  /** http://host:port (a path prefix is not supported: the ALB forwards the path as is). */
  readonly url: string;
  /** Allow an upstream that is not on loopback (--allow-remote-upstream). */
  readonly allowRemote?: boolean;
  /** Idle timeout: no answer (or no data) for this long is a 504. */
  readonly timeoutMs?: number;
}

/** Names listed in Connection are hop-by-hop too. */
function connectionTokens(value: string | string[] | undefined): Set<string> {
  const raw = Array.isArray(value) ? value.join(",") : (value ?? "");
  return new Set(
    raw
      .split(",")
      .map((t) => t.trim().toLowerCase())
      .filter((t) => t !== ""),
  );
}

/** Streams the upstream's answer to the client: status and headers as sent (hop-by-hop ones dropped; every set-cookie its own line), then the body. */
function relayAnswer(up: IncomingMessage, res: ServerResponse, done: () => void): void {
  const upHop = connectionTokens(up.headers.connection);
  for (let i = 0; i + 1 < up.rawHeaders.length; i += 2) {
    const name = up.rawHeaders[i] ?? "";
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || upHop.has(lower)) continue;
    // appendHeader keeps every set-cookie (and any other repeated header) as its own line.
    res.appendHeader(name, up.rawHeaders[i + 1] ?? "");
  }
  res.writeHead(up.statusCode ?? 502, up.statusMessage);
  up.pipe(res);
  up.on("end", done);
  up.on("error", () => {
    res.destroy();
    done();
  });
}

/** Joins the client's upgraded connection to the upstream's: the 101 as the upstream sent it, then bytes both ways until either side closes or is idle for the timeout. */
function joinTunnel(client: Upgrade, up: IncomingMessage, upSocket: Socket, upHead: Buffer, idleMs: number): void {
  const head = [`HTTP/1.1 101 ${up.statusMessage ?? "Switching Protocols"}`];
  for (let i = 0; i + 1 < up.rawHeaders.length; i += 2) head.push(`${up.rawHeaders[i] ?? ""}: ${up.rawHeaders[i + 1] ?? ""}`);
  client.socket.write(`${head.join("\r\n")}\r\n\r\n`);
  if (upHead.length > 0) client.socket.write(upHead);
  if (client.head.length > 0) upSocket.write(client.head);
  const close = (): void => {
    client.socket.destroy();
    upSocket.destroy();
  };
  for (const s of [client.socket, upSocket]) {
    s.on("close", close);
    s.on("error", close);
  }
  // The ALB's idle timeout holds for WebSocket connections too.
  upSocket.setTimeout(idleMs, close);
  upSocket.pipe(client.socket);
  client.socket.pipe(upSocket);
}

/**
 * Checks the --upstream value: an http:// origin, on loopback unless remote upstreams are allowed.
 * @throws EmulatorConfigError quoting the value.
 */
export function parseUpstream(raw: string, allowRemote: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch (err) {
    throw new EmulatorConfigError(`--upstream must be a URL like http://127.0.0.1:8080, got "${raw}"`, { cause: err });
  }
  if (url.protocol !== "http:")
    throw new EmulatorConfigError(`--upstream must be an http:// URL (the ALB speaks plain HTTP to targets here), got "${raw}"`);
  if ((url.pathname !== "/" && url.pathname !== "") || url.search !== "" || url.username !== "" || url.password !== "")
    throw new EmulatorConfigError(`--upstream is an origin (http://host:port), without path, query or credentials, got "${raw}"`);
  if (!allowRemote && !isLoopbackHost(url.hostname))
    throw new EmulatorConfigError(
      `--upstream "${raw}" is not a loopback address: the emulator sends users' tokens to it; pass --allow-remote-upstream if you mean it`,
    );
  return url;
}

/**
 * The HTTP target: method, path and query, body and headers pass through (the client's hop-by-hop
 * headers, those its Connection header names, its x-amzn-oidc-* and invalid names removed; then the
 * ALB's x-amzn-oidc-*, x-forwarded-* and trace id added, which no client header can remove).
 * Status, headers (every set-cookie) and body come back as the upstream sent them, streamed.
 * @example const t = upstreamTarget({ url: "http://127.0.0.1:8080" });
 */
export function upstreamTarget(o: UpstreamOptions): Target {
  const base = parseUpstream(o.url, o.allowRemote ?? false);
  const timeoutMs = o.timeoutMs ?? DEFAULT_UPSTREAM_TIMEOUT_MS;
  return {
    kind: "upstream",
    description: `HTTP upstream ${base.origin}`,
    stop: () => Promise.resolve(),
    deliver: ({ req, res, listenerPort, oidc, logger }) =>
      new Promise<void>((resolve) => {
        const hop = connectionTokens(req.headers.connection);
        // Host is for every recipient (RFC 9110 7.6.1): the target gets the client's, as from the ALB, whatever Connection says.
        const hopByHop = (name: string): boolean => HOP_BY_HOP.has(name) || (hop.has(name) && name !== "host");
        const headers: OutgoingHttpHeaders = {};
        for (const [name, values] of Object.entries(forwardedHeaders(req, { listenerPort, oidc, hopByHop }))) {
          headers[name] = values.length === 1 ? values[0] : values;
        }
        const up = upgradeOf(req);
        if (up) {
          // An upgrade (a WebSocket) is forwarded as one: its Upgrade and Connection go on, not dropped as hop-by-hop.
          headers.connection = "upgrade";
          headers.upgrade = req.headers.upgrade;
        }
        let answered = false;
        // Once the upstream's 101 joined the two connections, the request's own timeout and errors are the tunnel's business.
        let tunnelled = false;
        const fail = (status: 502 | 504, reason: "TargetConnectionError" | "TargetTimeout", detail: string): void => {
          logger.error("upstream failed", { upstream: base.origin, status, reason, detail });
          if (!res.headersSent) sendAlbError(res, status, reason);
          else res.destroy();
          resolve();
        };
        const upstream = httpRequest(
          {
            protocol: base.protocol,
            hostname: base.hostname,
            port: base.port,
            method: req.method,
            path: req.url ?? "/",
            headers,
            timeout: timeoutMs,
          },
          (answer) => {
            answered = true;
            relayAnswer(answer, res, resolve);
          },
        );
        if (up)
          upstream.on("upgrade", (answer, upSocket, upHead) => {
            answered = true;
            tunnelled = true;
            joinTunnel(up, answer, upSocket, upHead, timeoutMs);
            resolve();
          });
        upstream.on("timeout", () => {
          if (tunnelled) return;
          upstream.destroy(new Error(`no answer within ${timeoutMs} ms`));
          fail(504, "TargetTimeout", `no answer within ${timeoutMs} ms`);
        });
        upstream.on("error", (err: NodeJS.ErrnoException) => {
          if (tunnelled) return;
          if (answered) {
            res.destroy();
            resolve();
            return;
          }
          if (upstream.destroyed && err.message.startsWith("no answer")) return;
          fail(502, "TargetConnectionError", `${err.code ?? err.name}: ${err.message}`);
        });
        // A client that goes away takes the upstream request with it.
        res.on("close", () => {
          if (!res.writableFinished) upstream.destroy();
        });
        req.pipe(upstream);
      }),
  };
}
