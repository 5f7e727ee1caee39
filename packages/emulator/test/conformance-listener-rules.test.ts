// Listener rules as docs/emulator-fidelity.md's "Listener rules" rows state them, over HTTP: priority order, path-pattern (path only, as sent, case-sensitive, * and ?), http-request-method.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { templateListener } from "../src/emulator/listener/template.js";
import { testEmulator, type TestEmulator } from "./setup.js";

/** Which rule answered a request without credentials: the jwt-validation rule's 401, or the default rule's 302 to the IdP. */
async function ruleFor(alb: TestEmulator, target: string): Promise<"JwtValidation" | "default"> {
  const res = await fetch(`${alb.url}${target}`, { redirect: "manual" });
  await res.arrayBuffer();
  const rule = res.headers.get("x-alb-emulator-rule");
  if (rule === "JwtValidation") expect(res.status).toBe(401);
  else expect(res.status).toBe(302);
  return rule === "JwtValidation" ? "JwtValidation" : "default";
}

describe("a rule with the path pattern /api/* (before the default rule)", () => {
  let alb: TestEmulator;
  beforeAll(async () => {
    alb = await testEmulator({ file: { JwtValidation: { PathPrefixes: ["/api/"], AdditionalClaims: [] } } });
  });
  afterAll(async () => {
    await alb.stop();
  });

  it("matches on the path whatever the query holds, and not on a query that holds the pattern", async () => {
    expect(await ruleFor(alb, "/api/orders?next=/elsewhere")).toBe("JwtValidation");
    expect(await ruleFor(alb, "/?next=/api/orders")).toBe("default");
  });

  it("compares the path as sent: /%61pi/orders is not /api/orders, and /api%2Forders has no /api/", async () => {
    expect(await ruleFor(alb, "/%61pi/orders")).toBe("default");
    expect(await ruleFor(alb, "/api%2Forders")).toBe("default");
    expect(await ruleFor(alb, "/api/%6Frders")).toBe("JwtValidation");
  });

  it("is case-sensitive", async () => {
    expect(await ruleFor(alb, "/Api/orders")).toBe("default");
  });
});

/** A ListenerRule answering `body` with a fixed 200 when its conditions match. */
function fixedRule(priority: number, conditions: readonly { Field: string; Values: string[] }[], body: string): Record<string, unknown> {
  return {
    Type: "AWS::ElasticLoadBalancingV2::ListenerRule",
    Properties: {
      ListenerArn: { Ref: "Listener" },
      Priority: priority,
      Conditions: conditions,
      Actions: [{ Type: "fixed-response", FixedResponseConfig: { StatusCode: "200", ContentType: "text/plain", MessageBody: body } }],
    },
  };
}

describe("rules in priority order, the default action last", () => {
  let alb: TestEmulator;
  beforeAll(async () => {
    const template = {
      Resources: {
        TargetGroup: { Type: "AWS::ElasticLoadBalancingV2::TargetGroup", Properties: { TargetType: "lambda" } },
        Listener: {
          Type: "AWS::ElasticLoadBalancingV2::Listener",
          Properties: {
            Port: 443,
            Protocol: "HTTPS",
            DefaultActions: [
              { Type: "authenticate-oidc", Order: 1, AuthenticateOidcConfig: { OnUnauthenticatedRequest: "deny" } },
              { Type: "forward", Order: 2, TargetGroupArn: { Ref: "TargetGroup" } },
            ],
          },
        },
        // Written out of order: the priorities decide.
        Twenty: fixedRule(20, [{ Field: "path-pattern", Values: ["/x/*"] }], "twenty"),
        Ten: fixedRule(
          10,
          [
            { Field: "http-request-method", Values: ["POST"] },
            { Field: "path-pattern", Values: ["/x/*"] },
          ],
          "ten",
        ),
        Five: fixedRule(5, [{ Field: "path-pattern", Values: ["/x/a?c"] }], "five"),
      },
    };
    const path = join(mkdtempSync(join(tmpdir(), "rules-")), "rules.template.json");
    writeFileSync(path, JSON.stringify(template));
    alb = await testEmulator({ listener: templateListener({ path, embeddedIdp: true, env: {} }) });
  });
  afterAll(async () => {
    await alb.stop();
  });

  async function answer(method: string, path: string): Promise<string> {
    const res = await fetch(`${alb.url}${path}`, { method, redirect: "manual" });
    const body = await res.text();
    return res.status === 200 ? body : String(res.status);
  }

  it("the lowest priority whose conditions all match answers; ? is exactly one character, * any run", async () => {
    expect(await answer("GET", "/x/abc")).toBe("five");
    expect(await answer("POST", "/x/abc")).toBe("five");
    expect(await answer("GET", "/x/ac")).toBe("twenty");
    expect(await answer("GET", "/x/abbc")).toBe("twenty");
    expect(await answer("GET", "/x/")).toBe("twenty");
    // The query is no part of the path: /x/a with the query c is not /x/a?c.
    expect(await answer("GET", "/x/a?c")).toBe("twenty");
  });

  it("an http-request-method condition matches the method exactly, together with the rule's other conditions", async () => {
    expect(await answer("POST", "/x/zz")).toBe("ten");
    expect(await answer("PUT", "/x/zz")).toBe("twenty");
  });

  it("a request no rule matches gets the default action (here authenticate-oidc under deny: 401)", async () => {
    expect(await answer("GET", "/y")).toBe("401");
    expect(await answer("POST", "/y")).toBe("401");
  });
});
