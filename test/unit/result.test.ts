// Building ALB results: status line, JSON body, and exactly one of headers / multiValueHeaders.
import { describe, expect, it } from "vitest";
import { jsonResult, statusDescription } from "../../src/alb/result.js";

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
