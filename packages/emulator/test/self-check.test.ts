// `npm start`'s self-check: one ALB event for alice through the function, printed as the ALB result, without any token in it.
import { createServer } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loopback } from "alb-oidc-target/testing";
import { describeSelfCheck, loginProblems, selfCheck } from "../src/emulator/self-check.js";
import { startIdpProxy } from "./idp-proxy.js";
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

/** The self-check's printout for an emulator started with `o`, stopped afterwards. */
async function printedFor(o: Parameters<typeof testEmulator>[0]): Promise<{ text: string; problems: string[]; e: TestEmulator }> {
  const e = await testEmulator(o);
  try {
    const problems = await loginProblems(e);
    return { text: describeSelfCheck(await selfCheck(e), problems), problems, e };
  } finally {
    await e.stop();
  }
}

describe("the self-check does not print 200 for a configuration the login would refuse", () => {
  it("a correct configuration has no problems and prints the function's 200", async () => {
    expect(await loginProblems(alb)).toEqual([]);
    expect(describeSelfCheck(await selfCheck(alb), await loginProblems(alb))).toContain('"statusCode": 200');
  });

  it("a wrong Issuer (the article's .../oauth2/v2.1) prints FAILED with the rule's and the provider's issuer, and no 200", async () => {
    const { text, problems, e } = await printedFor({ adjustConfig: (c) => ({ ...c, Issuer: `${c.Issuer}/oauth2/v2.1` }) });
    expect(problems).toHaveLength(1);
    expect(text).toMatch(/^Self-check FAILED: the login would be refused/);
    expect(text).toContain(`the rule says "${e.config.Issuer}", the embedded provider's issuer says "${e.idp?.issuer ?? "?"}"`);
    expect(text).toContain("561 AuthInvalidIdToken");
    expect(text).not.toContain('"statusCode"');
  });

  it("a ClientId the embedded provider does not know prints FAILED naming it, never the secret", async () => {
    const { text, e } = await printedFor({ adjustConfig: (c) => ({ ...c, ClientId: "not-registered" }) });
    expect(text).toMatch(/^Self-check FAILED/);
    expect(text).toContain('does not know ClientId "not-registered" (invalid_client)');
    expect(text).not.toContain(e.config.ClientSecret);
    expect(text).not.toContain('"statusCode"');
  });

  it("a Scope without openid prints FAILED with the error the provider sends back (the article's 401)", async () => {
    const { text } = await printedFor({ file: { Scope: "profile" } });
    expect(text).toMatch(/^Self-check FAILED/);
    expect(text).toContain("error=invalid_scope");
    expect(text).toContain('Scope is "profile"');
  });

  it("an IdP that is not the embedded one: the Issuer is read from its discovery document (none at a wrong Issuer: FAILED)", async () => {
    const proxy = await startIdpProxy();
    try {
      const good = await printedFor({ adjustConfig: (c) => proxy.route(c) });
      expect(good.problems).toEqual([]);
      const { text, e } = await printedFor({ adjustConfig: (c) => proxy.route({ ...c, Issuer: `${c.Issuer}/oauth2/v2.1` }) });
      expect(text).toMatch(/^Self-check FAILED/);
      expect(text).toContain(`${e.config.Issuer}/.well-known/openid-configuration answered 404`);
    } finally {
      await proxy.close();
    }
  });

  it("a discovery document that names another issuer prints FAILED with both", async () => {
    const discovery = loopback(
      createServer((_req, res) => {
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ issuer: "http://127.0.0.1:9/elsewhere" }));
      }),
    );
    const port = await discovery.listen(0);
    const proxy = await startIdpProxy();
    try {
      const issuer = `http://127.0.0.1:${port}`;
      const { text } = await printedFor({ adjustConfig: (c) => proxy.route({ ...c, Issuer: issuer }) });
      expect(text).toMatch(/^Self-check FAILED/);
      expect(text).toContain(
        `the rule says "${issuer}", the IdP's discovery document (${issuer}/.well-known/openid-configuration) says "http://127.0.0.1:9/elsewhere"`,
      );
    } finally {
      await proxy.close();
      await discovery.close();
    }
  });
});
