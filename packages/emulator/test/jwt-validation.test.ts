// The emulator's jwt-validation rule on machine path prefixes: what reaches the function, what the emulator answers itself, and the config block.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadEmulatorConfig, parseEmulatorConfig, resolveConfig } from "../src/emulator/listener/config-file.js";
import { claimMatches } from "../src/emulator/jwt-validation/claim-match.js";
import type { AdditionalClaim, JwtValidationFile } from "../src/emulator/jwt-validation/rule-config.js";
import { fetchMachineToken } from "../src/token.js";
import {
  decodePart,
  mintAlbToken,
  startKeyServer,
  type KeyServer,
  createAlbKey,
  createRsaKey,
  DEFAULT_M2M_AUDIENCE,
  mintMachineToken,
  type MachineMintOptions,
} from "alb-oidc-target/testing";
import { useKeyServer } from "alb-oidc-target-test-support";
import { Browser } from "alb-oidc-target-test-support/browser";
import { lastEvent, REPOSITORY_ROOT, testEmulator, type TestEmulator } from "./setup.js";

function oidcHeaders(headers: Record<string, string | undefined> | undefined): string[] {
  return Object.keys(headers ?? {}).filter((h) => h.startsWith("x-amzn-oidc"));
}

/** Asserts the emulator's own 401 (not the function's): the page, the challenge, nothing forwarded. */
async function expectRejected(alb: TestEmulator, res: Response, before: number, reason: string, challenge: string): Promise<void> {
  expect(res.status).toBe(401);
  expect(res.statusText).toBe("Authorization Required");
  expect(res.headers.get("www-authenticate")).toBe(challenge);
  expect(res.headers.get("x-alb-emulator-error")).toBe(reason);
  expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
  expect(res.headers.get("location")).toBeNull();
  expect(res.headers.getSetCookie()).toEqual([]);
  await res.text();
  expect(alb.events.length).toBe(before);
}

describe("with the repository's alb.config.json and the embedded provider (what npm start runs)", () => {
  let alb: TestEmulator;
  let issuer: string;
  beforeAll(async () => {
    alb = await testEmulator({
      file: loadEmulatorConfig(`${REPOSITORY_ROOT}/alb.config.json`, true),
      functionEnv: { M2M_REQUIRED_SCOPES: "orders:read" },
    });
    issuer = alb.idp?.issuer ?? "";
  });
  afterAll(async () => {
    await alb.stop();
  });

  const get = (path: string, headers: Record<string, string> = {}) => new Browser().fetch(`${alb.url}${path}`, { headers });

  it("configures the function to re-verify against the same issuer and JWKS", () => {
    expect(alb.config.JwtValidation).toEqual({
      PathPrefixes: ["/api/"],
      Issuer: issuer,
      JwksEndpoint: `${issuer}/jwks`,
      AdditionalClaims: [],
    });
    expect(alb.functionEnv).toMatchObject({ M2M_PATH_PREFIXES: "/api/", M2M_ISSUER: issuer, M2M_JWKS_URI: `${issuer}/jwks` });
  });

  it("forwards a valid client-credentials token unchanged; the function answers 200 for the machine principal", async () => {
    const token = await fetchMachineToken({ issuer, scope: "orders:read orders:write" });
    const res = await get("/api/orders?limit=5", { authorization: `Bearer ${token}` });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { principal: unknown; claims: Record<string, unknown> };
    expect(body.principal).toEqual({
      type: "machine",
      sub: "demo-service",
      clientId: "demo-service",
      scopes: ["orders:read", "orders:write"],
    });
    expect(body.claims).toMatchObject({ iss: issuer, aud: `${alb.url}/`, client_id: "demo-service" });
    const ev = lastEvent(alb);
    expect(ev.path).toBe("/api/orders");
    expect(ev.headers?.authorization).toBe(`Bearer ${token}`);
    expect(oidcHeaders(ev.headers)).toEqual([]);
  });

  it("answers 401 with a bare Bearer challenge when there is no token, without calling the function or starting a login", async () => {
    const before = alb.events.length;
    await expectRejected(alb, await get("/api/orders"), before, "AuthMissingJwt", "Bearer");
    await expectRejected(alb, await get("/api/orders", { authorization: "Basic ZGVtbzpkZW1v" }), before, "AuthMissingJwt", "Bearer");
  });

  it("answers 401 invalid_token to a token signed by another key under the provider's kid", async () => {
    const before = alb.events.length;
    const forged = mintMachineToken({ key: createRsaKey("embedded-rs256"), issuer, scope: "orders:read" });
    const res = await get("/api/orders", { authorization: `Bearer ${forged}` });
    await expectRejected(alb, res, before, "AuthInvalidJwt", 'Bearer error="invalid_token"');
    expect(alb.logs.join("")).not.toContain(forged);
  });

  it("passes the function's 403 insufficient_scope through for a valid token without the required scope", async () => {
    const before = alb.events.length;
    const token = await fetchMachineToken({ issuer, scope: "inventory:read" });
    const res = await get("/api/orders", { authorization: `Bearer ${token}` });
    expect(res.status).toBe(403);
    expect(res.headers.get("www-authenticate")).toBe('Bearer error="insufficient_scope", scope="orders:read"');
    expect(res.headers.get("x-alb-emulator-error")).toBeNull();
    expect(await res.json()).toEqual({ message: "Forbidden", error: "insufficient_scope" });
    expect(alb.events.length).toBe(before + 1);
  });

  it("ignores a logged-in session and spoofed x-amzn-oidc-* headers on a machine path", async () => {
    const browser = new Browser();
    const { final } = await browser.login(`${alb.url}/`, "alice");
    expect(final.res.status).toBe(200);
    const spoofed = {
      "x-amzn-oidc-data": mintAlbToken({ key: createAlbKey(), issuer, clientId: alb.config.ClientId }),
      "x-amzn-oidc-identity": "alice",
      "x-amzn-oidc-accesstoken": "stolen",
    };
    const before = alb.events.length;
    // The session cookie goes along, but it is no credential here: no token, no entry.
    await expectRejected(alb, await browser.fetch(`${alb.url}/api/orders`, { headers: spoofed }), before, "AuthMissingJwt", "Bearer");

    const token = await fetchMachineToken({ issuer, scope: "orders:read" });
    const res = await browser.fetch(`${alb.url}/api/orders`, { headers: { ...spoofed, authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { principal: { type: string } }).principal.type).toBe("machine");
    expect(oidcHeaders(lastEvent(alb).headers)).toEqual([]);
  });

  it("leaves paths outside the prefixes to authenticate-oidc even with a valid bearer token (prefixes are case-sensitive)", async () => {
    const token = await fetchMachineToken({ issuer, scope: "orders:read" });
    const before = alb.events.length;
    for (const path of ["/", "/api", "/API/orders"]) {
      const res = await get(path, { authorization: `Bearer ${token}` });
      expect(res.status).toBe(302);
      expect(res.headers.get("location")?.startsWith(alb.config.AuthorizationEndpoint)).toBe(true);
    }
    expect(alb.events.length).toBe(before);
  });
});

describe("the ALB's checks against an independent issuer (loopback JWKS, jose-independent minter)", () => {
  const ISSUER = "https://auth.example.com";
  const key = createRsaKey();
  const CLAIMS: AdditionalClaim[] = [
    { Format: "single-string", Name: "client_id", Values: ["orders-service", "billing-service"] },
    { Format: "space-separated-values", Name: "scope", Values: ["orders:read"] },
    { Format: "string-array", Name: "groups", Values: ["api-callers"] },
  ];
  const jwks = useKeyServer([key]);
  let alb: TestEmulator;
  beforeAll(async () => {
    alb = await testEmulator({
      file: {
        JwtValidation: {
          PathPrefixes: ["/api/", "/internal/"],
          Issuer: ISSUER,
          JwksEndpoint: `${jwks.url}/jwks.json`,
          AdditionalClaims: CLAIMS,
        },
      },
      // Another IdP's audience is the user's to say (the function requires M2M_AUDIENCE with machine routes).
      functionEnv: { M2M_AUDIENCE: DEFAULT_M2M_AUDIENCE },
    });
  });
  afterAll(async () => {
    await alb.stop();
  });

  const mint = (o: Partial<MachineMintOptions> = {}) =>
    mintMachineToken({
      key,
      issuer: ISSUER,
      scope: "orders:read orders:write",
      ...o,
      payload: { groups: ["api-callers", "x"], ...o.payload },
    });
  const call = (token: string, path = "/api/orders") =>
    new Browser().fetch(`${alb.url}${path}`, { headers: { authorization: `Bearer ${token}` } });

  it("forwards a token that passes every check, on each prefix", async () => {
    for (const path of ["/api/orders", "/internal/jobs"]) {
      const token = mint();
      const res = await call(token, path);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { principal: unknown }).principal).toMatchObject({ type: "machine", clientId: "orders-service" });
      expect(lastEvent(alb).headers?.authorization).toBe(`Bearer ${token}`);
    }
  });

  it.each<[string, () => string]>([
    ["a wrong issuer", () => mint({ issuer: "https://auth.example.com/" })],
    ["an expired token", () => mint({ expiresIn: -1 })],
    ["no exp", () => mint({ payload: { exp: undefined } })],
    ["nbf in the future", () => mint({ payload: { nbf: Math.floor(Date.now() / 1000) + 120 } })],
    ["iat in the future", () => mint({ payload: { iat: Math.floor(Date.now() / 1000) + 120 } })],
    [
      "a bad signature (another key, same kid)",
      () => mintMachineToken({ key: createRsaKey(key.kid), issuer: ISSUER, scope: "orders:read" }),
    ],
    ["a kid the JWKS does not have", () => mint({ kid: "not-in-the-jwks" })],
    ["alg none", () => mint({ alg: "none" })],
    ["alg HS256", () => mint({ alg: "HS256", hmacSecret: "secret" })],
    ["alg RS384 (the ALB takes RS256 only)", () => mint({ alg: "RS384" })],
    ["a value that is not a JWT", () => "not.a.jwt"],
  ])("answers 401 invalid_token to %s before the function is called", async (_name, token) => {
    const before = alb.events.length;
    await expectRejected(alb, await call(token()), before, "AuthInvalidJwt", 'Bearer error="invalid_token"');
  });

  it.each<[string, Record<string, unknown>]>([
    ["single-string: another accepted value", { client_id: "billing-service" }],
    ["space-separated-values: the value among others", { scope: "inventory:read orders:read" }],
    ["string-array: the value alone", { groups: ["api-callers"] }],
  ])("accepts additional claims: %s", async (_name, payload) => {
    const res = await call(mint({ payload }));
    expect(res.status).toBe(200);
    await res.text();
  });

  it.each<[string, Record<string, unknown>]>([
    ["single-string: a value not listed", { client_id: "intruder" }],
    ["single-string: the value inside an array", { client_id: ["orders-service"] }],
    ["space-separated-values: the value missing", { scope: "orders:write" }],
    ["space-separated-values: only a longer scope", { scope: "orders:readall" }],
    ["space-separated-values: an array instead of a string", { scope: ["orders:read"] }],
    ["string-array: the value missing", { groups: ["x"] }],
    ["string-array: a string instead of an array", { groups: "api-callers" }],
    ["string-array: the claim absent", { groups: undefined }],
  ])("rejects additional claims: %s", async (_name, payload) => {
    const before = alb.events.length;
    await expectRejected(alb, await call(mint({ payload })), before, "AuthInvalidJwt", 'Bearer error="invalid_token"');
  });
});

describe("the JWKS endpoint's limits and outages", () => {
  const ISSUER = "https://auth.example.com";

  async function withJwks(setup: (ks: KeyServer) => void, run: (alb: TestEmulator, ks: KeyServer) => Promise<void>): Promise<void> {
    const ks = await startKeyServer({ keys: [] });
    setup(ks);
    const alb = await testEmulator({
      file: { JwtValidation: { PathPrefixes: ["/api/"], Issuer: ISSUER, JwksEndpoint: `${ks.url}/jwks.json` } },
      functionEnv: { M2M_AUDIENCE: DEFAULT_M2M_AUDIENCE },
    });
    try {
      await run(alb, ks);
    } finally {
      await Promise.all([alb.stop(), ks.stop()]);
    }
  }

  async function expect500(alb: TestEmulator, token: string): Promise<void> {
    const res = await new Browser().fetch(`${alb.url}/api/x`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(500);
    expect(res.headers.get("x-alb-emulator-error")).toBe("AuthJwksUnavailable");
    expect(res.headers.get("www-authenticate")).toBeNull();
    await res.text();
    expect(alb.events).toHaveLength(0);
  }

  it("accepts a JWKS of 10 keys and answers 500 to one of 11", async () => {
    const signer = createRsaKey();
    // Ten more kids for the same public key: the limit counts keys, not distinct key material.
    const keys = [signer, ...Array.from({ length: 10 }, (_, i) => ({ ...signer, kid: `extra-${i}` }))];
    await withJwks(
      (ks) => {
        for (const k of keys.slice(0, 10)) ks.addKey(k);
      },
      async (alb) => {
        const ok = await new Browser().fetch(`${alb.url}/api/x`, {
          headers: { authorization: `Bearer ${mintMachineToken({ key: signer, issuer: ISSUER })}` },
        });
        expect(ok.status).toBe(200);
        await ok.text();
      },
    );
    await withJwks(
      (ks) => {
        for (const k of keys) ks.addKey(k);
      },
      (alb) => expect500(alb, mintMachineToken({ key: signer, issuer: ISSUER })),
    );
  });

  it("answers 500 when the JWKS response is over 150 KB", async () => {
    const key = createRsaKey();
    await withJwks(
      (ks) => {
        ks.setFault((_req, res) => {
          const jwk = { ...key.publicKey.export({ format: "jwk" }), kid: key.kid, padding: "x".repeat(151 * 1024) };
          res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [jwk] }));
        });
      },
      (alb) => expect500(alb, mintMachineToken({ key, issuer: ISSUER })),
    );
  });

  it("answers 500 when the JWKS endpoint is down or not 200", async () => {
    const key = createRsaKey();
    await withJwks(
      (ks) => {
        ks.setFault((_req, res) => res.writeHead(503).end());
      },
      (alb) => expect500(alb, mintMachineToken({ key, issuer: ISSUER })),
    );
    await withJwks(
      () => undefined,
      async (alb, ks) => {
        await ks.stop();
        await expect500(alb, mintMachineToken({ key, issuer: ISSUER }));
      },
    );
  });
});

describe("claim matching", () => {
  it.each<[AdditionalClaim, unknown, boolean]>([
    [{ Format: "single-string", Name: "c", Values: ["a", "b"] }, "b", true],
    [{ Format: "single-string", Name: "c", Values: ["a"] }, "a b", false],
    [{ Format: "single-string", Name: "c", Values: ["1"] }, 1, false],
    [{ Format: "string-array", Name: "c", Values: ["a", "b"] }, ["b", "a", "z"], true],
    [{ Format: "string-array", Name: "c", Values: ["a", "b"] }, ["a"], false],
    [{ Format: "space-separated-values", Name: "c", Values: ["a", "b"] }, "b  a", true],
    [{ Format: "space-separated-values", Name: "c", Values: ["a", "b"] }, "a", false],
    [{ Format: "space-separated-values", Name: "c", Values: ["a"] }, undefined, false],
  ])("%j against %j: %s (lists must hold every value)", (rule, value, expected) => {
    expect(claimMatches(rule, value)).toBe(expected);
  });
});

describe("the JwtValidation config block", () => {
  const block = (b: Record<string, unknown>) => () => parseEmulatorConfig({ JwtValidation: { PathPrefixes: ["/api/"], ...b } }, "alb.json");
  const claim = (c: Record<string, unknown>) =>
    block({ AdditionalClaims: [{ Format: "single-string", Name: "aud", Values: ["x"], ...c }] });

  it.each<[string, () => unknown, string]>([
    ["not an object", () => parseEmulatorConfig({ JwtValidation: ["/api/"] }, "alb.json"), "alb.json: JwtValidation must be an object"],
    ["no prefixes", block({ PathPrefixes: [] }), "alb.json: JwtValidation.PathPrefixes must be a non-empty list"],
    ["a wildcard prefix", block({ PathPrefixes: ["/api/*"] }), 'JwtValidation.PathPrefixes must hold paths starting with "/"'],
    ["an unknown field", block({ Audience: "x" }), "alb.json: JwtValidation.Audience is not a field"],
    [
      "a plain-http JWKS off loopback",
      block({ JwksEndpoint: "http://idp.example.com/jwks" }),
      "JwtValidation.JwksEndpoint must be an https:// URL",
    ],
    [
      "11 claims",
      block({ AdditionalClaims: Array.from({ length: 11 }, (_, i) => ({ Format: "single-string", Name: `c${i}`, Values: ["x"] })) }),
      "holds at most 10 claims, got 11",
    ],
    [
      "an unknown format",
      claim({ Format: "regex" }),
      "JwtValidation.AdditionalClaims[0].Format must be one of single-string, string-array, space-separated-values",
    ],
    ["a built-in claim", claim({ Name: "exp" }), 'JwtValidation.AdditionalClaims[0].Name cannot be "exp"'],
    [
      "11 values",
      claim({ Values: Array.from({ length: 11 }, (_, i) => `v${i}`) }),
      "JwtValidation.AdditionalClaims[0].Values must be a list of 1 to 10 strings",
    ],
    ["a value with a space in space-separated-values", claim({ Format: "space-separated-values", Values: ["a b"] }), "cannot hold spaces"],
  ])("refuses %s, naming the field", (_name, parse, message) => {
    expect(parse).toThrow(message);
  });

  it("needs Issuer and JwksEndpoint when the embedded provider is not used", () => {
    const file = { JwtValidation: { PathPrefixes: ["/api/"], JwksEndpoint: "https://auth.example.com/jwks.json" } } satisfies {
      JwtValidation: JwtValidationFile;
    };
    expect(() =>
      resolveConfig(file, {
        Issuer: "https://i",
        AuthorizationEndpoint: "https://a",
        TokenEndpoint: "https://t",
        UserInfoEndpoint: "https://u",
        ClientId: "c",
        ClientSecret: "s",
      }),
    ).toThrow("config: JwtValidation.Issuer is required when the embedded provider is not used");
  });

  it("decodes the embedded provider's tokens as RS256 JWT access tokens (at+jwt)", async () => {
    const alb = await testEmulator({ file: { JwtValidation: { PathPrefixes: ["/api/"] } } });
    try {
      const token = await fetchMachineToken({ issuer: alb.idp?.issuer ?? "", scope: "openid orders:read" });
      expect(decodePart(token, 0)).toMatchObject({ alg: "RS256", typ: "at+jwt", kid: "embedded-rs256" });
      // OIDC scopes are not API scopes: the resource server drops them.
      expect(decodePart(token, 1)).toMatchObject({
        scope: "orders:read",
        client_id: "demo-service",
        sub: "demo-service",
        aud: `${alb.url}/`,
      });
    } finally {
      await alb.stop();
    }
  });
});
