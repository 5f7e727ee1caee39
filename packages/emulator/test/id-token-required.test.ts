// A token response without an ID token (a Scope that yields none, like Cognito's aws.cognito.signin.user.admin alone) is the ALB's 500, not a 561: no session, the function not called.
import { describe, expect, it } from "vitest";
import { Browser } from "alb-oidc-target-test-support/browser";
import { startIdpProxy } from "./idp-proxy.js";
import { testEmulator } from "./setup.js";

describe("a token endpoint that answers without an ID token", () => {
  it("ends the login with 500 AuthInvalidTokenResponse, sets no session and never calls userinfo or the function", async () => {
    const proxy = await startIdpProxy((call, body) => {
      if (call !== "authorization_code") return body;
      const { id_token: _dropped, ...rest } = body;
      return rest;
    });
    const alb = await testEmulator({ adjustConfig: (c) => proxy.route(c) });
    try {
      const browser = new Browser();
      const { final } = await browser.login(`${alb.url}/`, "alice");
      const callback = final.hops[final.hops.length - 1];
      expect(callback?.url.startsWith(`${alb.url}/oauth2/idpresponse?code=`)).toBe(true);
      expect(final.res.status).toBe(500);
      expect(final.res.statusText).toBe("Internal Server Error");
      expect(final.res.headers.get("x-alb-emulator-error")).toBe("AuthInvalidTokenResponse");
      expect(final.body).toContain("no ID token");
      expect(final.body).toContain("openid");
      expect(final.res.headers.getSetCookie().filter((c) => c.startsWith("AWSELBAuthSessionCookie"))).toEqual([]);
      expect(proxy.calls).toEqual(["authorization_code"]);
      expect(alb.events).toHaveLength(0);
    } finally {
      await alb.stop();
      await proxy.close();
    }
  });
});
