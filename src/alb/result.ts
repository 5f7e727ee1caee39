// Building the ALB's Lambda result: status line, JSON body, and headers in the mode the event came in.
import type { ALBResult } from "aws-lambda";

const REASONS: Readonly<Record<number, string>> = {
  200: "OK",
  302: "Found",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
};

/** `"<code> <reason>"`, the ALB's statusDescription. */
export function statusDescription(status: number): string {
  return `${status} ${REASONS[status] ?? "Unknown"}`;
}

/** Headers of a result; `set-cookie` may carry several values (multi-value mode only). */
export interface ResultHeaders {
  readonly [name: string]: string | readonly string[];
}

const BASE_HEADERS = { "content-type": "application/json", "cache-control": "no-store" } as const;

/**
 * Builds an ALB result with a JSON body. In single-value mode a header with several values
 * keeps only its first (the ALB cannot send more); callers that need all use multi-value mode.
 * @example jsonResult(200, { status: "ok" }, undefined, false)
 */
export function jsonResult(status: number, body: unknown, headers: ResultHeaders | undefined, multiValue: boolean): ALBResult {
  const text = JSON.stringify(body);
  if (headers === undefined) {
    // Every success takes this path: no copying loops, just the two JSON headers.
    const out: ALBResult = { statusCode: status, statusDescription: statusDescription(status), isBase64Encoded: false, body: text };
    if (multiValue) out.multiValueHeaders = { "content-type": ["application/json"], "cache-control": ["no-store"] };
    else out.headers = { "content-type": "application/json", "cache-control": "no-store" };
    return out;
  }
  return result(status, text, { ...BASE_HEADERS, ...headers }, multiValue);
}

/** Builds an ALB result with a body that is already a string. */
export function result(status: number, body: string, headers: ResultHeaders, multiValue: boolean): ALBResult {
  const out: ALBResult = { statusCode: status, statusDescription: statusDescription(status), isBase64Encoded: false, body };
  if (multiValue) {
    const mv: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(headers)) mv[k] = typeof v === "string" ? [v] : [...v];
    out.multiValueHeaders = mv;
  } else {
    const sv: Record<string, string> = {};
    for (const [k, v] of Object.entries(headers)) {
      const first = typeof v === "string" ? v : v[0];
      if (first !== undefined) sv[k] = first;
    }
    out.headers = sv;
  }
  return out;
}
