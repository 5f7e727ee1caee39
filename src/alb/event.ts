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
 * Looks a header up by lower-case name in `headers` and `multiValueHeaders` alike.
 * Several keys matching in any case, a multi-value array with more than one entry, a name with
 * surrounding white space or a non-string value all make the header ambiguous: the ALB never
 * sends such a thing, so something between it and us did.
 * @example readHeader(event, "x-amzn-oidc-data") // { kind: "one", value: "eyJ0eXAi..." }
 */
export function readHeader(event: unknown, name: string): HeaderValue {
  const e = objectOrNull(event);
  if (!e) return ABSENT;
  let found: HeaderValue = ABSENT;
  const single = objectOrNull(e.headers);
  const multi = objectOrNull(e.multiValueHeaders);
  for (const [source, isMulti] of [
    [single, false],
    [multi, true],
  ] as const) {
    if (!source) continue;
    for (const key in source) {
      if (!Object.hasOwn(source, key)) continue;
      const lower = key.toLowerCase();
      if (lower !== name) {
        if (lower.trim() === name) return AMBIGUOUS;
        continue;
      }
      const raw = source[key];
      let value: unknown = raw;
      if (isMulti) {
        if (!Array.isArray(raw)) return AMBIGUOUS;
        if (raw.length === 0) continue;
        if (raw.length > 1) return AMBIGUOUS;
        value = raw[0];
      }
      if (typeof value !== "string") return AMBIGUOUS;
      if (found.kind !== "absent") return AMBIGUOUS;
      found = { kind: "one", value };
    }
  }
  return found;
}

/** The request line, read defensively: the handler must answer even a malformed event. */
export function requestLine(event: unknown): { method: string; path: string } {
  const e = objectOrNull(event);
  const method = typeof e?.httpMethod === "string" ? e.httpMethod : "";
  const path = typeof e?.path === "string" ? e.path : "";
  return { method, path };
}
