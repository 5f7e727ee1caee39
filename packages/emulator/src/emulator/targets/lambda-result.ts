// Turns the function's ALB result into the HTTP response, checking it as the ALB does: anything malformed is a 502.
import type { ServerResponse } from "node:http";
import { isPlainObject as isRecord } from "alb-oidc-target/rules";

/** The ALB's response size limit for Lambda targets. */
const MAX_RESPONSE_BYTES = 1024 * 1024;

/** Headers the ALB computes or owns itself. */
const OWN_HEADERS = new Set(["content-length", "transfer-encoding", "connection"]);

export interface HttpAnswer {
  readonly status: number;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Buffer;
}

/**
 * Validates a result and converts it; returns a string saying what is wrong when it is malformed.
 * In multi-value mode the result must carry multiValueHeaders (ALB.md section 4).
 */
export function convertResult(result: unknown, multiValue: boolean): HttpAnswer | string {
  if (!isRecord(result)) return "the result is not an object";
  const status = result.statusCode;
  if (typeof status !== "number" || !Number.isInteger(status) || status < 100 || status > 599) return "statusCode is not an HTTP status";
  const headers: [string, string][] = [];
  if (multiValue) {
    const mv = result.multiValueHeaders;
    if (mv !== undefined && !isRecord(mv)) return "multiValueHeaders is not an object";
    if (mv === undefined && result.headers !== undefined) return "multi-value mode needs multiValueHeaders, got headers";
    for (const [k, values] of Object.entries(mv ?? {})) {
      if (!Array.isArray(values)) return `multiValueHeaders.${k} is not an array`;
      for (const v of values as unknown[]) {
        if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") return `multiValueHeaders.${k} holds a non-scalar`;
        headers.push([k.toLowerCase(), String(v)]);
      }
    }
  } else {
    const sv = result.headers;
    if (sv !== undefined && !isRecord(sv)) return "headers is not an object";
    for (const [k, v] of Object.entries(sv ?? {})) {
      if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") return `headers.${k} is not a scalar`;
      headers.push([k.toLowerCase(), String(v)]);
    }
  }
  const rawBody = result.body;
  if (rawBody !== undefined && rawBody !== null && typeof rawBody !== "string") return "body is not a string";
  const body = Buffer.from(rawBody ?? "", result.isBase64Encoded === true ? "base64" : "utf8");
  if (body.length > MAX_RESPONSE_BYTES) return "the response is larger than 1 MB";
  return { status, headers: headers.filter(([k]) => !OWN_HEADERS.has(k)), body };
}

/** Writes a converted answer; Content-Length is computed here, as the ALB computes it. */
export function sendAnswer(res: ServerResponse, a: HttpAnswer): void {
  const grouped = new Map<string, string[]>();
  for (const [k, v] of a.headers) grouped.set(k, [...(grouped.get(k) ?? []), v]);
  // Appended: a Set-Cookie the load balancer set already (a refreshed session) stays, before the function's own.
  for (const [k, v] of grouped) {
    if (k === "set-cookie") res.appendHeader(k, v);
    else res.setHeader(k, v.length === 1 ? (v[0] ?? "") : v);
  }
  res.setHeader("content-length", a.body.length);
  res.writeHead(a.status);
  res.end(a.body);
}
