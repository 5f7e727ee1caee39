// Listener rules: the ALB's wildcard semantics for path-pattern (case-sensitive) and host-header (case-insensitive), priority order, the default rule last.
import { describe, expect, it } from "vitest";
import { matchRule, prefixOf, sortRules, wildcardMatch, type Listener, type ListenerRule } from "../src/emulator/listener/rules.js";

describe("wildcardMatch", () => {
  it.each([
    ["/api/*", "/api/orders", true],
    ["/api/*", "/api/", true],
    ["/api/*", "/api", false],
    ["/api/*", "/API/orders", false],
    ["/img/*.png", "/img/a/b.png", true],
    ["/img/*.png", "/img/a.png.txt", false],
    ["/v?/x", "/v1/x", true],
    ["/v?/x", "/v10/x", false],
    ["*", "", true],
    ["/exact", "/exact", true],
    ["/exact", "/exact/", false],
    ["*a*a*a*a*b", "a".repeat(5000), false],
  ])("%s against %s: %s", (pattern, value, expected) => {
    expect(wildcardMatch(pattern, value)).toBe(expected);
  });

  it("host names match without regard to case", () => {
    expect(wildcardMatch("*.Example.com", "api.example.COM", true)).toBe(true);
    expect(wildcardMatch("*.example.com", "example.com", true)).toBe(false);
  });
});

describe("matchRule", () => {
  const rule = (name: string, priority: number | undefined, conditions: ListenerRule["conditions"]): ListenerRule => ({
    name,
    priority,
    conditions,
    action: { type: "forward" },
  });
  const listener: Listener = {
    rules: sortRules([
      rule("default", undefined, []),
      rule("api-on-admin-host", 20, [
        { field: "path-pattern", values: ["/api/*"] },
        { field: "host-header", values: ["admin.*"] },
      ]),
      rule("api", 30, [{ field: "path-pattern", values: ["/api/*", "/v2/*"] }]),
      rule("posts", 10, [{ field: "http-request-method", values: ["POST"] }]),
    ]),
    notes: [],
  };
  const match = (path: string, host = "localhost", method = "GET") => matchRule(listener, { path, host, method })?.name;

  it("takes the lowest priority whose conditions all match, the default last", () => {
    expect(listener.rules.map((r) => r.name)).toEqual(["posts", "api-on-admin-host", "api", "default"]);
    expect(match("/api/x", "admin.example.com")).toBe("api-on-admin-host");
    expect(match("/api/x")).toBe("api");
    expect(match("/v2/x")).toBe("api");
    expect(match("/api/x", "admin.example.com", "POST")).toBe("posts");
    expect(match("/other")).toBe("default");
  });
});

describe("prefixOf", () => {
  it("turns <prefix>* into the function's M2M_PATH_PREFIXES entry, and nothing else", () => {
    expect(prefixOf("/api/*")).toBe("/api/");
    expect(prefixOf("/api/*/x")).toBeUndefined();
    expect(prefixOf("/a?i/*")).toBeUndefined();
    expect(prefixOf("/api")).toBeUndefined();
  });
});
