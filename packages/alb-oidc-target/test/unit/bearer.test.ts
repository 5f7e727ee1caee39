// bearerToken, the linear parser, against the regex it replaced (used here as an oracle on short inputs, where its backtracking costs nothing).
import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { bearerToken } from "../../src/auth/bearer.js";
import { AuthError } from "../../src/errors.js";

/** The old implementation, verbatim: quadratic on long runs of whitespace, exact on short ones. */
function oracle(authorization: string): string {
  const m = /^\s*(\S+)(?:[ \t]+(.*?))?\s*$/s.exec(authorization);
  if (m?.[1]?.toLowerCase() !== "bearer" || !m[2]) return "missing_token";
  if (!/^[A-Za-z0-9\-._~+/]+=*$/.test(m[2])) return "malformed_token";
  return `token ${m[2]}`;
}

function parsed(authorization: string): string {
  try {
    return `token ${bearerToken(authorization)}`;
  } catch (err) {
    if (err instanceof AuthError) return err.code;
    throw err;
  }
}

const pieces = ["Bearer", "bearer", "BEARER", "Basic", " ", "\t", "\n", "\r", "\u00a0", "abc", "x.y.z", "=", "==", "+/", "-_~.", "é", ""];

describe("bearerToken", () => {
  test.prop([fc.array(fc.constantFrom(...pieces), { maxLength: 8 }).map((a) => a.join(""))], { numRuns: 5000 })(
    "answers exactly as the regex it replaced on short inputs",
    (value) => {
      expect(parsed(value)).toBe(oracle(value));
    },
  );

  it.each([
    ["Bearer abc", "token abc"],
    ["  bearer\t\tabc.def  ", "token abc.def"],
    ["Bearer", "missing_token"],
    ["Basic abc", "missing_token"],
    ["Bearer\nabc", "missing_token"],
    ["Bearer a b", "malformed_token"],
    ["Bearer abc=", "token abc="],
  ])("%j -> %s", (value, want) => {
    expect(parsed(value)).toBe(want);
  });

  it("refuses a value longer than a token can be before looking at it", () => {
    expect(parsed(`Basic ${"a".repeat(17_000)}`)).toBe("malformed_token");
    expect(parsed(`Bearer ${"a".repeat(16 * 1024)}`)).toBe(`token ${"a".repeat(16 * 1024)}`);
  });
});
