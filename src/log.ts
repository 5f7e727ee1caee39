// The structured logger: one JSON object per line on stdout, and nothing in it that could carry a token.
import { jsonString, millisText, numberText } from "./json-text.js";

/** A log line's fields. Values are our own words and numbers; tokens, cookies and secrets are never passed in. */
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

export interface Logger {
  info(msg: string, fields: LogFields): void;
  error(msg: string, fields: LogFields): void;
  /** The one line per request, `msg` "request": what `info`/`error` would write for these fields, in this order. */
  request(level: "info" | "error", fields: RequestFields): void;
}

/** The request line's fields, in the order they are written; undefined ones are left out. */
export interface RequestFields {
  readonly requestId: string;
  readonly method: string;
  readonly path: string;
  readonly route: string | undefined;
  readonly status: number;
  readonly error: string | undefined;
  readonly reason: string | undefined;
  readonly durationMs: number;
}

/** Keys that must never reach a log even by mistake; their values are replaced. */
const SECRET_KEY = /token|cookie|authorization|secret|password|x-amzn-oidc/i;

/** Field names seen so far and whether they are secret: a handful of fixed names, tested once each instead of once a line. */
const secretKeys = new Map<string, boolean>();
/** Past this many names (a caller logging data as keys), new names are tested each time instead of remembered. */
const MAX_REMEMBERED_KEYS = 1024;

function isSecretKey(key: string): boolean {
  let secret = secretKeys.get(key);
  if (secret === undefined) {
    secret = SECRET_KEY.test(key);
    if (secretKeys.size < MAX_REMEMBERED_KEYS) secretKeys.set(key, secret);
  }
  return secret;
}

/**
 * The timestamp as toISOString writes it, formatted once per second: within a second only the
 * milliseconds change (toISOString on every line was a tenth of a warm request's cost).
 */
let stampSecond = Number.NaN;
let stampPrefix = "";

function isoNow(): string {
  const ms = Date.now();
  const second = Math.floor(ms / 1000);
  if (second !== stampSecond) {
    // "2026-12-01T23:05:12." without the "123Z"; years after 9999 or before 0 are not a Lambda's concern.
    stampPrefix = new Date(second * 1000).toISOString().slice(0, -4);
    stampSecond = second;
  }
  const millis = ms - second * 1000;
  return `${stampPrefix}${millis < 10 ? "00" : millis < 100 ? "0" : ""}${millis}Z`;
}

/** For the test that isoNow writes what toISOString does. */
export const isoNowForTest = isoNow;

/**
 * Longest string value logged as is. Fields like `path` come from the request: a 1 MB path must not
 * make a 1 MB log line (CloudWatch bills by the byte and cuts lines at 256 KB).
 */
const MAX_LOGGED_CHARS = 1024;

/** A string value cut to MAX_LOGGED_CHARS, saying how much was left out. */
function capped(value: string): string {
  if (value.length <= MAX_LOGGED_CHARS) return value;
  return `${value.slice(0, MAX_LOGGED_CHARS)}...[${value.length - MAX_LOGGED_CHARS} more chars]`;
}

/**
 * A line: what JSON.stringify writes for the object `{ level, time, msg, ...fields }`. For the
 * occasional line (the emulator's); the function's one line per request is requestLine.
 */
function line(level: string, msg: string, fields: LogFields): string {
  const out: Record<string, unknown> = { level, time: isoNow(), msg: capped(msg) };
  for (const key in fields) {
    const value = fields[key];
    if (value !== undefined) out[key] = isSecretKey(key) ? "[redacted]" : typeof value === "string" ? capped(value) : value;
  }
  return `${JSON.stringify(out)}\n`;
}

/**
 * The request line, written from its known fields: line's text for them (none of them is secret or
 * reordered by an object), without building an object for JSON.stringify, on every request.
 */
function requestLine(level: "info" | "error", f: RequestFields): string {
  let text = `{"level":"${level}","time":"${isoNow()}","msg":"request","requestId":${jsonString(capped(f.requestId))}`;
  text += `,"method":${jsonString(capped(f.method))},"path":${jsonString(capped(f.path))}`;
  if (f.route !== undefined) text += `,"route":${jsonString(capped(f.route))}`;
  text += `,"status":${numberText(f.status)}`;
  if (f.error !== undefined) text += `,"error":${jsonString(capped(f.error))}`;
  if (f.reason !== undefined) text += `,"reason":${jsonString(capped(f.reason))}`;
  return `${text},"durationMs":${millisText(f.durationMs)}}\n`;
}

/** For the test that requestLine writes exactly what line (JSON.stringify of the object) would. */
export const lineForTest = { line, requestLine };

/**
 * Creates a logger writing to `write` (stdout by default: Lambda ships each line to CloudWatch as is).
 * @example createLogger((l) => lines.push(l)) // capture in tests
 */
export function createLogger(write: (line: string) => void = (l) => process.stdout.write(l)): Logger {
  return {
    info: (msg, fields) => write(line("info", msg, fields)),
    error: (msg, fields) => write(line("error", msg, fields)),
    request: (level, fields) => write(requestLine(level, fields)),
  };
}

// The lookbehind starts a match only where a run of base64url characters starts: without it the engine retried
// from every character of a long run, each retry scanning to the run's end (quadratic: 0.9 s for 15,000 letters).
const JWT_LIKE = /(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{8,}={0,2}\.[A-Za-z0-9_-]{8,}={0,2}(\.[A-Za-z0-9_-]*={0,2})?/g;

/** Masks anything shaped like a JWT in free text (error messages we did not write). */
export function scrubTokens(text: string): string {
  return text.replace(JWT_LIKE, "[redacted]");
}
