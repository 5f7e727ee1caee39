// The AdditionalClaims rules shared by the emulator and the construct (alb-oidc-target/rules): each rule once, and the emulator's wording of it.
import { describe, expect, it } from "vitest";
import { additionalClaimsProblem, type ClaimToCheck } from "alb-oidc-target/rules";
import { parseEmulatorConfig } from "../src/emulator/listener/config-file.js";

const ok: ClaimToCheck = { name: "scope", format: "space-separated-values", values: ["orders:read"] };

describe("additionalClaimsProblem", () => {
  it("accepts ten claims of ten values each", () => {
    const ten = Array.from({ length: 10 }, (_, i) => ({
      name: `c${i}`,
      format: "string-array",
      values: Array.from({ length: 10 }, (_, j) => `v${j}`),
    }));
    expect(additionalClaimsProblem(ten)).toBeUndefined();
  });

  it.each<[string, readonly ClaimToCheck[], unknown]>([
    ["eleven claims", Array.from({ length: 11 }, (_, i) => ({ ...ok, name: `c${i}` })), { problem: "too-many-claims", count: 11 }],
    ["no name", [{ ...ok, name: "" }], { problem: "no-name", index: 0, name: "" }],
    ["a reserved name", [ok, { ...ok, name: "nbf" }], { problem: "reserved-name", index: 1, name: "nbf" }],
    ["a name twice", [ok, ok], { problem: "repeated-name", index: 1, name: "scope" }],
    ["an unknown format", [{ ...ok, format: "csv" }], { problem: "unknown-format", index: 0, name: "scope", format: "csv" }],
    ["no values", [{ ...ok, values: [] }], { problem: "value-count", index: 0, name: "scope", values: [] }],
    ["eleven values", [{ ...ok, values: Array.from({ length: 11 }, (_, i) => `v${i}`) }], { problem: "value-count", index: 0 }],
    ["an empty value", [{ ...ok, values: [""] }], { problem: "bad-value", index: 0, name: "scope", value: "" }],
    ["a value of 257 characters", [{ ...ok, values: ["x".repeat(257)] }], { problem: "long-value", value: "x".repeat(257) }],
    ["a value twice", [{ ...ok, values: ["a", "a"] }], { problem: "repeated-value", index: 0, name: "scope", value: "a" }],
    ["whitespace in a space-separated value", [{ ...ok, values: ["a\tb"] }], { problem: "space-in-value", value: "a\tb" }],
  ])("names the first rule broken: %s", (_name, claims, expected) => {
    expect(additionalClaimsProblem(claims)).toMatchObject(expected as object);
  });

  it("allows a 256-character value and spaces in single-string values", () => {
    expect(additionalClaimsProblem([{ ...ok, values: ["x".repeat(256)] }])).toBeUndefined();
    expect(additionalClaimsProblem([{ ...ok, format: "single-string", values: ["a b"] }])).toBeUndefined();
  });

  it("checks only the type of a value known at deploy time", () => {
    const token = "${Token[TOKEN.1]}";
    const isUnresolved = (v: string) => v === token;
    expect(additionalClaimsProblem([{ ...ok, values: [token, token] }], { isUnresolved })).toBeUndefined();
    expect(additionalClaimsProblem([{ ...ok, values: [token, token] }])).toMatchObject({ problem: "repeated-value" });
  });
});

describe("the emulator's JwtValidation.AdditionalClaims, checked by the same rules", () => {
  const parse = (claims: unknown[]) => () =>
    parseEmulatorConfig({ JwtValidation: { PathPrefixes: ["/api/"], AdditionalClaims: claims } }, "alb.json");
  const claim = { Format: "string-array", Name: "groups", Values: ["a"] };

  it.each<[string, unknown[], string]>([
    ["a claim twice", [claim, claim], 'alb.json: JwtValidation.AdditionalClaims[1].Name cannot be "groups" again'],
    [
      "a value twice",
      [{ ...claim, Values: ["a", "a"] }],
      'alb.json: JwtValidation.AdditionalClaims[0].Values must be unique, "a" appears twice',
    ],
    [
      "a value over 256 characters",
      [{ ...claim, Values: ["x".repeat(257)] }],
      "Values must hold non-empty strings of at most 256 characters",
    ],
    [
      "a claim's unknown field before a later claim's broken rule",
      [
        { ...claim, Regex: "x" },
        { ...claim, Name: "exp" },
      ],
      "AdditionalClaims[0].Regex is not a field",
    ],
    [
      "a claim's broken rule before a later claim's unknown field",
      [
        { ...claim, Name: "exp" },
        { ...claim, Regex: "x" },
      ],
      'AdditionalClaims[0].Name cannot be "exp"',
    ],
  ])("refuses %s", (_name, claims, message) => {
    expect(parse(claims)).toThrow(message);
  });

  it("keeps the claims as written", () => {
    const file = parseEmulatorConfig({ JwtValidation: { PathPrefixes: ["/api/"], AdditionalClaims: [claim] } }, "alb.json");
    expect(file.JwtValidation?.AdditionalClaims).toEqual([claim]);
  });
});
