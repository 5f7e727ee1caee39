// Building ALB results: status line, JSON body, and exactly one of headers / multiValueHeaders.
import { describe, expect, it } from "vitest";
import { deliverResult, jsonResult, statusDescription } from "../../src/alb/result.js";

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
  it("copies the app's headers into the event's mode, never handing on the app's own object", () => {
    const headers = { "content-type": "text/plain", "x-n": 1, "x-on": true, "x-skip": undefined };
    const single = deliverResult({ statusCode: 200, headers }, false);
    expect(single).toEqual({
      statusCode: 200,
      statusDescription: "200 OK",
      isBase64Encoded: false,
      body: "",
      headers: { "content-type": "text/plain", "x-n": "1", "x-on": "true" },
    });
    // A middleware after ours may change the response's headers: never the app's own object.
    expect(single.headers).not.toBe(headers);
    const strings = { "content-type": "text/plain" };
    expect(deliverResult({ statusCode: 200, headers: strings }, false).headers).not.toBe(strings);
    const lists = { "set-cookie": ["a=1", "b=2"] };
    const multi = deliverResult({ statusCode: 200, multiValueHeaders: lists }, true);
    expect(multi.multiValueHeaders).toEqual(lists);
    expect(multi.multiValueHeaders).not.toBe(lists);
    expect(multi.multiValueHeaders?.["set-cookie"]).not.toBe(lists["set-cookie"]);
  });

  it("merges headers and multiValueHeaders, the multi-value entry winning, and keeps a list's first value in single-value mode", () => {
    const res = { statusCode: 201, headers: { a: "h", b: "h" }, multiValueHeaders: { b: ["m1", "m2"], c: [] } };
    expect(deliverResult(res, true).multiValueHeaders).toEqual({ a: ["h"], b: ["m1", "m2"], c: [] });
    expect(deliverResult(res, false).headers).toEqual({ a: "h", b: "m1" });
  });

  it("keeps the app's statusDescription, body and isBase64Encoded", () => {
    expect(deliverResult({ statusCode: 418, statusDescription: "418 Teapot", body: "dGVh", isBase64Encoded: true }, false)).toEqual({
      statusCode: 418,
      statusDescription: "418 Teapot",
      isBase64Encoded: true,
      body: "dGVh",
      headers: {},
    });
  });

  it.each([
    ["no object", "x", "the app returned no result object"],
    ["statusCode 600", { statusCode: 600 }, "the app's result has no statusCode from 100 to 599"],
    ["a number body", { statusCode: 200, body: 3 }, "the app's result body is not a string"],
    ["isBase64Encoded yes", { statusCode: 200, isBase64Encoded: "yes" }, "the app's result isBase64Encoded is not a boolean"],
    ["statusDescription 7", { statusCode: 200, statusDescription: 7 }, "the app's result statusDescription is not a string"],
    ["headers a string", { statusCode: 200, headers: "x" }, "the app's result headers is not an object"],
    ["a header object", { statusCode: 200, headers: { "x-a": {} } }, 'the app\'s result header "x-a" is not a string'],
    ["multiValueHeaders a list", { statusCode: 200, multiValueHeaders: [] }, "the app's result multiValueHeaders is not an object"],
    [
      "a multi-value string",
      { statusCode: 200, multiValueHeaders: { "x-a": "b" } },
      'the app\'s result header "x-a" is not a list of strings',
    ],
  ])("refuses %s with a TypeError naming it", (_name, value, message) => {
    expect(() => deliverResult(value, false)).toThrow(new TypeError(message));
  });
});
