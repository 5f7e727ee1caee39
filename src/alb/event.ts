// Reading the ALB's Lambda event: both header modes, case-insensitive names, and a refusal to pick one of several values.

/** The result of looking a header up: absent, exactly one value, or ambiguous (never guessed). */
export type HeaderValue = { readonly kind: "absent" } | { readonly kind: "one"; readonly value: string } | { readonly kind: "ambiguous" };

const ABSENT: HeaderValue = { kind: "absent" };
const AMBIGUOUS: HeaderValue = { kind: "ambiguous" };

/** Is the event from a target group in multi-value headers mode? The result must then use the same mode. */
export function isMultiValue(event: unknown): boolean {
  return objectOrNull(objectOrNull(event)?.multiValueHeaders) !== null;
}

function objectOrNull(value: unknown): Record<string, unknown> | null {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/**
 * Looks headers up by lower-case name in `headers` and `multiValueHeaders` alike, in one pass.
 * Several keys matching in any case, a multi-value array with more than one entry, a name with
 * surrounding white space or a non-string value all make the header ambiguous: the ALB never
 * sends such a thing, so something between it and us did.
 * @example readHeaders(event, ["x-amzn-oidc-data", "x-amzn-oidc-identity"])["x-amzn-oidc-data"] // { kind: "one", value: "eyJ0eXAi..." }
 */
export function readHeaders<N extends string>(event: unknown, names: readonly N[]): Record<N, HeaderValue> {
  const values = readHeaderList(event, names);
  const found = {} as Record<N, HeaderValue>;
  // indexOf, not i: a name given twice reads as the first (what scan fills).
  for (const name of names) found[name] = values[names.indexOf(name)] ?? ABSENT;
  return found;
}

/**
 * readHeaders by position: the values of `names`, in their order. What the request path uses: an
 * array of a few slots instead of an object keyed by header names, built anew for every request.
 * @example const [data, identity] = readHeaderList(event, ["x-amzn-oidc-data", "x-amzn-oidc-identity"]);
 */
export function readHeaderList(event: unknown, names: readonly string[]): HeaderValue[] {
  const found: HeaderValue[] = [];
  for (let i = 0; i < names.length; i++) found.push(ABSENT);
  const e = objectOrNull(event);
  if (!e) return found;
  const single = objectOrNull(e.headers);
  if (single) scan(single, false, names, found);
  const multi = objectOrNull(e.multiValueHeaders);
  if (multi) scan(multi, true, names, found);
  return found;
}

/**
 * A key that neither is any of `names` in another case nor has white space around it, told without
 * lower-casing it: its length is none of theirs, and its ends are printable ASCII (lower-casing keeps
 * the length of every character that becomes ASCII, and only characters at the ends are trimmed).
 * Most of an event's headers are skipped this way.
 */
function cannotBeAny(key: string, names: readonly string[]): boolean {
  const length = key.length;
  for (let j = 0; j < names.length; j++) if (names[j]?.length === length) return false;
  const first = key.charCodeAt(0);
  const last = key.charCodeAt(length - 1);
  return first > 32 && first < 127 && last > 32 && last < 127;
}

/** One header map's part of readHeaderList, into `found`. */
function scan(source: Record<string, unknown>, isMulti: boolean, names: readonly string[], found: HeaderValue[]): void {
  // Own enumerable keys, as for-in with hasOwn read them, in one call.
  const keys = Object.keys(source);
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k] as string;
    if (cannotBeAny(key, names)) continue;
    const lower = key.toLowerCase();
    const i = names.indexOf(lower);
    if (i < 0) {
      // A name with white space around it: refused rather than read.
      const trimmed = names.indexOf(lower.trim());
      if (trimmed >= 0) found[trimmed] = AMBIGUOUS;
      continue;
    }
    if (found[i] !== ABSENT) {
      found[i] = AMBIGUOUS;
      continue;
    }
    const raw = source[key];
    let value: unknown = raw;
    if (isMulti) {
      if (!Array.isArray(raw)) {
        found[i] = AMBIGUOUS;
        continue;
      }
      if (raw.length === 0) continue;
      value = raw.length > 1 ? undefined : raw[0];
    }
    found[i] = typeof value === "string" ? { kind: "one", value } : AMBIGUOUS;
  }
}

/** Looks one header up: see readHeaders. */
export function readHeader(event: unknown, name: string): HeaderValue {
  return readHeaderList(event, [name])[0] ?? ABSENT;
}

/** The request line, read defensively: the handler must answer even a malformed event. */
export function requestLine(event: unknown): { method: string; path: string } {
  const e = objectOrNull(event);
  const method = typeof e?.httpMethod === "string" ? e.httpMethod : "";
  const path = typeof e?.path === "string" ? e.path : "";
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
  // The first media range without its parameters: up to the first "," or ";".
  const value = accept.value;
  let end = value.indexOf(",");
  if (end < 0) end = value.length;
  const semicolon = value.indexOf(";");
  if (semicolon >= 0 && semicolon < end) end = semicolon;
  return value.slice(0, end).trim().toLowerCase() === "text/html";
}
