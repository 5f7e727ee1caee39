// Building ALB results: status line, JSON body, and exactly one of headers / multiValueHeaders.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { deliverResult, deliverToRuntime, jsonResult, statusDescription } from "../../src/alb/result.js";

describe("jsonResult", () => {
  it("builds a single-value result with the JSON headers", () => {
    expect(jsonResult(200, { a: 1 }, { "x-extra": "y" }, false)).toEqual({
      statusCode: 200,
      statusDescription: "200 OK",
      isBase64Encoded: false,
      body: '{"a":1}',
      headers: { "content-type": "application/json", "cache-control": "no-store", "x-extra": "y" },
    });
  });

  it("builds a multi-value result keeping every value of a repeated header", () => {
    const res = jsonResult(302, {}, { "set-cookie": ["a=1", "b=2"] }, true);
    expect(res.headers).toBeUndefined();
    expect(res.multiValueHeaders).toEqual({
      "content-type": ["application/json"],
      "cache-control": ["no-store"],
      "set-cookie": ["a=1", "b=2"],
    });
  });

  it("keeps only the first value of a repeated header in single-value mode", () => {
    expect(jsonResult(200, {}, { "set-cookie": ["a=1", "b=2"] }, false).headers?.["set-cookie"]).toBe("a=1");
  });

  it.each([
    [401, "401 Unauthorized"],
    [403, "403 Forbidden"],
    [503, "503 Service Unavailable"],
    [500, "500 Internal Server Error"],
  ])("describes %i as %s", (status, text) => {
    expect(statusDescription(status)).toBe(text);
  });
});

describe("deliverResult", () => {
  // The handler's delivery hands headers already in the event's mode on as they came; the middlewares' copies them: the answer must be the same.
  it("answers what copying every header answers, for any headers in either mode (2,000 random results)", () => {
    const value = fc.oneof(
      fc.string(),
      fc.constantFrom("", "a, b", "1"),
      fc.integer(),
      fc.boolean(),
      fc.constant(undefined),
      fc.constant(null),
    );
    const list = fc.oneof(fc.array(fc.oneof(fc.string(), fc.integer(), fc.boolean()), { maxLength: 3 }), value);
    const names = fc.constantFrom("content-type", "set-cookie", "x-a", "X-A", "location");
    const result = fc.record(
      {
        statusCode: fc.constantFrom(200, 201, 302, 404, 599, 600, 99, 200.5),
        statusDescription: fc.constantFrom(undefined, "200 Fine", 7),
        body: fc.constantFrom(undefined, null, "", "{}", 3),
        isBase64Encoded: fc.constantFrom(undefined, true, false, "yes"),
        headers: fc.oneof(fc.constant(undefined), fc.dictionary(names, value, { maxKeys: 4 }), fc.constant("x")),
        multiValueHeaders: fc.oneof(fc.constant(undefined), fc.dictionary(names, list, { maxKeys: 4 })),
      },
      { requiredKeys: ["statusCode"] },
    );
    const answer = (fn: () => unknown): unknown => {
      try {
        return { ok: fn() };
      } catch (err) {
        return { threw: (err as Error).message };
      }
    };
    fc.assert(
      fc.property(result, fc.boolean(), (res, multiValue) => {
        expect(answer(() => deliverToRuntime(res, multiValue))).toEqual(answer(() => deliverResult(res, multiValue)));
      }),
      { numRuns: 2000, seed: 20261202 },
    );
  });

  it("hands a single-value result's string headers to the runtime as they are, and copies them for a middleware", () => {
    const headers = { "content-type": "text/plain", "x-n": "1" };
    expect(deliverToRuntime({ statusCode: 200, headers }, false).headers).toBe(headers);
    // A middleware after ours may change the response's headers: never the app's own object.
    const copied = deliverResult({ statusCode: 200, headers }, false).headers;
    expect(copied).toEqual(headers);
    expect(copied).not.toBe(headers);
    const numeric = { "x-n": 1 };
    const converted = deliverToRuntime({ statusCode: 200, headers: numeric }, false);
    expect(converted.headers).toEqual({ "x-n": "1" });
    expect(converted.headers).not.toBe(numeric);
    expect(deliverToRuntime({ statusCode: 200, headers }, true).multiValueHeaders).toEqual({
      "content-type": ["text/plain"],
      "x-n": ["1"],
    });
  });
});
