// Building the ALB's Lambda result: status line, JSON body, and headers in the mode the event came in.
import type { ALBResult } from "aws-lambda";
import { isPlainObject } from "../guards.js";

/**
 * The ALB's statusDescription ("<code> <reason>") of the codes we and most apps answer, written out
 * once: the ALB needs one on every result, and an app may leave it out.
 */
const STATUS_LINES: Readonly<Record<number, string>> = {
  200: "200 OK",
  201: "201 Created",
  202: "202 Accepted",
  204: "204 No Content",
  301: "301 Moved Permanently",
  302: "302 Found",
  303: "303 See Other",
  304: "304 Not Modified",
  307: "307 Temporary Redirect",
  308: "308 Permanent Redirect",
  400: "400 Bad Request",
  401: "401 Unauthorized",
  403: "403 Forbidden",
  404: "404 Not Found",
  405: "405 Method Not Allowed",
  409: "409 Conflict",
  410: "410 Gone",
  413: "413 Content Too Large",
  415: "415 Unsupported Media Type",
  422: "422 Unprocessable Content",
  429: "429 Too Many Requests",
  500: "500 Internal Server Error",
  501: "501 Not Implemented",
  502: "502 Bad Gateway",
  503: "503 Service Unavailable",
};

/** `"<code> <reason>"`, the ALB's statusDescription. */
export function statusDescription(status: number): string {
  return STATUS_LINES[status] ?? `${status} Unknown`;
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
  return result(status, JSON.stringify(body), { ...BASE_HEADERS, ...headers }, multiValue);
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

const scalar = (v: unknown): v is string | number | boolean => typeof v === "string" || typeof v === "number" || typeof v === "boolean";

/**
 * Checks a result an app returned and delivers it in the event's header mode: `headers` and
 * `multiValueHeaders` are copied into the event's mode (a header in both takes its multi-value
 * entry; single-value mode keeps a list's first value, as jsonResult does), `statusDescription` is
 * filled in, `isBase64Encoded` defaults to false. The headers are always a copy: a middleware after
 * ours may change the response's headers, and they must not be the app's own object.
 * @throws TypeError naming what is malformed (the caller answers 500 internal_error).
 * @example deliverResult({ statusCode: 201, headers: { location: "/notes/1" } }, true) // multiValueHeaders: { location: ["/notes/1"] }
 */
export function deliverResult(value: unknown, multiValue: boolean): ALBResult {
  if (!isPlainObject(value)) throw new TypeError("the app returned no result object");
  const { statusCode, statusDescription: description, body, isBase64Encoded, headers, multiValueHeaders } = value;
  if (typeof statusCode !== "number" || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
    throw new TypeError("the app's result has no statusCode from 100 to 599");
  }
  if (body !== undefined && body !== null && typeof body !== "string") throw new TypeError("the app's result body is not a string");
  if (isBase64Encoded !== undefined && typeof isBase64Encoded !== "boolean") {
    throw new TypeError("the app's result isBase64Encoded is not a boolean");
  }
  if (description !== undefined && typeof description !== "string") {
    throw new TypeError("the app's result statusDescription is not a string");
  }
  const merged: Record<string, string[]> = {};
  if (headers !== undefined) {
    if (!isPlainObject(headers)) throw new TypeError("the app's result headers is not an object");
    for (const [k, v] of Object.entries(headers)) {
      if (v === undefined) continue;
      if (!scalar(v)) throw new TypeError(`the app's result header "${k.slice(0, 64)}" is not a string`);
      merged[k] = [String(v)];
    }
  }
  if (multiValueHeaders !== undefined) {
    if (!isPlainObject(multiValueHeaders)) throw new TypeError("the app's result multiValueHeaders is not an object");
    for (const [k, v] of Object.entries(multiValueHeaders)) {
      if (v === undefined) continue;
      if (!Array.isArray(v) || !v.every(scalar))
        throw new TypeError(`the app's result header "${k.slice(0, 64)}" is not a list of strings`);
      merged[k] = v.map(String);
    }
  }
  return {
    ...result(statusCode, typeof body === "string" ? body : "", merged, multiValue),
    statusDescription: description ?? statusDescription(statusCode),
    isBase64Encoded: isBase64Encoded === true,
  };
}
