// Machine routes end to end: RS256 bearer tokens verified through the handler against a loopback JWKS, every status and code, both header modes, and the interplay with the user flow.
import type { ALBResult } from "aws-lambda";
import { SignJWT, importPKCS8 } from "jose";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { ALICE, decodePart, mintAlbToken, tamper } from "../../src/testing/alb-token.js";
import { albEvent } from "../../src/testing/events.js";
import { createAlbKey, createRsaKey } from "../../src/testing/keys.js";
import {
  DEFAULT_M2M_AUDIENCE,
  DEFAULT_M2M_CLIENT_ID,
  DEFAULT_M2M_ISSUER,
  mintMachineToken,
  type MachineMintOptions,
} from "../../src/testing/machine-token.js";
import { body, echoApp, expectKeysUnavailable, harness, header, testEnv, useKeyServer, type Harness } from "../helpers.js";

const albKey = createAlbKey();
const rsaKey = createRsaKey();
const SCOPES = "orders:read orders:write";
const albServer = useKeyServer([albKey]);
const jwksServer = useKeyServer([rsaKey], { each: true });

function m2mEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    M2M_PATH_PREFIXES: "/api/,/internal/",
    M2M_ISSUER: DEFAULT_M2M_ISSUER,
    M2M_JWKS_URI: `${jwksServer.url}/jwks.json`,
    M2M_AUDIENCE: DEFAULT_M2M_AUDIENCE,
    M2M_REQUIRED_SCOPES: SCOPES,
    ...extra,
  };
}

function machine(extra: Record<string, string> = {}): Harness {
  return harness(albServer, m2mEnv(extra));
}

function apiEvent(authorization: string | undefined, multiValue = false, path = "/api/orders") {
  return albEvent({ path, multiValue, headers: authorization === undefined ? {} : { authorization } });
}

const valid = (extra: Partial<MachineMintOptions> = {}): string => mintMachineToken({ key: rsaKey, scope: SCOPES, ...extra });

/** Re-encodes the payload (unpadded, as issuers do) and keeps the old signature: a forgery. */
function withPayload(token: string, edit: (p: Record<string, unknown>) => Record<string, unknown>): string {
  const [h, , sig] = token.split(".");
  return `${h ?? ""}.${Buffer.from(JSON.stringify(edit(decodePart(token, 1)))).toString("base64url")}.${sig ?? ""}`;
}

function expect401(res: ALBResult, code: string, challenge = 'Bearer error="invalid_token"'): void {
  expect(res.statusCode).toBe(401);
  expect(res.statusDescription).toBe("401 Unauthorized");
  expect(body(res)).toEqual({ message: "Token verification failed", error: code });
  expect(header(res, "www-authenticate")).toBe(challenge);
  expect(header(res, "content-type")).toBe("application/json");
}

describe("a valid machine token", () => {
  it.each([false, true])("answers 200 with the principal and claims (multi-value %s)", async (multiValue) => {
    const { handler } = machine();
    const token = valid();
    const res = await handler(apiEvent(`Bearer ${token}`, multiValue));
    expect(res.statusCode).toBe(200);
    expect(res.statusDescription).toBe("200 OK");
    if (multiValue) {
      expect(res.headers).toBeUndefined();
      expect(res.multiValueHeaders?.["content-type"]).toEqual(["application/json"]);
    } else {
      expect(res.multiValueHeaders).toBeUndefined();
      expect(res.headers?.["content-type"]).toBe("application/json");
    }
    expect(header(res, "www-authenticate")).toBeUndefined();
    const b = body(res);
    expect(b.message).toBe("Token is valid");
    expect(b.principal).toEqual({
      type: "machine",
      sub: DEFAULT_M2M_CLIENT_ID,
      clientId: DEFAULT_M2M_CLIENT_ID,
      scopes: ["orders:read", "orders:write"],
    });
    expect(b.claims).toMatchObject({ iss: DEFAULT_M2M_ISSUER, aud: DEFAULT_M2M_AUDIENCE, scope: SCOPES, client_id: DEFAULT_M2M_CLIENT_ID });
    expect(b).not.toHaveProperty("identity");
  });

  it("accepts extra scopes, a lower-case scheme and every prefix", async () => {
    const { handler } = machine();
    const token = valid({ scope: `admin ${SCOPES} audit` });
    expect((await handler(apiEvent(`bearer ${token}`))).statusCode).toBe(200);
    expect((await handler(apiEvent(`Bearer ${token}`, false, "/internal/jobs"))).statusCode).toBe(200);
  });

  it("is verified against a JWKS fetched once per cold start, not once per request", async () => {
    const { handler, jwksFetches } = machine();
    for (let i = 0; i < 3; i++) expect((await handler(apiEvent(`Bearer ${valid()}`))).statusCode).toBe(200);
    expect(jwksServer.requests).toEqual(["/jwks.json"]);
    expect(jwksFetches()).toBe(1);
  });

  it("from an independent minter (jose) is accepted", async () => {
    const { handler } = machine();
    const pkcs8 = rsaKey.privateKey.export({ format: "pem", type: "pkcs8" }).toString();
    const token = await new SignJWT({ scope: SCOPES, client_id: "jose-client" })
      .setProtectedHeader({ alg: "RS256", kid: rsaKey.kid, typ: "at+jwt" })
      .setIssuer(DEFAULT_M2M_ISSUER)
      .setAudience(DEFAULT_M2M_AUDIENCE)
      .setSubject("jose-client")
      .setIssuedAt()
      .setExpirationTime("2m")
      .sign(await importPKCS8(pkcs8, "RS256"));
    const res = await handler(apiEvent(`Bearer ${token}`));
    expect(res.statusCode).toBe(200);
    expect(body(res).principal).toEqual({
      type: "machine",
      sub: "jose-client",
      clientId: "jose-client",
      scopes: ["orders:read", "orders:write"],
    });
  });

  it("reports a missing sub or client id as null", async () => {
    const { handler } = machine();
    const token = valid({ payload: { sub: undefined, client_id: undefined, azp: "auth0-client" } });
    const res = await handler(apiEvent(`Bearer ${token}`));
    expect(body(res).principal).toEqual({ type: "machine", sub: null, clientId: "auth0-client", scopes: ["orders:read", "orders:write"] });
  });

  it("never echoes the token in a log line and logs the route", async () => {
    const { handler, rawLogs, logs } = machine();
    const token = valid();
    await handler(apiEvent(`Bearer ${token}`));
    await handler(apiEvent(`Bearer ${tamper(token, 2)}`));
    const text = rawLogs.join("");
    expect(text).not.toContain(token.split(".")[1]);
    expect(text).not.toContain(token.split(".")[2]);
    expect(logs.map((l) => [l.route, l.status, l.error])).toEqual([
      ["machine", 200, undefined],
      ["machine", 401, "invalid_signature"],
    ]);
  });
});

describe("401 for a missing or invalid token", () => {
  it.each([false, true])("no authorization header -> missing_token with a bare Bearer challenge (multi-value %s)", async (multiValue) => {
    const { handler } = machine();
    expect401(await handler(apiEvent(undefined, multiValue)), "missing_token", "Bearer");
  });

  it.each([
    ["another scheme", "Basic YWxpY2U6c2VjcmV0"],
    ["the scheme alone", "Bearer"],
    ["an empty value", ""],
  ])("%s -> missing_token with a bare Bearer challenge", async (_name, value) => {
    const { handler } = machine();
    expect401(await handler(apiEvent(value)), "missing_token", "Bearer");
    expect(jwksServer.requests).toEqual([]);
  });

  it("a repeated authorization header -> ambiguous_header (invalid_request)", async () => {
    const { handler } = machine();
    const token = valid();
    const event = albEvent({ path: "/api/orders", multiValue: true, headers: { authorization: [`Bearer ${token}`, `Bearer ${token}`] } });
    expect401(await handler(event), "ambiguous_header", 'Bearer error="invalid_request"');
  });

  const other = createRsaKey(rsaKey.kid);
  const cases: [string, () => string, string][] = [
    ["garbage", () => "not-a-jwt", "malformed_token"],
    ["two parts", () => valid().split(".").slice(0, 2).join("."), "malformed_token"],
    ["wrong issuer", () => valid({ issuer: "https://evil.example.com" }), "invalid_issuer"],
    ["expired", () => valid({ expiresIn: -5 }), "expired"],
    ["no exp", () => valid({ payload: { exp: undefined } }), "malformed_token"],
    ["nbf in the future", () => valid({ payload: { nbf: Math.floor(Date.now() / 1000) + 120 } }), "not_yet_valid"],
    ["iat in the future", () => valid({ payload: { iat: Math.floor(Date.now() / 1000) + 120 } }), "not_yet_valid"],
    ["tampered signature", () => tamper(valid(), 2), "invalid_signature"],
    ["tampered payload", () => withPayload(valid(), (p) => ({ ...p, scope: `${SCOPES} admin` })), "invalid_signature"],
    ["signed by another key with our kid", () => mintMachineToken({ key: other, scope: SCOPES }), "invalid_signature"],
    ["alg none", () => valid({ alg: "none" }), "unsupported_algorithm"],
    ["HS256 keyed with the public key", () => valid({ alg: "HS256", hmacSecret: rsaKey.publicKeyPem }), "unsupported_algorithm"],
    ["RS384 (not in M2M_ALGORITHMS)", () => valid({ alg: "RS384" }), "unsupported_algorithm"],
    ["no alg", () => valid({ header: { alg: undefined } }), "unsupported_algorithm"],
    ["no kid", () => valid({ header: { kid: undefined } }), "malformed_token"],
    ["unknown kid", () => mintMachineToken({ key: createRsaKey(), scope: SCOPES }), "unknown_key"],
    ["an ALB user token (padded base64url, not an RFC 6750 b64token)", () => mintAlbToken({ key: albKey }), "malformed_token"],
    ["an unpadded ALB user token (ES256)", () => mintAlbToken({ key: albKey, unpadded: true }), "unsupported_algorithm"],
  ];
  it.each(cases)("%s -> 401 %s", async (_name, make, code) => {
    const { handler } = machine();
    expect401(await handler(apiEvent(`Bearer ${make()}`)), code);
  });

  it("alg none is refused before any key is fetched", async () => {
    const { handler } = machine();
    await handler(apiEvent(`Bearer ${valid({ alg: "none" })}`));
    expect(jwksServer.requests).toEqual([]);
  });

  it("a bearer token longer than an ALB header allows -> malformed_token", async () => {
    const { handler } = machine();
    const token = valid({ payload: { pad: "x".repeat(17 * 1024) } });
    expect401(await handler(apiEvent(`Bearer ${token}`)), "malformed_token");
  });
});

describe("M2M_AUDIENCE and M2M_ALGORITHMS", () => {
  it("checks aud when set: one listed audience is enough", async () => {
    const { handler } = machine({ M2M_AUDIENCE: "https://a.example.com, https://b.example.com" });
    expect((await handler(apiEvent(`Bearer ${valid({ audience: ["https://b.example.com", "x"] })}`))).statusCode).toBe(200);
    expect401(await handler(apiEvent(`Bearer ${valid({ audience: "https://c.example.com" })}`)), "invalid_audience");
    expect401(await handler(apiEvent(`Bearer ${valid({ audience: null })}`)), "invalid_audience");
  });

  it("does not check aud with M2M_AUDIENCE=none (the explicit way to skip it)", async () => {
    const { handler } = machine({ M2M_AUDIENCE: "none" });
    expect((await handler(apiEvent(`Bearer ${valid({ audience: null })}`))).statusCode).toBe(200);
    expect((await handler(apiEvent(`Bearer ${valid({ audience: "https://any.example.com" })}`))).statusCode).toBe(200);
  });

  it("checks the default test audience: a token for another audience is 401 invalid_audience", async () => {
    const { handler } = machine();
    expect401(await handler(apiEvent(`Bearer ${valid({ audience: "https://web-client.example.com" })}`)), "invalid_audience");
    expect401(await handler(apiEvent(`Bearer ${valid({ audience: null })}`)), "invalid_audience");
  });

  it("accepts exactly the listed algorithms", async () => {
    const { handler } = machine({ M2M_ALGORITHMS: "RS384" });
    expect((await handler(apiEvent(`Bearer ${valid({ alg: "RS384" })}`))).statusCode).toBe(200);
    expect401(await handler(apiEvent(`Bearer ${valid()}`)), "unsupported_algorithm");
  });
});

describe("403 insufficient_scope", () => {
  it.each([
    ["one of two scopes", "orders:read"],
    ["no scope claim", null],
    ["a scope that only starts like a required one", "orders:readwrite orders:write"],
  ])("%s -> 403 with the RFC 6750 challenge", async (_name, scope) => {
    const { handler, logs } = machine();
    const res = await handler(apiEvent(`Bearer ${valid({ scope })}`));
    expect(res.statusCode).toBe(403);
    expect(res.statusDescription).toBe("403 Forbidden");
    expect(body(res)).toEqual({ message: "Forbidden", error: "insufficient_scope" });
    expect(header(res, "www-authenticate")).toBe(`Bearer error="insufficient_scope", scope="${SCOPES}"`);
    expect(logs[0]).toMatchObject({ status: 403, error: "insufficient_scope" });
    expect(String(logs[0]?.reason)).toMatch(/^token lacks scope orders:/);
  });

  it("an invalid token without the scopes is still a 401, not a 403", async () => {
    const { handler } = machine();
    expect401(await handler(apiEvent(`Bearer ${tamper(valid({ scope: null }), 2)}`)), "invalid_signature");
  });

  it("without M2M_REQUIRED_SCOPES any valid token passes", async () => {
    const h = harness(albServer, { ...m2mEnv(), M2M_REQUIRED_SCOPES: "" });
    const res = await h.handler(apiEvent(`Bearer ${valid({ scope: null })}`));
    expect(res.statusCode).toBe(200);
    expect(body(res).principal).toMatchObject({ scopes: [] });
  });
});

describe("the JWKS endpoint", () => {
  it.each([false, true])("down -> 503 keys_unavailable, and 200 once it is back (multi-value %s)", async (multiValue) => {
    const { handler } = machine();
    await jwksServer.stop();
    expectKeysUnavailable(await handler(apiEvent(`Bearer ${valid()}`, multiValue)));
    await jwksServer.restart();
    expect((await handler(apiEvent(`Bearer ${valid()}`, multiValue))).statusCode).toBe(200);
  });

  it.each([
    ["500", (res: import("node:http").ServerResponse) => void res.writeHead(500).end("oops")],
    ["404", (res: import("node:http").ServerResponse) => void res.writeHead(404).end("Not Found")],
    ["not JSON", (res: import("node:http").ServerResponse) => void res.writeHead(200).end("<html>")],
    ["JSON but not a JWKS", (res: import("node:http").ServerResponse) => void res.writeHead(200).end('{"keys":"none"}')],
    [
      "larger than 150 KB",
      (res: import("node:http").ServerResponse) => void res.writeHead(200).end(JSON.stringify({ keys: [], pad: "x".repeat(151 * 1024) })),
    ],
  ])("answering %s -> 503 keys_unavailable, nothing cached", async (_name, fault) => {
    const { handler } = machine();
    jwksServer.setFault((_req, res) => fault(res));
    expectKeysUnavailable(await handler(apiEvent(`Bearer ${valid()}`)));
    jwksServer.setFault(undefined);
    expect((await handler(apiEvent(`Bearer ${valid()}`))).statusCode).toBe(200);
  });

  it("an unknown kid refetches the JWKS at most once per cool-down", async () => {
    const rawLogs: string[] = [];
    const app = createApp(testEnv(albServer, m2mEnv()), { app: echoApp, writeLog: (l) => rawLogs.push(l), jwksCoolDownSeconds: 0.3 });
    expect((await app.handler(apiEvent(`Bearer ${valid()}`))).statusCode).toBe(200);
    expect(jwksServer.requests).toHaveLength(1);

    const strangers = [createRsaKey(), createRsaKey(), createRsaKey()];
    for (const stranger of strangers) {
      expect401(await app.handler(apiEvent(`Bearer ${mintMachineToken({ key: stranger, scope: SCOPES })}`)), "unknown_key");
    }
    expect(jwksServer.requests).toHaveLength(2);
    // Known kids keep working from the cache while the cool-down runs.
    expect((await app.handler(apiEvent(`Bearer ${valid()}`))).statusCode).toBe(200);
    expect(jwksServer.requests).toHaveLength(2);

    // After the cool-down a rotated-in key is fetched and accepted.
    const rotated = createRsaKey();
    jwksServer.addKey(rotated);
    await new Promise((r) => setTimeout(r, 400));
    expect((await app.handler(apiEvent(`Bearer ${mintMachineToken({ key: rotated, scope: SCOPES })}`))).statusCode).toBe(200);
    expect(jwksServer.requests).toHaveLength(3);
  });

  it("a key rotated in is fetched on first sight of its kid", async () => {
    const { handler } = machine();
    expect((await handler(apiEvent(`Bearer ${valid()}`))).statusCode).toBe(200);
    const rotated = createRsaKey();
    jwksServer.addKey(rotated);
    expect((await handler(apiEvent(`Bearer ${mintMachineToken({ key: rotated, scope: SCOPES })}`))).statusCode).toBe(200);
    expect(jwksServer.requests).toEqual(["/jwks.json", "/jwks.json"]);
  });
});

describe("machine and user routes do not mix", () => {
  const userToken = (): string => mintAlbToken({ key: albKey, claims: ALICE });

  it.each([false, true])(
    "on a machine route the x-amzn-oidc-* headers are ignored: a valid user session alone is 401 missing_token (multi-value %s)",
    async (multiValue) => {
      const { handler } = machine();
      const event = albEvent({ path: "/api/orders", multiValue, oidc: { data: userToken(), identity: "alice", accessToken: "opaque" } });
      const before = albServer.requests.length;
      expect401(await handler(event), "missing_token", "Bearer");
      expect(albServer.requests.length).toBe(before);
    },
  );

  it("on a machine route garbage x-amzn-oidc-* headers do not spoil a valid bearer token", async () => {
    const { handler } = machine();
    const event = albEvent({
      path: "/api/orders",
      headers: { authorization: `Bearer ${valid()}` },
      oidc: { data: "garbage", identity: "mallory", accessToken: "x" },
    });
    const res = await handler(event);
    expect(res.statusCode).toBe(200);
    expect(body(res).principal).toMatchObject({ type: "machine", sub: DEFAULT_M2M_CLIENT_ID });
  });

  it.each([false, true])(
    "on a user route a bearer token is ignored: alone it is 401 missing_token (multi-value %s)",
    async (multiValue) => {
      const { handler } = machine();
      const res = await handler(albEvent({ path: "/whoami", multiValue, headers: { authorization: `Bearer ${valid()}` } }));
      expect401(res, "missing_token", "Bearer");
      expect(jwksServer.requests).toEqual([]);
    },
  );

  it("on a user route a bearer token next to a valid user session changes nothing", async () => {
    const { handler } = machine();
    const res = await handler(
      albEvent({ path: "/whoami", headers: { authorization: `Bearer ${valid()}` }, oidc: { data: userToken(), identity: "alice" } }),
    );
    expect(res.statusCode).toBe(200);
    expect(body(res).identity).toBe("alice");
    expect(body(res)).not.toHaveProperty("principal");
    expect(jwksServer.requests).toEqual([]);
  });

  it.each(["/api", "/apiary/x", "/v1/api/orders"])("%s is not under a machine prefix: a user route", async (path) => {
    const { handler, logs } = machine();
    const res = await handler(albEvent({ path, headers: { authorization: `Bearer ${valid()}` } }));
    expect401(res, "missing_token", "Bearer");
    expect(logs[0]?.route).toBe("user");
  });

  it("/API/orders is a machine route by default, and a user route with M2M_PATHS_CASE_SENSITIVE=true", async () => {
    const event = albEvent({ path: "/API/orders", headers: { authorization: `Bearer ${valid()}` } });
    const insensitive = machine();
    expect((await insensitive.handler(event)).statusCode).toBe(200);
    expect(insensitive.logs[0]?.route).toBe("machine");
    const sensitive = machine({ M2M_PATHS_CASE_SENSITIVE: "true" });
    expect401(await sensitive.handler(event), "missing_token", "Bearer");
    expect(sensitive.logs[0]?.route).toBe("user");
  });

  it("without M2M_PATH_PREFIXES there are no machine routes", async () => {
    const { handler, jwksFetches } = harness(albServer);
    const res = await handler(apiEvent(`Bearer ${valid()}`));
    expect401(res, "missing_token", "Bearer");
    expect(jwksFetches()).toBe(0);
    expect(jwksServer.requests).toEqual([]);
  });
});
