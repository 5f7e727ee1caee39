// JSON text written without JSON.stringify for plain strings and rounded durations: always the text JSON.stringify writes.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jsonString, millisText, numberText } from "../../src/json-text.js";

const asJson = (value: number): string => JSON.stringify(value);

describe("jsonString", () => {
  it("writes what JSON.stringify writes, for plain and odd strings alike (4,000 random strings)", () => {
    const plain = fc.string({ unit: fc.constantFrom(..."azAZ09_ ./:-".split("")) });
    const odd = fc.string({ unit: "binary" });
    const edges = fc.constantFrom("", "@", "`", "[", "{", ",", ";", "\u007f", "\u00e9", "\ud800", '"', "\\", "\t", "/whoami?x=1");
    fc.assert(
      fc.property(fc.oneof(plain, odd, edges), (s) => {
        expect(jsonString(s)).toBe(JSON.stringify(s));
      }),
      { numRuns: 4000, seed: 20261202 },
    );
  });
});

describe("millisText", () => {
  it("writes a duration rounded to microseconds as JSON does, from 0 to about 11 days", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e12 }), (us) => {
        expect(millisText(us / 1000)).toBe(asJson(us / 1000));
      }),
      { numRuns: 4000, seed: 20261202 },
    );
    for (const us of [0, 1, 10, 100, 1000, 1010, 1100, 999999, 123456, 5e14 + 1]) expect(millisText(us / 1000)).toBe(asJson(us / 1000));
  });

  it("writes any other number as JSON does (null for NaN and the infinities)", () => {
    fc.assert(
      fc.property(fc.double(), (ms) => {
        expect(millisText(ms)).toBe(asJson(ms));
        expect(numberText(ms)).toBe(asJson(ms));
      }),
      { numRuns: 4000, seed: 20261202 },
    );
    for (const ms of [-0, -1.5, 0.0005, 1e-7, 1e21, 2 ** 53, 1e15 / 1000 + 0.5]) expect(millisText(ms)).toBe(asJson(ms));
  });
});
