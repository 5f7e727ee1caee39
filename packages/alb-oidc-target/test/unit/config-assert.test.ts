// The shared configuration asserts alone: each passes a good value through and fails naming the setting and quoting the bad value.
import { describe, expect, it } from "vitest";
import {
  assertEach,
  assertList,
  assertRequired,
  assertIntegerInRange,
  assertMatches,
  assertNonEmptyString,
  assertOneOf,
  assertUrl,
  quote,
  reject,
  splitList,
  type Fail,
} from "../../src/rules/config-assert.js";

const fail: Fail = (name, problem) => {
  throw new Error(`${name} ${problem}`);
};

describe("config asserts", () => {
  it("quote shows strings as written in double quotes and anything else as JSON", () => {
    expect([quote("yes"), quote(5), quote(true), quote(null), quote(undefined), quote({ a: 1 })]).toEqual([
      '"yes"',
      "5",
      "true",
      "null",
      "undefined",
      '{"a":1}',
    ]);
  });

  it("assertOneOf returns an allowed value and lists the alternatives otherwise", () => {
    expect(assertOneOf(fail, "MODE", "deny", ["authenticate", "deny", "allow"])).toBe("deny");
    expect(() => assertOneOf(fail, "MODE", "DENY", ["authenticate", "deny", "allow"])).toThrow(
      'MODE must be "authenticate", "deny" or "allow", got "DENY"',
    );
    expect(() => assertOneOf(fail, "FLAG", "yes", [true, false])).toThrow('FLAG must be true or false, got "yes"');
  });

  it("assertIntegerInRange accepts the bounds, refuses fractions, out-of-range and non-numbers, quoting what was written", () => {
    const range = { min: 1, max: 10 };
    expect([assertIntegerInRange(fail, "N", 1, range), assertIntegerInRange(fail, "N", 10, range)]).toEqual([1, 10]);
    for (const bad of [0, 11, 1.5, Number.NaN, "5"])
      expect(() => assertIntegerInRange(fail, "N", bad, range)).toThrow(/^N must be a whole number from 1 to 10, got /);
    expect(() => assertIntegerInRange(fail, "N", Number("x"), { ...range, shown: "x" })).toThrow(
      'N must be a whole number from 1 to 10, got "x"',
    );
    expect(() => assertIntegerInRange(fail, "T", 0, { ...range, what: "a whole number of seconds" })).toThrow(
      "T must be a whole number of seconds from 1 to 10, got 0",
    );
  });

  it("assertNonEmptyString refuses blank strings and non-strings", () => {
    expect(assertNonEmptyString(fail, "S", "x")).toBe("x");
    expect(() => assertNonEmptyString(fail, "S", "  ")).toThrow('S must be a non-empty string, got "  "');
    expect(() => assertNonEmptyString(fail, "S", 3)).toThrow("S must be a non-empty string, got 3");
  });

  it("assertUrl parses an absolute URL and quotes anything else", () => {
    expect(assertUrl(fail, "U", "https://a.example/x", "must be an absolute URL").hostname).toBe("a.example");
    expect(() => assertUrl(fail, "U", "/relative", "must be an absolute URL")).toThrow('U must be an absolute URL, got "/relative"');
  });

  it("assertMatches returns a matching string and quotes one that does not match", () => {
    expect(assertMatches(fail, "P", "/x", /^\//, 'must be a path starting with "/"')).toBe("/x");
    expect(() => assertMatches(fail, "P", "x", /^\//, 'must be a path starting with "/"')).toThrow(
      'P must be a path starting with "/", got "x"',
    );
  });

  it("assertEach quotes the first item that fails a pattern or a predicate", () => {
    expect(() => assertEach(fail, "L", ["/a", "b", "c"], /^\//, "must hold paths")).toThrow('L must hold paths, got "b"');
    expect(() => assertEach(fail, "L", ["x", "y"], (s) => s === "x", "must be x")).toThrow('L must be x, got "y"');
    expect(() => assertEach(fail, "L", ["/a"], /^\//, "must hold paths")).not.toThrow();
  });

  it("splitList trims entries and drops empty ones", () => {
    expect(splitList(" a, b ,,c ,")).toEqual(["a", "b", "c"]);
    expect(splitList(" , ")).toEqual([]);
  });

  it("reject quotes the bad value after the requirement, as the Fail quotes when it says how", () => {
    expect(() => reject(fail, "P", "must be a path", 'a"b')).toThrow('P must be a path, got "a"b"');
    const json: Fail = Object.assign((name: string, problem: string): never => fail(name, problem), { quote: JSON.stringify });
    expect(() => reject(json, "P", "must be a path", 'a"b')).toThrow('P must be a path, got "a\\"b"');
    expect(() => assertOneOf(json, "M", 'x"', ["a"])).toThrow('M must be "a", got "x\\""');
  });

  it("assertRequired passes a present value through and fails with the problem alone for undefined, null or empty", () => {
    expect([assertRequired(fail, "R", "x", "is required"), assertRequired(fail, "R", 0, "is required")]).toEqual(["x", 0]);
    expect(assertRequired(fail, "R", " ", "is required")).toBe(" ");
    for (const absent of [undefined, null, ""])
      expect(() => assertRequired(fail, "R", absent, "is required: why")).toThrow(/^R is required: why$/);
  });

  it("assertOneOf and assertIntegerInRange take the caller's wording of the requirement", () => {
    expect(assertOneOf(fail, "D", 30, [1, 30], "must be one of 1, 30")).toBe(30);
    expect(() => assertOneOf(fail, "D", 10, [1, 30], "must be one of 1, 30")).toThrow("D must be one of 1, 30, got 10");
    const atLeastOne = { min: 1, max: Infinity, mustBe: "must be 1 or more" };
    expect(assertIntegerInRange(fail, "N", 2 ** 40, atLeastOne)).toBe(2 ** 40);
    expect(() => assertIntegerInRange(fail, "N", 0, atLeastOne)).toThrow("N must be 1 or more, got 0");
  });

  it("assertUrl fails, with the same requirement, for a URL that accept refuses", () => {
    const https = (url: URL) => url.protocol === "https:";
    expect(assertUrl(fail, "U", "https://a.example", "must be an https:// URL", https).host).toBe("a.example");
    expect(() => assertUrl(fail, "U", "http://a.example", "must be an https:// URL", https)).toThrow(
      'U must be an https:// URL, got "http://a.example"',
    );
  });

  it("assertMatches refuses a value that is not a string, quoting it", () => {
    expect(() => assertMatches(fail, "P", 5, /^\d$/, "must be a digit")).toThrow("P must be a digit, got 5");
  });

  it("assertList splits a string, keeps an array of strings (dropping empty ones) and quotes anything else whole", () => {
    expect(assertList(fail, "L", " /a, /b ,", "must be a list")).toEqual(["/a", "/b"]);
    expect(assertList(fail, "L", [" /a", ""], "must be a list")).toEqual([" /a"]);
    expect(() => assertList(fail, "L", ["/a", 1], "must be a list")).toThrow('L must be a list, got ["/a",1]');
    expect(() => assertList(fail, "L", { a: 1 }, "must be a list")).toThrow('L must be a list, got {"a":1}');
  });
});
