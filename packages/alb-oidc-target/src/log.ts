// The structured logger: one JSON object per line on stdout (or the caller's logger), and nothing in it that could carry a token.

/** A log line's fields. Values are our own words and numbers; tokens, cookies and secrets are never passed in. */
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

/**
 * Where log lines go: any object with `info` and `error` taking a message and its fields. Powertools'
 * `Logger` fits as it is, and so does `console`; another logger takes a one-line adapter.
 * @example
 * import { Logger } from "@aws-lambda-powertools/logger";
 * export const handler = withAlbAuth(app, { logger: new Logger({ serviceName: "notes" }) });
 * @example
 * const log = pino();
 * withAlbAuth(app, { logger: { info: (m, f) => log.info(f, m), error: (m, f) => log.error(f, m) } });
 */
export interface Logger {
  info(message: string, fields: LogFields): void;
  error(message: string, fields: LogFields): void;
}

/** Keys that must never reach a log even by mistake; their values are replaced. */
const SECRET_KEY = /token|cookie|authorization|secret|password|x-amzn-oidc/i;

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

/** The fields as they may be logged: secret-named ones redacted, long strings cut, undefined ones left out. */
function loggable(fields: LogFields): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    out[key] = SECRET_KEY.test(key) ? "[redacted]" : typeof value === "string" ? capped(value) : value;
  }
  return out;
}

function line(level: "info" | "error", msg: string, fields: LogFields): string {
  return `${JSON.stringify({ level, time: new Date().toISOString(), msg: capped(msg), ...loggable(fields) })}\n`;
}

/**
 * Creates a logger writing one JSON object a line to `write` (stdout by default: Lambda ships each
 * line to CloudWatch as is).
 * @example createLogger((l) => lines.push(l)) // capture in tests
 */
export function createLogger(write: (line: string) => void = (l) => process.stdout.write(l)): Logger {
  return {
    info: (msg, fields) => write(line("info", msg, fields)),
    error: (msg, fields) => write(line("error", msg, fields)),
  };
}

/**
 * A caller's logger behind the same redaction and length cap as our own lines.
 * @example const logger = guardedLogger(new Logger({ serviceName: "notes" }));
 */
export function guardedLogger(logger: Logger): Logger {
  return {
    info: (msg, fields) => logger.info(capped(msg), loggable(fields)),
    error: (msg, fields) => logger.error(capped(msg), loggable(fields)),
  };
}

// The lookbehind starts a match only where a run of base64url characters starts: without it the engine retried
// from every character of a long run, each retry scanning to the run's end (quadratic: 0.9 s for 15,000 letters).
const JWT_LIKE = /(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{8,}={0,2}\.[A-Za-z0-9_-]{8,}={0,2}(\.[A-Za-z0-9_-]*={0,2})?/g;

/**
 * Masks anything shaped like a JWT in free text (error messages we did not write), and every one of
 * `secrets` where it appears verbatim (the request's own opaque tokens and cookies, which have no shape).
 * @example scrubTokens(`db down for ${accessToken}`, [accessToken]) // "db down for [redacted]"
 */
export function scrubTokens(text: string, secrets: readonly string[] = []): string {
  let scrubbed = text;
  // Longest first: a cookie header is removed whole before the values inside it.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret !== "") scrubbed = scrubbed.split(secret).join("[redacted]");
  }
  return scrubbed.replace(JWT_LIKE, "[redacted]");
}
