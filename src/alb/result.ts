// Building the ALB's Lambda result: status line, JSON body, and headers in the mode the event came in.
import type { ALBResult } from "aws-lambda";
import { isPlainObject as isRecord } from "../guards.js";

const REASONS: Readonly<Record<number, string>> = {
  200: "OK",
  201: "Created",
  202: "Accepted",
  204: "No Content",
  301: "Moved Permanently",
  302: "Found",
  303: "See Other",
  304: "Not Modified",
  307: "Temporary Redirect",
  308: "Permanent Redirect",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  410: "Gone",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
};

/** The statusDescription of each code in REASONS, built once instead of on every result. */
const STATUS_LINES: ReadonlyMap<number, string> = new Map(
  Object.entries(REASONS).map(([code, reason]) => [Number(code), `${code} ${reason}`]),
);

/** `"<code> <reason>"`, the ALB's statusDescription. */
export function statusDescription(status: number): string {
  return STATUS_LINES.get(status) ?? `${status} Unknown`;
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
  if (headers === undefined) return jsonTextResult(status, text, multiValue);
  return result(status, text, { ...BASE_HEADERS, ...headers }, multiValue);
}

/**
 * jsonResult for a body that is JSON text already, with the two JSON headers: every success takes
 * this path (no copying loops).
 */
export function jsonTextResult(status: number, text: string, multiValue: boolean): ALBResult {
  const out: ALBResult = { statusCode: status, statusDescription: statusDescription(status), isBase64Encoded: false, body: text };
  if (multiValue) out.multiValueHeaders = { "content-type": ["application/json"], "cache-control": ["no-store"] };
  else out.headers = { "content-type": "application/json", "cache-control": "no-store" };
  return out;
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

/** Is every value a string (so the headers need no conversion)? Inherited keys count too: they only send it to the copy, which reads own keys. */
function allStrings(headers: Record<string, unknown>): boolean {
  for (const k in headers) if (typeof headers[k] !== "string") return false;
  return true;
}

/** Is every value a list of strings? */
function allStringLists(headers: Record<string, unknown>): boolean {
  for (const k in headers) {
    const v = headers[k];
    if (!Array.isArray(v)) return false;
    for (let i = 0; i < v.length; i++) if (typeof v[i] !== "string") return false;
  }
  return true;
}

/**
 * Checks a result an app returned and delivers it in the event's header mode: `headers` become
 * `multiValueHeaders` for a multi-value event and the reverse (first value kept, as jsonResult
 * does), `statusDescription` is filled in, `isBase64Encoded` defaults to false.
 * @throws TypeError naming what is malformed (the caller answers 500 internal_error).
 * @example deliverResult({ statusCode: 201, headers: { location: "/notes/1" } }, true) // multiValueHeaders: { location: ["/notes/1"] }
 */
export function deliverResult(value: unknown, multiValue: boolean): ALBResult {
  return deliver(value, multiValue, false);
}

/**
 * deliverResult for a result that goes straight to the Lambda runtime (withAlbAuth's handler), where
 * nothing can change it afterwards: headers already in the event's mode are handed on as they came
 * instead of copied key by key (most of delivering, after a signature check). Middlewares keep
 * deliverResult: a later one may change the response's headers, which must not be the app's object.
 */
export function deliverToRuntime(value: unknown, multiValue: boolean): ALBResult {
  return deliver(value, multiValue, true);
}

/** deliverResult, or with `handOn` deliverToRuntime. */
function deliver(value: unknown, multiValue: boolean, handOn: boolean): ALBResult {
  if (!isRecord(value)) throw new TypeError("the app returned no result object");
  const status = value.statusCode;
  if (typeof status !== "number" || !Number.isInteger(status) || status < 100 || status > 599) {
    throw new TypeError("the app's result has no statusCode from 100 to 599");
  }
  if (value.body !== undefined && value.body !== null && typeof value.body !== "string") {
    throw new TypeError("the app's result body is not a string");
  }
  if (value.isBase64Encoded !== undefined && typeof value.isBase64Encoded !== "boolean") {
    throw new TypeError("the app's result isBase64Encoded is not a boolean");
  }
  if (value.statusDescription !== undefined && typeof value.statusDescription !== "string") {
    throw new TypeError("the app's result statusDescription is not a string");
  }
  const out: ALBResult = {
    statusCode: status,
    statusDescription: typeof value.statusDescription === "string" ? value.statusDescription : statusDescription(status),
    isBase64Encoded: value.isBase64Encoded === true,
    body: typeof value.body === "string" ? value.body : "",
  };
  if (value.multiValueHeaders === undefined) {
    // The common result (headers only): straight into the event's mode, without the merge's arrays.
    const headers = value.headers;
    if (headers !== undefined && !isRecord(headers)) throw new TypeError("the app's result headers is not an object");
    // Already what a single-value event needs.
    if (handOn && !multiValue && headers !== undefined && allStrings(headers)) {
      out.headers = headers as Record<string, string>;
      return out;
    }
    const into: Record<string, string | string[]> = {};
    if (headers !== undefined) {
      for (const k of Object.keys(headers)) {
        const v = headers[k];
        if (v === undefined) continue;
        if (!scalar(v)) throw new TypeError(`the app's result header "${k.slice(0, 64)}" is not a string`);
        into[k] = multiValue ? [String(v)] : String(v);
      }
    }
    if (multiValue) out.multiValueHeaders = into as Record<string, string[]>;
    else out.headers = into as Record<string, string>;
    return out;
  }
  const merged: Record<string, string[]> = {};
  if (value.headers !== undefined) {
    if (!isRecord(value.headers)) throw new TypeError("the app's result headers is not an object");
    for (const [k, v] of Object.entries(value.headers)) {
      if (v === undefined) continue;
      if (!scalar(v)) throw new TypeError(`the app's result header "${k.slice(0, 64)}" is not a string`);
      merged[k] = [String(v)];
    }
  }
  // multiValueHeaders is set here (the fast path above took every result without it).
  if (!isRecord(value.multiValueHeaders)) throw new TypeError("the app's result multiValueHeaders is not an object");
  if (handOn && multiValue && value.headers === undefined && allStringLists(value.multiValueHeaders)) {
    out.multiValueHeaders = value.multiValueHeaders as Record<string, string[]>;
    return out;
  }
  for (const [k, v] of Object.entries(value.multiValueHeaders)) {
    if (v === undefined) continue;
    if (!Array.isArray(v) || !v.every(scalar)) throw new TypeError(`the app's result header "${k.slice(0, 64)}" is not a list of strings`);
    merged[k] = v.map(String);
  }
  if (multiValue) out.multiValueHeaders = merged;
  else {
    const single: Record<string, string> = {};
    for (const [k, v] of Object.entries(merged)) if (v[0] !== undefined) single[k] = v[0];
    out.headers = single;
  }
  return out;
}
