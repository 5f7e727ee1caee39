// Reading headers from ALB events: case-insensitive, both modes, and never picking one of several values.
import { describe, expect, it } from "vitest";
import { isMultiValue, readHeader, readHeaders, requestLine } from "../../src/alb/event.js";

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
