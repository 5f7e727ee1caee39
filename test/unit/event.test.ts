// Reading headers from ALB events: case-insensitive, both modes, and never picking one of several values.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isMultiValue, prefersHtml, readHeader, readHeaderList, readHeaders, requestLine, type HeaderValue } from "../../src/alb/event.js";

const NAME = "x-amzn-oidc-data";

describe("readHeader", () => {
  it("finds a lower-case header in single-value mode", () => {
    expect(readHeader({ headers: { [NAME]: "t" } }, NAME)).toEqual({ kind: "one", value: "t" });
  });

  it("matches names case-insensitively", () => {
    expect(readHeader({ headers: { "X-Amzn-Oidc-Data": "t" } }, NAME)).toEqual({ kind: "one", value: "t" });
  });

  it("reads a one-element array in multi-value mode", () => {
    expect(readHeader({ multiValueHeaders: { [NAME]: ["t"] } }, NAME)).toEqual({ kind: "one", value: "t" });
  });

  it("treats a missing header, an empty array and a missing headers object as absent", () => {
    expect(readHeader({ headers: {} }, NAME)).toEqual({ kind: "absent" });
    expect(readHeader({ multiValueHeaders: { [NAME]: [] } }, NAME)).toEqual({ kind: "absent" });
    expect(readHeader({}, NAME)).toEqual({ kind: "absent" });
    expect(readHeader(null, NAME)).toEqual({ kind: "absent" });
  });

  it.each([
    ["two values in multi-value mode", { multiValueHeaders: { [NAME]: ["a", "b"] } }],
    ["the same name in two casings", { headers: { [NAME]: "a", "X-AMZN-OIDC-DATA": "b" } }],
    ["present in headers and multiValueHeaders", { headers: { [NAME]: "a" }, multiValueHeaders: { [NAME]: ["a"] } }],
    ["a name with surrounding white space", { headers: { [` ${NAME}`]: "a" } }],
    ["a non-string value", { headers: { [NAME]: 42 } }],
    ["a non-array value in multi-value mode", { multiValueHeaders: { [NAME]: "a" } }],
  ])("is ambiguous for %s", (_name, event) => {
    expect(readHeader(event, NAME)).toEqual({ kind: "ambiguous" });
  });

  it("ignores inherited properties", () => {
    const headers = Object.create({ [NAME]: "inherited" }) as Record<string, string>;
    expect(readHeader({ headers }, NAME)).toEqual({ kind: "absent" });
  });
});

describe("isMultiValue and requestLine", () => {
  it("is multi-value only when multiValueHeaders is an object", () => {
    expect(isMultiValue({ multiValueHeaders: {} })).toBe(true);
    expect(isMultiValue({ headers: {} })).toBe(false);
    expect(isMultiValue({ multiValueHeaders: null })).toBe(false);
    expect(isMultiValue(undefined)).toBe(false);
  });

  it("reads method and path defensively", () => {
    expect(requestLine({ httpMethod: "POST", path: "/x" })).toEqual({ method: "POST", path: "/x" });
    expect(requestLine({ httpMethod: 1, path: null })).toEqual({ method: "", path: "" });
  });
});

describe("readHeaders", () => {
  it("reads several headers in one pass, each with readHeader's answer", () => {
    const event = { headers: { "X-Amzn-Oidc-Data": "t", "x-amzn-oidc-identity": "a", "x-amzn-oidc-IDENTITY": "b" } };
    const names = ["x-amzn-oidc-data", "x-amzn-oidc-identity", "x-amzn-oidc-accesstoken"] as const;
    const found = readHeaders(event, names);
    expect(found).toEqual({
      "x-amzn-oidc-data": { kind: "one", value: "t" },
      "x-amzn-oidc-identity": { kind: "ambiguous" },
      "x-amzn-oidc-accesstoken": { kind: "absent" },
    });
    for (const name of names) expect(readHeader(event, name)).toEqual(found[name]);
  });

  it("stays ambiguous once ambiguous, whatever follows", () => {
    const event = { headers: { [NAME]: "a", [` ${NAME}`]: "b" }, multiValueHeaders: { [NAME]: [] } };
    expect(readHeader(event, NAME)).toEqual({ kind: "ambiguous" });
  });
});

describe("readHeaderList against the rule it implements", () => {
  /** The rule, written plainly: lower-case every key, trim it, and compare (what the length shortcut must agree with). */
  function reference(headers: Record<string, unknown>, names: readonly string[]): HeaderValue[] {
    const found: HeaderValue[] = names.map(() => ({ kind: "absent" }));
    for (const key of Object.keys(headers)) {
      const lower = key.toLowerCase();
      const i = names.indexOf(lower);
      if (i < 0) {
        const t = names.indexOf(lower.trim());
        if (t >= 0) found[t] = { kind: "ambiguous" };
        continue;
      }
      const value = headers[key];
      found[i] = found[i]?.kind !== "absent" || typeof value !== "string" ? { kind: "ambiguous" } : { kind: "one", value };
    }
    return found;
  }
  const names = ["x-amzn-oidc-data", "accept", "x-amzn-oidc-identity"];
  // Kelvin sign and dotted capital I change case to ASCII-looking text; the rest are white space JavaScript trims.
  const oddities = ["\u212a", "\u0130", "K", "I", " ", "\t", "\u00a0", "\ufeff", "\u2028", "\u3000", "\n", ""];
  const bases = [...names, "host", "x-forwarded-port", "cookie", "user-agent", "ACCEPT", "X-Amzn-Oidc-Data", "accepk", "acceIt"];

  it("agrees with lower-case-and-trim for keys with odd characters at the ends, in the middle and in other lengths", () => {
    // A key: a base name with an odd character before it, after it, or inside it.
    const keyArb = fc
      .tuple(fc.constantFrom(...bases), fc.constantFrom(...oddities), fc.nat(), fc.constantFrom("before", "after", "inside"))
      .map(([base, odd, at, where]) => {
        if (where === "before") return `${odd}${base}`;
        if (where === "after") return `${base}${odd}`;
        const i = at % (base.length + 1);
        return base.slice(0, i) + odd + base.slice(i);
      });
    const headersArb = fc.dictionary(keyArb, fc.constantFrom<unknown>("v", 5), { minKeys: 1, maxKeys: 4 });
    fc.assert(
      fc.property(headersArb, (headers) => {
        expect(readHeaderList({ headers }, names), JSON.stringify(Object.keys(headers))).toEqual(reference(headers, names));
      }),
      { numRuns: 3000, seed: 7 },
    );
  });
});

describe("prefersHtml", () => {
  it.each([
    ["text/html,application/xhtml+xml", true],
    [" TEXT/HTML ;q=0.9, application/json", true],
    ["text/html;level=1", true],
    ["application/json, text/html", false],
    ["text/htmlx", false],
    ["", false],
    [";text/html", false],
  ])("accept %j -> %s", (accept, expected) => {
    expect(prefersHtml({ headers: { accept } })).toBe(expected);
  });
});
