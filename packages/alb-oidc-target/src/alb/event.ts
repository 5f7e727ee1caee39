// Reading the ALB's Lambda event: both header modes, case-insensitive names, and a refusal to pick one of several values.
import { isPlainObject } from "../guards.js";

/** The result of looking a header up: absent, exactly one value, or ambiguous (never guessed). */
export type HeaderValue = { readonly kind: "absent" } | { readonly kind: "one"; readonly value: string } | { readonly kind: "ambiguous" };

/** Is the event from a target group in multi-value headers mode? The result must then use the same mode. */
export function isMultiValue(event: unknown): boolean {
  return isPlainObject(event) && isPlainObject(event.multiValueHeaders);
}

/** A key of `headers` or `multiValueHeaders` that names the header, in any case or with white space around it. */
interface Match {
  readonly key: string;
  readonly value: unknown;
  readonly multi: boolean;
}

function matches(event: unknown, name: string): Match[] {
  const found: Match[] = [];
  if (!isPlainObject(event)) return found;
  for (const [source, multi] of [
    [event.headers, false],
    [event.multiValueHeaders, true],
  ] as const) {
    if (!isPlainObject(source)) continue;
    for (const [key, value] of Object.entries(source)) {
      if (key.toLowerCase().trim() === name) found.push({ key, value, multi });
    }
  }
  return found;
}

/**
 * Looks a header up by its lower-case name in `headers` and `multiValueHeaders` alike. Several keys
 * matching in any case, a multi-value array with more than one entry, a name with surrounding white
 * space or a non-string value all make the header ambiguous: the ALB never sends such a thing, so
 * something between it and us did.
 * @example readHeader(event, "x-amzn-oidc-data") // { kind: "one", value: "eyJ0eXAi..." }
 */
export function readHeader(event: unknown, name: string): HeaderValue {
  const found = matches(event, name);
  if (found.length === 0) return { kind: "absent" };
  const [only] = found;
  if (found.length > 1 || only === undefined || only.key.toLowerCase() !== name) return { kind: "ambiguous" };
  let value = only.value;
  if (only.multi) {
    if (!Array.isArray(value) || value.length > 1) return { kind: "ambiguous" };
    if (value.length === 0) return { kind: "absent" };
    value = value[0];
  }
  return typeof value === "string" ? { kind: "one", value } : { kind: "ambiguous" };
}

/**
 * Every string value sent under a header name, however malformed the header is (for removing the
 * request's own secrets from log text, where readHeader's refusal to pick one would hide them).
 * @example headerValues(event, "cookie") // ["AWSELBAuthSessionCookie-0=..."]
 */
export function headerValues(event: unknown, name: string): string[] {
  return matches(event, name)
    .flatMap(({ value }) => (Array.isArray(value) ? (value as unknown[]) : [value]))
    .filter((value): value is string => typeof value === "string");
}

/** The request line, read defensively: the handler must answer even a malformed event. */
export function requestLine(event: unknown): { method: string; path: string } {
  const e = isPlainObject(event) ? event : {};
  const method = typeof e.httpMethod === "string" ? e.httpMethod : "";
  const path = typeof e.path === "string" ? e.path : "";
  return { method, path };
}

/**
 * Does the request put `text/html` first in `accept`? That is how a browser asks for a page;
 * API clients ask for JSON or anything.
 * @example prefersHtml(albEvent({ headers: { accept: "text/html,application/xhtml+xml" } })) // true
 */
export function prefersHtml(event: unknown): boolean {
  const accept = readHeader(event, "accept");
  if (accept.kind !== "one") return false;
  // The first media range without its parameters.
  const first = accept.value.split(",")[0]?.split(";")[0] ?? "";
  return first.trim().toLowerCase() === "text/html";
}
