// What the load balancer refuses before any rule runs (load-balancer-troubleshooting.html): headers over its limits (400), TRACE (405), more than 30 X-Forwarded-For addresses (463); and Node's HTTP server set up so that these limits, not its own, decide.
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "alb-oidc-target/rules";
import { plainAlbErrorResponse, type PlainAlbStatus } from "../error-page.js";
import { safeDetail } from "../safe-detail.js";

/** "16K per request line, 16K per single header, or 64K for the entire header" (K = 1024 bytes here: AWS does not say). */
export const MAX_REQUEST_LINE_BYTES = 16 * 1024;
export const MAX_HEADER_BYTES = 16 * 1024;
export const MAX_HEADERS_BYTES = 64 * 1024;
/** "more than 30 IP addresses" in X-Forwarded-For is a 463. */
export const MAX_FORWARDED_FOR = 30;

/**
 * What Node's parser reads before it gives up (request line, headers and their line ends): above the
 * ALB's limits, so that a request within them always reaches the checks below; beyond it, clientError
 * answers with the same 400.
 */
const PARSER_MAX_HEADER_BYTES = MAX_REQUEST_LINE_BYTES + MAX_HEADERS_BYTES + 4 * 1024;

export interface Refusal {
  readonly status: PlainAlbStatus;
  /** For the console: which limit, by how much. */
  readonly why: string;
}

/** Bytes as they were on the wire: Node hands header text over as latin1, one character a byte. */
const wireBytes = (s: string): number => Buffer.byteLength(s, "latin1");

/**
 * The ALB's header limits, counted as the emulator counts them (AWS gives the limits, not how it
 * counts): the request line `METHOD target HTTP/x.y`, each header `name: value`, and all headers as
 * those lines with their CRLFs.
 */
function headerLimitRefusal(req: IncomingMessage): Refusal | undefined {
  const requestLine = wireBytes(`${req.method ?? ""} ${req.url ?? ""} HTTP/${req.httpVersion}`);
  if (requestLine > MAX_REQUEST_LINE_BYTES)
    return { status: 400, why: `the request line is ${requestLine} bytes, over the ALB's 16 K (${MAX_REQUEST_LINE_BYTES} bytes)` };
  let total = 0;
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] ?? "";
    const line = wireBytes(name) + 2 + wireBytes(raw[i + 1] ?? "");
    if (line > MAX_HEADER_BYTES)
      return { status: 400, why: `the header ${name.toLowerCase()} is ${line} bytes, over the ALB's 16 K (${MAX_HEADER_BYTES} bytes)` };
    total += line + 2;
  }
  if (total > MAX_HEADERS_BYTES)
    return { status: 400, why: `the headers are ${total} bytes in all, over the ALB's 64 K (${MAX_HEADERS_BYTES} bytes)` };
  return undefined;
}

/** The addresses in every X-Forwarded-For line of the request. */
function forwardedForCount(req: IncomingMessage): number {
  const lines = req.headersDistinct["x-forwarded-for"] ?? [];
  return lines.flatMap((l) => l.split(",")).filter((a) => a.trim() !== "").length;
}

/**
 * Why the load balancer refuses this request before its rules run, or undefined: header limits (400),
 * TRACE (405), more than 30 X-Forwarded-For addresses (463), checked in that order.
 * @example const refusal = listenerRefusal(req); if (refusal) sendPlainAlbError(res, refusal.status);
 */
export function listenerRefusal(req: IncomingMessage): Refusal | undefined {
  const tooLarge = headerLimitRefusal(req);
  if (tooLarge) return tooLarge;
  if (req.method === "TRACE") return { status: 405, why: "TRACE is not supported by Application Load Balancers" };
  const forwardedFor = forwardedForCount(req);
  if (forwardedFor > MAX_FORWARDED_FOR)
    return { status: 463, why: `X-Forwarded-For holds ${forwardedFor} addresses, over the ALB's ${MAX_FORWARDED_FOR}` };
  return undefined;
}

/**
 * Node's HTTP server options for the listener: its header-size cap above the ALB's limits and no cap
 * on the number of headers (Node drops those past 2000; the ALB limits bytes, not count).
 */
export const LISTENER_SERVER_OPTIONS = { maxHeaderSize: PARSER_MAX_HEADER_BYTES } as const;

/**
 * What the listener answers when Node's parser refuses a request: the ALB's 400 page for oversized
 * headers (Node would say 431) and malformed requests, 408 for a client too slow to send its headers.
 */
export function answerParserErrors(server: Server, logger: Logger): void {
  server.maxHeadersCount = 0;
  server.on("clientError", (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === "ECONNRESET" || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = err.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
    const why =
      err.code === "HPE_HEADER_OVERFLOW"
        ? `the headers are over ${PARSER_MAX_HEADER_BYTES} bytes`
        : safeDetail(`${err.code ?? "error"}: ${err.message}`);
    logger.error("the load balancer refused the request", { status, detail: why });
    socket.end(plainAlbErrorResponse(status));
  });
}
