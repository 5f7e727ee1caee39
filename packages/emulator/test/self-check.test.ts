// `npm start`'s self-check: one ALB event for alice through the function, printed as the ALB result, without any token in it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeSelfCheck, selfCheck } from "../src/emulator/self-check.js";
import { testEmulator, type TestEmulator } from "./setup.js";

let alb: TestEmulator;

beforeAll(async () => {
  alb = await testEmulator({ file: { MultiValueHeaders: true } });
});
afterAll(async () => {
  await alb.stop();
});

describe("selfCheck", () => {
  it("gets a 200 ALB result with alice's verified claims, in the emulator's header mode", async () => {
    const res = await selfCheck(alb);
    expect(res.statusCode).toBe(200);
    expect(res.multiValueHeaders?.["content-type"]).toEqual(["application/json"]);
    expect(JSON.parse(res.body ?? "")).toMatchObject({
      message: "Token is valid",
      identity: "alice",
      claims: { email: "alice@example.com" },
    });
  });

  it("prints the result and a verdict, never the claims token or the access token", async () => {
    const text = describeSelfCheck(await selfCheck(alb));
    expect(text).toMatch(/^Self-check: GET \/whoami as alice, straight to the function \(the function verified/);
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]+={0,2}\./);
    expect(text).not.toContain("self-check-access-token");
  });

  it("says what to check when the function refuses", () => {
    const text = describeSelfCheck({ statusCode: 401, statusDescription: "401 Unauthorized", isBase64Encoded: false, body: "{}" });
    expect(text).toContain("check LoadBalancerArn, Issuer and ClientId");
  });
});
