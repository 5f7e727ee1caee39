// validateAdditionalClaims through the rules shared with the emulator (lib/additional-claims.mts): the limits the construct gained from it, and CDK tokens.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Lazy } from "aws-cdk-lib";
import { validateAdditionalClaims } from "../src/jwt-validation";

describe("validateAdditionalClaims (the rules shared with the emulator)", () => {
  it("accepts a 256-character value and refuses 257, quoting the length", () => {
    assert.doesNotThrow(() => validateAdditionalClaims([{ name: "aud", format: "single-string", values: ["x".repeat(256)] }]));
    assert.throws(
      () => validateAdditionalClaims([{ name: "aud", format: "single-string", values: ["x".repeat(257)] }]),
      /machineRoutes\.additionalClaims\["aud"\]: values must be at most 256 characters, got 257\./,
    );
  });

  it("checks only the type of a value known at deploy time (a token twice is not a repeat)", () => {
    const token = Lazy.string({ produce: () => "orders:read" });
    assert.doesNotThrow(() => validateAdditionalClaims([{ name: "scope", format: "space-separated-values", values: [token, token] }]));
    assert.throws(
      () => validateAdditionalClaims([{ name: "scope", format: "space-separated-values", values: ["a", "a"] }]),
      /values must be unique, "a" appears twice/,
    );
  });
});
