// The logger: one JSON line per call, secret-named fields redacted, token-shaped text masked.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createLogger, isoNowForTest, lineForTest, scrubTokens } from "../../src/log.js";

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

describe("the line as written", () => {
  const { line, requestLine } = lineForTest;
  // Compared without the timestamp: the two calls may fall in different milliseconds.
  const untimed = (text: string): string => text.replace(/"time":"[^"]*"/, '"time":""');
  const strings = [
    "",
    "/whoami",
    'a "quoted" \\ back',
    "tab\there\nnewline\u0000nul\u007f",
    "caf\u00e9 \u{1f600} \ud800 lone",
    "x".repeat(2000),
    "</script>",
    "a,b:c;d",
    'say "hi"',
  ];
  it("writes the request line as line does for the same fields, for any values (2,000 random lines)", () => {
    const text = fc.constantFrom(...strings);
    const maybe = fc.option(text, { nil: undefined });
    const number = fc.oneof(
      fc.integer({ min: 100, max: 599 }),
      fc.integer({ min: 0, max: 1e9 }).map((us) => us / 1000),
      fc.double(),
      fc.constantFrom(-0, 0.25, 1e21, 1e-7),
    );
    const fieldsArb = fc.record({
      requestId: text,
      method: text,
      path: text,
      route: maybe,
      status: number,
      error: maybe,
      reason: maybe,
      durationMs: number,
    });
    fc.assert(
      fc.property(fieldsArb, fc.constantFrom("info" as const, "error" as const), (fields, level) => {
        expect(untimed(requestLine(level, fields))).toBe(untimed(line(level, "request", fields)));
      }),
      { numRuns: 2000, seed: 20261202 },
    );
  });

  it("writes the request line in the fields' order", () => {
    const fields = { requestId: "id-1", method: "GET", path: "/a b", route: "user", status: 200, error: undefined, durationMs: 0.25 };
    expect(untimed(line("info", "request", fields))).toBe(
      '{"level":"info","time":"","msg":"request","requestId":"id-1","method":"GET","path":"/a b","route":"user","status":200,"durationMs":0.25}\n',
    );
  });
});

describe("scrubTokens", () => {
  it("masks JWT-shaped text, padded or not, and leaves prose alone", () => {
    const jwt = "eyJ0eXAiOiJKV1QifQ==.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlc2lnbmF0dXJl";
    expect(scrubTokens(`failed on ${jwt} today`)).toBe("failed on [redacted] today");
    expect(scrubTokens("Token expired at 2026-11-29T04:00:00.000Z")).toBe("Token expired at 2026-11-29T04:00:00.000Z");
  });
});

describe("the timestamp", () => {
  it("is what toISOString writes, at every millisecond of a second and across seconds", () => {
    const realNow = Date.now;
    try {
      for (const base of [Date.UTC(2026, 11, 1, 23, 59, 59), Date.UTC(2027, 0, 1, 0, 0, 0), 0]) {
        for (let ms = 0; ms < 2000; ms += 7) {
          Date.now = () => base + ms;
          expect(isoNowForTest()).toBe(new Date(base + ms).toISOString());
        }
      }
    } finally {
      Date.now = realNow;
    }
  });
});
