// The logger: one JSON line per call, secret-named fields redacted, token-shaped text masked.
import { describe, expect, it } from "vitest";
import { createLogger, scrubTokens } from "../../src/log.js";

describe("createLogger", () => {
  it("writes one JSON object per line with level, time and message", () => {
    const lines: string[] = [];
    createLogger((l) => lines.push(l)).info("request", { status: 200, path: "/", skipped: undefined });
    expect(lines).toHaveLength(1);
    expect(lines[0]?.endsWith("\n")).toBe(true);
    const entry = JSON.parse(lines[0] ?? "") as Record<string, unknown>;
    expect(entry).toMatchObject({ level: "info", msg: "request", status: 200, path: "/" });
    expect(entry).not.toHaveProperty("skipped");
    expect(Number.isNaN(Date.parse(String(entry.time)))).toBe(false);
  });

  it.each(["accessToken", "cookie", "authorization", "clientSecret", "x-amzn-oidc-data"])("redacts a field named %s", (name) => {
    const lines: string[] = [];
    createLogger((l) => lines.push(l)).error("oops", { [name]: "s3cr3t-value" });
    expect(lines[0]).not.toContain("s3cr3t-value");
    expect(JSON.parse(lines[0] ?? "")).toMatchObject({ [name]: "[redacted]" });
  });
});

describe("scrubTokens", () => {
  it("masks JWT-shaped text, padded or not, and leaves prose alone", () => {
    const jwt = "eyJ0eXAiOiJKV1QifQ==.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlc2lnbmF0dXJl";
    expect(scrubTokens(`failed on ${jwt} today`)).toBe("failed on [redacted] today");
    expect(scrubTokens("Token expired at 2026-11-29T04:00:00.000Z")).toBe("Token expired at 2026-11-29T04:00:00.000Z");
  });
});
