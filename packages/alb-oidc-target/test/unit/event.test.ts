// Reading headers from ALB events: case-insensitive, both modes, and never picking one of several values.
import { describe, expect, it } from "vitest";
import { headerValues, isMultiValue, prefersHtml, readHeader, requestLine } from "../../src/alb/event.js";

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

describe("readHeader with several keys or odd names", () => {
  it("stays ambiguous once ambiguous, whatever follows", () => {
    const event = { headers: { [NAME]: "a", [` ${NAME}`]: "b" }, multiValueHeaders: { [NAME]: [] } };
    expect(readHeader(event, NAME)).toEqual({ kind: "ambiguous" });
  });

  it.each([
    ["a tab after the name", `${NAME}\t`],
    ["a no-break space before it", `\u00a0${NAME}`],
    ["a line separator after it", `${NAME}\u2028`],
  ])("is ambiguous for a name with %s", (_name, key) => {
    expect(readHeader({ headers: { [key]: "a" } }, NAME)).toEqual({ kind: "ambiguous" });
  });

  it("reads a name that lower-cases to the header's, and ignores one that does not", () => {
    // The Kelvin sign lower-cases to an ASCII "k"; a dotted capital I does not lower-case to "i".
    expect(readHeader({ headers: { "x-amzn-oidc-accesstO\u212aen": "t" } }, "x-amzn-oidc-accesstoken")).toEqual({
      kind: "one",
      value: "t",
    });
    expect(readHeader({ headers: { "x-amzn-oidc-\u0130dentity": "bob" } }, "x-amzn-oidc-identity")).toEqual({ kind: "absent" });
  });
});

describe("headerValues", () => {
  it("gives every string value under the name, in any case and both modes, however ambiguous", () => {
    const event = { headers: { Cookie: "a=1", cookie: "b=2" }, multiValueHeaders: { COOKIE: ["c=3", "d=4", 5] } };
    expect(headerValues(event, "cookie")).toEqual(["a=1", "b=2", "c=3", "d=4"]);
    expect(headerValues(event, "authorization")).toEqual([]);
    expect(headerValues(null, "cookie")).toEqual([]);
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
