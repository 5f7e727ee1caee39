// The logger: one JSON line per call, secret-named fields redacted, long values cut, token-shaped text and the request's own secrets masked.
import { afterEach, describe, expect, it, vi } from "vitest";
import { createLogger, guardedLogger, scrubTokens, type LogFields } from "../../src/log.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("createLogger", () => {
  it("writes one JSON object per line: level, time, message, then the fields in their order", () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.UTC(2026, 11, 1, 23, 59, 59, 7));
    const lines: string[] = [];
    createLogger((l) => lines.push(l)).info("request", { status: 200, path: "/a b", skipped: undefined, route: "user" });
    expect(lines).toEqual([
      '{"level":"info","time":"2026-12-01T23:59:59.007Z","msg":"request","status":200,"path":"/a b","route":"user"}\n',
    ]);
  });

  it("writes an error line at level error", () => {
    const lines: string[] = [];
    createLogger((l) => lines.push(l)).error("oops", { status: 500 });
    expect(JSON.parse(lines[0] ?? "")).toMatchObject({ level: "error", msg: "oops", status: 500 });
  });

  it.each(["accessToken", "cookie", "authorization", "clientSecret", "x-amzn-oidc-data"])("redacts a field named %s", (name) => {
    const lines: string[] = [];
    createLogger((l) => lines.push(l)).error("oops", { [name]: "s3cr3t-value" });
    expect(lines[0]).not.toContain("s3cr3t-value");
    expect(JSON.parse(lines[0] ?? "")).toMatchObject({ [name]: "[redacted]" });
  });

  it("cuts a string value to 1,024 characters, saying how many were left out", () => {
    const lines: string[] = [];
    createLogger((l) => lines.push(l)).info("request", { path: `/${"a".repeat(2000)}` });
    expect(JSON.parse(lines[0] ?? "")).toMatchObject({ path: `/${"a".repeat(1023)}...[977 more chars]` });
  });
});

describe("guardedLogger", () => {
  it("hands a caller's logger the fields our line would hold: secret names redacted, long values cut, undefined left out", () => {
    const calls: [string, string, LogFields][] = [];
    const logger = guardedLogger({
      info: (message, fields) => calls.push(["info", message, fields]),
      error: (message, fields) => calls.push(["error", message, fields]),
    });
    logger.info("request", { status: 401, cookie: "session=abc", reason: undefined, path: "x".repeat(1100) });
    logger.error("request", { status: 500 });
    expect(calls).toEqual([
      ["info", "request", { status: 401, cookie: "[redacted]", path: `${"x".repeat(1024)}...[76 more chars]` }],
      ["error", "request", { status: 500 }],
    ]);
  });
});

describe("scrubTokens", () => {
  it("masks JWT-shaped text, padded or not, and leaves prose alone", () => {
    const jwt = "eyJ0eXAiOiJKV1QifQ==.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlc2lnbmF0dXJl";
    expect(scrubTokens(`failed on ${jwt} today`)).toBe("failed on [redacted] today");
    expect(scrubTokens("Token expired at 2026-11-29T04:00:00.000Z")).toBe("Token expired at 2026-11-29T04:00:00.000Z");
  });

  it("removes each given secret wherever it appears verbatim, the longest first", () => {
    const cookie = "AWSELBAuthSessionCookie-0=opaqueSessionValue; lang=en";
    expect(scrubTokens(`bad ${cookie} and again opaqueSessionValue, ya29.a0AfH6SM`, [cookie, "opaqueSessionValue", "ya29.a0AfH6SM"])).toBe(
      "bad [redacted] and again [redacted], [redacted]",
    );
    expect(scrubTokens("nothing to hide", ["", "absent-secret"])).toBe("nothing to hide");
  });
});
