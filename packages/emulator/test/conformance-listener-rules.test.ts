// A path-pattern condition as docs/emulator-fidelity.md's "Listener rules" rows state it, over HTTP: compared with the path only (not the query), as sent (not percent-decoded).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
