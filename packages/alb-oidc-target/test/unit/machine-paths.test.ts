// Telling machine paths from user paths: the shortcut for plain paths answers what parsing every form answers, and each form is read as its framework reads it.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { machinePaths, type PathKind } from "../../src/routes/route.js";

describe("machinePaths", () => {
  it("the plain-path shortcut changes no verdict: random paths and prefixes, both case modes", () => {
    const seen: Record<PathKind, number> = { machine: 0, user: 0, ambiguous: 0 };
    let plain = 0;
    const unit = fc.constantFrom(
      ..."/\\.%2eEaApPiI?#_~:@ \t".split(""),
      "%2e",
      "%2E",
      "%2f",
      "%5c",
      "%61",
      "%25",
      "..",
      "//",
      "ä",
      "api",
      "API",
    );
    const path = fc.oneof(
      fc.string({ unit }),
      fc.string({ unit }).map((s) => `/${s}`),
    );
    const prefix = fc.constantFrom("/api/", "/API/", "/a.b/", "/ä/", "/", "/a%62c/", "/api");
    fc.assert(
      fc.property(path, fc.array(prefix, { minLength: 1, maxLength: 3 }), fc.boolean(), (p, prefixes, caseSensitive) => {
        const quick = machinePaths(prefixes, { caseSensitive }).kindOf(p);
        const parsed = machinePaths(prefixes, { caseSensitive, parseEveryPath: true }).kindOf(p);
        expect(quick, `${JSON.stringify(p)} under ${JSON.stringify(prefixes)}`).toBe(parsed);
        seen[quick]++;
        if (/^\/[\w/]*$/.test(p) && !p.includes("//")) plain++;
      }),
      { numRuns: 3000 },
    );
    // The run reached every verdict, and plain paths (the shortcut) as well as the others.
    expect(seen.machine).toBeGreaterThan(100);
    expect(seen.user).toBeGreaterThan(100);
    expect(seen.ambiguous).toBeGreaterThan(100);
    expect(plain).toBeGreaterThan(100);
  });

  it.each([
    ["/api/orders", "machine"],
    ["/api", "user"],
    ["/apiary", "user"],
    ["/API/orders", "machine"],
    ["/x/../api/orders", "ambiguous"],
    ["/api/../x", "ambiguous"],
    ["/api/./orders", "machine"],
    ["//x/api/orders", "ambiguous"],
    ["//api/orders", "ambiguous"],
    ["/%61pi/orders", "ambiguous"],
    ["/api/%zz", "machine"],
    ["//[/api/orders", "ambiguous"],
    ["", "user"],
    ["/", "user"],
  ] as const)("%j is %s under /api/", (path, kind) => {
    expect(machinePaths(["/api/"], { caseSensitive: false }).kindOf(path)).toBe(kind);
  });

  it("a prefix with characters URL parsing encodes still matches itself, written either way", () => {
    const paths = machinePaths(["/ä/"], { caseSensitive: false });
    expect(paths.kindOf("/ä/x")).toBe("machine");
    expect(paths.kindOf("/b/x")).toBe("user");
  });
});
