// Every sample event, run through the sample function as `npm run invoke` runs them: each gives the answer its description promises.
import { readFile } from "node:fs/promises";
import type { ALBResult } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { prepare, type SampleEvent } from "../src/invoke.js";
import { sampleHandler } from "../src/sample/whoami.js";
import { body, header } from "alb-oidc-target-test-support";

const cases: [file: string, status: number, code: string | undefined, check?: (res: ALBResult) => void][] = [
  ["whoami.json", 200, undefined, (res) => expect(body(res)).toMatchObject({ message: "Token is valid", identity: "alice" })],
  ["whoami-multivalue.json", 200, undefined, (res) => expect(res.multiValueHeaders?.["content-type"]).toEqual(["application/json"])],
  ["missing-token.json", 401, "missing_token"],
  ["expired.json", 401, "expired"],
  ["identity-mismatch.json", 401, "identity_mismatch"],
  [
    "machine-orders.json",
    200,
    undefined,
    (res) => expect(body(res).principal).toMatchObject({ type: "machine", clientId: "orders-service" }),
  ],
  [
    "machine-orders-multivalue.json",
    200,
    undefined,
    (res) => {
      expect(res.headers).toBeUndefined();
      expect(res.multiValueHeaders?.["content-type"]).toEqual(["application/json"]);
      expect(body(res).principal).toMatchObject({ type: "machine", clientId: "orders-service" });
    },
  ],
  [
    "machine-missing-scope.json",
    403,
    "insufficient_scope",
    (res) => expect(header(res, "www-authenticate")).toBe('Bearer error="insufficient_scope", scope="orders:read orders:write"'),
  ],
  ["machine-expired.json", 401, "expired", (res) => expect(header(res, "www-authenticate")).toBe('Bearer error="invalid_token"')],
  ["machine-missing-token.json", 401, "missing_token", (res) => expect(header(res, "www-authenticate")).toBe("Bearer")],
  ["health-check.json", 200, undefined, (res) => expect(res.body).toBe('{"status":"ok"}')],
  ["logout.json", 200, undefined, (res) => expect(res.multiValueHeaders?.["set-cookie"]).toHaveLength(4)],
  ["logout-single-value.json", 200, undefined, (res) => expect(res.headers?.["set-cookie"]).toMatch(/^AWSELBAuthSessionCookie-0=; /)],
  ["logout-idp.json", 302, undefined, (res) => expect(header(res, "location")).toMatch(/^https:\/\/idp\.example\.com\/session\/end\?/)],
  ["forbidden-email-domain.json", 403, "forbidden"],
  ["forbidden-claims.json", 403, "forbidden"],
];

describe("sample events", () => {
  it.each(cases)("events/%s -> %i %s", async (file, status, code, check) => {
    const sample = JSON.parse(await readFile(new URL(`../events/${file}`, import.meta.url), "utf8")) as SampleEvent;
    expect(sample.description).toContain(`expect ${status}${code === undefined ? "" : ` ${code}`}`);
    const { event, env, servers } = await prepare(sample, {});
    try {
      const res = await sampleHandler({ env, writeLog: () => undefined })(event);
      expect(res.statusCode).toBe(status);
      // The exact code of a refusal, and none on an answer that is not one.
      const error = res.body?.startsWith("{") ? body(res).error : undefined;
      expect(error).toBe(code);
      check?.(res);
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
    }
  });
});
