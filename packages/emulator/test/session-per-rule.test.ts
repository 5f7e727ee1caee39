// Sessions belong to the IdP that created them: with two authenticate-oidc rules sharing a cookie name, a login through rule A's IdP is no session on rule B (other Issuer) or on a rule with another ClientId, and x-amzn-oidc-data never carries an iss/client that did not authenticate the user.
import type { ALBEvent } from "aws-lambda";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodePart } from "alb-oidc-target/testing";
import { resolveConfig, type EmulatorConfig } from "../src/emulator/listener/config-file.js";
import { sortRules, type ListenerRule } from "../src/emulator/listener/rules.js";
import type { ListenerSource } from "../src/emulator/listener/source.js";
import { startOidcProvider, type EmbeddedOidcProvider } from "../src/oidc/provider.js";
import { Browser } from "alb-oidc-target-test-support/browser";
import { PROFILE_SCOPE, testEmulator, type TestEmulator } from "./setup.js";

/** A port the OS just handed out: the second provider must know the emulator's callback URL before the emulator starts. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function oidcRule(name: string, priority: number, path: string, config: EmulatorConfig): ListenerRule {
  return {
    name,
    priority,
    conditions: [{ field: "path-pattern", values: [path] }],
    auth: { type: "authenticate-oidc", config },
    action: { type: "forward" },
  };
}

const B_CLIENT = { ClientId: "rule-b-client", ClientSecret: "rule-b-secret" } as const;

let idpB: EmbeddedOidcProvider;
let alb: TestEmulator;
let configA: EmulatorConfig;

beforeAll(async () => {
  const port = await freePort();
  idpB = await startOidcProvider({
    clientId: B_CLIENT.ClientId,
    clientSecret: B_CLIENT.ClientSecret,
    redirectUris: [`http://localhost:${port}/oauth2/idpresponse`],
  });
  // Rule A logs in at the emulator's embedded provider, rule B at the second one; both keep the default cookie name.
  const listener: ListenerSource = {
    description: "two authenticate-oidc rules, two IdPs, one cookie name",
    needsEmbeddedProvider: true,
    build: (embedded) => {
      if (!embedded) throw new Error("this listener needs the embedded provider");
      configA = resolveConfig({ Scope: PROFILE_SCOPE }, embedded.oidc);
      const b = resolveConfig(
        {
          Scope: PROFILE_SCOPE,
          Issuer: idpB.issuer,
          AuthorizationEndpoint: idpB.authorizationEndpoint,
          TokenEndpoint: idpB.tokenEndpoint,
          UserInfoEndpoint: idpB.userInfoEndpoint,
          ...B_CLIENT,
        },
        undefined,
      );
      return {
        rules: sortRules([
          oidcRule("RuleA", 1, "/a/*", configA),
          oidcRule("RuleB", 2, "/b/*", b),
          oidcRule("RuleBDeny", 3, "/b-deny/*", { ...b, OnUnauthenticatedRequest: "deny" }),
          // The same Issuer as rule A, another client of it.
          oidcRule("RuleOtherClient", 4, "/c/*", { ...configA, ClientId: "another-client" }),
          { name: "default", priority: undefined, conditions: [], action: { type: "fixed-response", statusCode: 404 } },
        ]),
        notes: [],
      };
    },
  };
  alb = await testEmulator({ port, listener });
});
afterAll(async () => {
  await alb.stop();
  await idpB.stop();
});

function oidcHeaders(ev: ALBEvent): { identity?: string; iss?: unknown; client?: unknown } {
  const h = ev.headers ?? {};
  const data = h["x-amzn-oidc-data"];
  if (data === undefined) return { identity: h["x-amzn-oidc-identity"] };
  const header = decodePart(data, 0);
  return { identity: h["x-amzn-oidc-identity"], iss: header.iss, client: header.client };
}

function expectAuthorizationRedirect(res: Response, endpoint: string, clientId: string): void {
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get("location") ?? "");
  expect(`${location.origin}${location.pathname}`).toBe(endpoint);
  expect(location.searchParams.get("client_id")).toBe(clientId);
}

describe("a session created through rule A's IdP", () => {
  const browser = new Browser();

  it("is a session on rule A: the function gets A's iss and client over alice's claims", async () => {
    const { final } = await browser.login(`${alb.url}/a/x`, "alice");
    expect(final.res.status).toBe(200);
    expect(final.res.headers.get("x-alb-emulator-rule")).toBe("RuleA");
    expect(oidcHeaders(alb.events[alb.events.length - 1] as ALBEvent)).toEqual({
      identity: "alice",
      iss: configA.Issuer,
      client: configA.ClientId,
    });
  });

  it("is no session on rule B (another Issuer): 302 to B's IdP, the function not called, the session kept", async () => {
    const events = alb.events.length;
    const res = await browser.fetch(`${alb.url}/b/x`);
    expectAuthorizationRedirect(res, idpB.authorizationEndpoint, B_CLIENT.ClientId);
    expect(res.headers.getSetCookie().filter((c) => c.startsWith("AWSELBAuthSessionCookie"))).toEqual([]);
    expect(alb.events.length).toBe(events);
    // Back on rule A the session still counts.
    expect((await browser.fetch(`${alb.url}/a/again`)).status).toBe(200);
  });

  it("is no session on rule B under deny: 401, the function not called", async () => {
    const events = alb.events.length;
    const res = await browser.fetch(`${alb.url}/b-deny/poll`);
    expect(res.status).toBe(401);
    expect(res.headers.get("x-alb-emulator-error")).toBe("AuthUnauthenticatedRequest");
    expect(alb.events.length).toBe(events);
  });

  it("is no session on a rule with the same Issuer and another ClientId: 302 to log in as that client", async () => {
    const events = alb.events.length;
    const res = await browser.fetch(`${alb.url}/c/x`);
    expectAuthorizationRedirect(res, configA.AuthorizationEndpoint, "another-client");
    expect(alb.events.length).toBe(events);
  });

  it("logging in through rule B gives a session of B's IdP (bob, B's iss and client), which in turn is no session on rule A", async () => {
    const { final } = await browser.login(`${alb.url}/b/x`, "bob");
    expect(final.url).toBe(`${alb.url}/b/x`);
    expect(final.res.headers.get("x-alb-emulator-rule")).toBe("RuleB");
    expect(oidcHeaders(alb.events[alb.events.length - 1] as ALBEvent)).toEqual({
      identity: "bob",
      iss: idpB.issuer,
      client: B_CLIENT.ClientId,
    });
    const events = alb.events.length;
    expectAuthorizationRedirect(await browser.fetch(`${alb.url}/a/x`), configA.AuthorizationEndpoint, configA.ClientId);
    expect(alb.events.length).toBe(events);
  });

  it("the function never received a token whose iss and client were not those of the IdP that logged the user in", () => {
    const seen = alb.events.map(oidcHeaders).filter((h) => h.iss !== undefined);
    expect(seen.length).toBeGreaterThanOrEqual(3);
    for (const h of seen) {
      if (h.identity === "alice") expect([h.iss, h.client]).toEqual([configA.Issuer, configA.ClientId]);
      else expect([h.identity, h.iss, h.client]).toEqual(["bob", idpB.issuer, B_CLIENT.ClientId]);
    }
  });
});
