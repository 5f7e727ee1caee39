// The built artifact: dist/index.js loaded as Lambda loads it, fed tokens from an independent minter written here, and checked for dev code.
import { spawnSync } from "node:child_process";
import { createHmac, generateKeyPairSync, randomUUID, sign, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import type { ALBEvent, ALBResult } from "aws-lambda";
import { SignJWT, exportJWK, generateKeyPair } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { BUNDLE, buildBundle, coldStartBundle, type BundleHandler } from "../dist-bundle.js";
import { expectKeysUnavailable, useKeyServer } from "../helpers.js";

const ARN = "arn:aws:elasticloadbalancing:eu-central-1:111122223333:loadbalancer/app/prod-alb/0123456789abcdef";
const OTHER_ARN = "arn:aws:elasticloadbalancing:eu-central-1:444455556666:loadbalancer/app/evil-alb/fedcba9876543210";
const ISSUER = "https://access.line.me";
const CLIENT = "1657000000";

// An independent implementation of the ALB token format (not src/testing): padded base64url, r||s.
const pad64 = (b: Buffer): string => b.toString("base64").replaceAll("+", "-").replaceAll("/", "_");
interface Ec {
  kid: string;
  priv: KeyObject;
  pem: string;
}
function ecKey(): Ec {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return { kid: randomUUID(), priv: privateKey, pem: publicKey.export({ type: "spki", format: "pem" }).toString() };
}
function albJwt(k: Ec, o: { header?: object; payload?: object; alg?: string } = {}): string {
  const exp = Math.floor(Date.now() / 1000) + 60;
  const h = { typ: "JWT", kid: k.kid, alg: o.alg ?? "ES256", iss: ISSUER, client: CLIENT, signer: ARN, exp, ...o.header };
  const p = { sub: "U4af4980629", name: "Taro", picture: "https://profile.line-scdn.net/x", exp, iss: ISSUER, ...o.payload };
  const input = `${pad64(Buffer.from(JSON.stringify(h)))}.${pad64(Buffer.from(JSON.stringify(p)))}`;
  const sig =
    o.alg === "none"
      ? Buffer.alloc(0)
      : o.alg === "HS256"
        ? createHmac("sha256", k.pem).update(input).digest()
        : sign("sha256", Buffer.from(input), { key: k.priv, dsaEncoding: "ieee-p1363" });
  return `${input}.${pad64(sig)}`;
}
function ev(token: string | undefined, o: { multi?: boolean; identity?: string; extra?: Record<string, string> } = {}): ALBEvent {
  const headers: Record<string, string> = { host: "app.example.com", "x-forwarded-proto": "https", ...o.extra };
  if (token !== undefined) {
    headers["x-amzn-oidc-data"] = token;
    headers["x-amzn-oidc-identity"] = o.identity ?? "U4af4980629";
    headers["x-amzn-oidc-accesstoken"] = "eyJhY2Nlc3MiOiJ0b2tlbiJ9";
  }
  const base = {
    requestContext: { elb: { targetGroupArn: "arn:aws:elasticloadbalancing:eu-central-1:111122223333:targetgroup/t/1" } },
    httpMethod: "GET",
    path: "/",
    body: "",
    isBase64Encoded: false,
  };
  return o.multi
    ? { ...base, multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])) }
    : { ...base, headers };
}

const signing = ecKey();
const later = ecKey();
const server = useKeyServer();
let handler: BundleHandler;
let bundle: string;
const logged: string[] = [];

beforeAll(() => {
  buildBundle();
  bundle = readFileSync(BUNDLE, "utf8");
  server.addKey({ kid: signing.kid, publicKeyPem: signing.pem } as never);
  handler = loadBundle({ LOAD_BALANCER_ARN: ARN, ISSUER, CLIENT_ID: CLIENT, ALB_PUBLIC_KEY_ENDPOINT: server.url });
});

/** A fresh cold start of dist/index.js with `env`, its stdout log lines captured into `logged`. */
function loadBundle(env: Record<string, string>): BundleHandler {
  return coldStartBundle(bundle, env, (line) => logged.push(line));
}

const code = (r: ALBResult): unknown => (JSON.parse(r.body ?? "{}") as { error?: unknown }).error;

describe("dist/index.js", () => {
  it("answers 50 concurrent cold-start requests with exactly one key fetch", async () => {
    const results = await Promise.all(Array.from({ length: 50 }, () => handler(ev(albJwt(signing)))));
    expect(results.every((r) => r.statusCode === 200)).toBe(true);
    expect(server.requests).toEqual([`/${signing.kid}`]);
  });

  it("accepts a valid token in both header modes", async () => {
    const single = await handler(ev(albJwt(signing)));
    const multi = await handler(ev(albJwt(signing), { multi: true }));
    expect(single.statusCode).toBe(200);
    expect(single.headers?.["content-type"]).toBe("application/json");
    expect(multi.statusCode).toBe(200);
    expect(multi.multiValueHeaders?.["content-type"]).toEqual(["application/json"]);
    expect(multi.headers).toBeUndefined();
    expect(JSON.parse(single.body ?? "")).toMatchObject({ message: "Token is valid", identity: "U4af4980629", claims: { name: "Taro" } });
  });

  const swapSigner = (t: string): string => {
    const [h, p, s] = t.split(".");
    const header = JSON.parse(Buffer.from(h ?? "", "base64").toString()) as Record<string, unknown>;
    return [pad64(Buffer.from(JSON.stringify({ ...header, signer: ARN }))), p, s].join(".");
  };
  const tamper = (t: string): string => {
    const [h, , s] = t.split(".");
    return [h, pad64(Buffer.from(JSON.stringify({ sub: "admin", exp: 9e9, iss: ISSUER }))), s].join(".");
  };
  const cases: [string, () => ALBEvent, string][] = [
    ["ALBeast: another ALB's genuinely signed token", () => ev(albJwt(signing, { header: { signer: OTHER_ARN } })), "invalid_signer"],
    ["swapped signer", () => ev(swapSigner(albJwt(signing, { header: { signer: OTHER_ARN } }))), "invalid_signature"],
    ["tampered payload", () => ev(tamper(albJwt(signing))), "invalid_signature"],
    [
      "wrong issuer",
      () =>
        ev(
          albJwt(signing, {
            header: { iss: "https://access.line.me/oauth2/v2.1" },
            payload: { iss: "https://access.line.me/oauth2/v2.1" },
          }),
        ),
      "invalid_issuer",
    ],
    ["wrong client", () => ev(albJwt(signing, { header: { client: "someone-else" } })), "invalid_client"],
    ["expired", () => ev(albJwt(signing, { header: { exp: 1 }, payload: { exp: 1 } })), "expired"],
    ["alg none", () => ev(albJwt(signing, { alg: "none" })), "unsupported_algorithm"],
    ["HS256 keyed with the public PEM", () => ev(albJwt(signing, { alg: "HS256" })), "unsupported_algorithm"],
    ["path-traversal kid", () => ev(albJwt(signing, { header: { kid: "../../../etc/passwd" } })), "malformed_token"],
    ["unknown kid", () => ev(albJwt({ ...signing, kid: randomUUID() })), "unknown_key"],
    ["missing token", () => ev(undefined), "missing_token"],
    ["empty token", () => ev(""), "missing_token"],
    ["garbage token", () => ev("garbage.garbage.garbage"), "malformed_token"],
    ["64 KB token", () => ev(`${"a".repeat(32 * 1024)}.${"b".repeat(32 * 1024)}.c`), "malformed_token"],
    ["identity mismatch", () => ev(albJwt(signing), { identity: "U-someone-else" }), "identity_mismatch"],
    ["duplicated header", () => ev(albJwt(signing), { extra: { "X-Amzn-Oidc-Data": albJwt(signing) } }), "ambiguous_header"],
  ];
  it.each(cases)("rejects %s with 401 %s", async (_name, make, expected) => {
    const res = await handler(make());
    expect(res.statusCode).toBe(401);
    expect(code(res)).toBe(expected);
    expect(res.headers?.["www-authenticate"]).toMatch(/^Bearer/);
    expect(res.body).not.toContain("eyJhY2Nlc3MiOiJ0b2tlbiJ9");
  });

  it("answers 503 with retry-after while the key endpoint is down, then 200 when it is back", async () => {
    server.addKey({ kid: later.kid, publicKeyPem: later.pem } as never);
    await server.stop();
    expectKeysUnavailable(await handler(ev(albJwt(later))));
    await server.restart();
    expect((await handler(ev(albJwt(later)))).statusCode).toBe(200);
  });

  it("fails its cold start naming LOAD_BALANCER_ARN when it is missing", () => {
    const env = { PATH: process.env.PATH ?? "", ISSUER, CLIENT_ID: CLIENT };
    const run = spawnSync(process.execPath, ["-e", `require(${JSON.stringify(BUNDLE)})`], { env, encoding: "utf8" });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("LOAD_BALANCER_ARN is required");
  });

  it("logged one line per request and never a token", () => {
    expect(logged.length).toBeGreaterThan(60);
    const all = logged.join("");
    expect(all).not.toContain("eyJhY2Nlc3MiOiJ0b2tlbiJ9");
    expect(all).not.toContain(albJwt(signing).split(".")[0]);
    for (const line of logged) expect(JSON.parse(line)).toMatchObject({ msg: "request" });
  });

  it("carries no key generation, signing, server or test code", () => {
    for (const marker of [
      "generateKeyPair",
      "createSign",
      "createHmac",
      "createServer",
      "mintAlbToken",
      "oidc-provider",
      "playwright",
      "fast-check",
    ]) {
      expect(bundle, marker).not.toContain(marker);
    }
    expect(bundle).toContain("x-amzn-oidc-data");
  });
});

describe("dist/index.js with machine routes, authorization, health check and logout", () => {
  const M2M_ISSUER = "https://auth.example.com";
  const M2M_AUDIENCE = "https://api.example.com";
  let m2m: (e: ALBEvent) => Promise<ALBResult>;
  const jwksServer = useKeyServer();
  let rsa: Awaited<ReturnType<typeof generateKeyPair>>;
  const rsaKid = randomUUID();

  beforeAll(async () => {
    rsa = await generateKeyPair("RS256");
    const jwk = { ...(await exportJWK(rsa.publicKey)), kid: rsaKid, alg: "RS256", use: "sig" };
    jwksServer.setFault((req, res) => {
      if (req.url === "/jwks.json") res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [jwk] }));
      else res.writeHead(404).end();
    });
    m2m = loadBundle({
      LOAD_BALANCER_ARN: ARN,
      ISSUER,
      CLIENT_ID: CLIENT,
      ALB_PUBLIC_KEY_ENDPOINT: server.url,
      M2M_PATH_PREFIXES: "/api/",
      M2M_ISSUER,
      M2M_JWKS_URI: `${jwksServer.url}/jwks.json`,
      M2M_AUDIENCE: M2M_AUDIENCE,
      M2M_REQUIRED_SCOPES: "orders:read",
      ALLOWED_EMAIL_DOMAINS: "example.com",
      REQUIRED_USER_CLAIMS: '{"groups":["admins"]}',
    });
  });

  const bearer = (o: { iss?: string; exp?: number; scope?: string; alg?: string; key?: typeof rsa.privateKey } = {}): Promise<string> =>
    new SignJWT({ scope: o.scope ?? "orders:read orders:write", client_id: "orders-service" })
      .setProtectedHeader({ alg: o.alg ?? "RS256", kid: rsaKid })
      .setIssuer(o.iss ?? M2M_ISSUER)
      .setAudience(M2M_AUDIENCE)
      .setSubject("orders-service")
      .setIssuedAt()
      .setExpirationTime(o.exp ?? Math.floor(Date.now() / 1000) + 300)
      .sign(o.key ?? rsa.privateKey);
  const api = (token: string | undefined, multi = false): ALBEvent => {
    const e = ev(undefined, { multi, ...(token === undefined ? {} : { extra: { authorization: `Bearer ${token}` } }) });
    return { ...e, path: "/api/orders" };
  };

  it("answers a valid RS256 bearer token with 200 and the machine principal", async () => {
    const res = await m2m(api(await bearer()));
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body ?? "")).toMatchObject({
      message: "Token is valid",
      principal: { type: "machine", sub: "orders-service", clientId: "orders-service", scopes: ["orders:read", "orders:write"] },
    });
  });

  it.each([
    ["wrong issuer", () => bearer({ iss: "https://evil.example.com" })],
    ["expired", () => bearer({ exp: Math.floor(Date.now() / 1000) - 10 })],
    ["bad signature", async () => (await bearer()).replace(/.{4}$/, "AAAA")],
    ["alg none", async () => `${Buffer.from('{"alg":"none","kid":"x"}').toString("base64url")}.${(await bearer()).split(".")[1] ?? ""}.`],
  ])("refuses a bearer token with %s: 401 invalid_token challenge", async (_name, make) => {
    const res = await m2m(api(await make()));
    expect(res.statusCode).toBe(401);
    expect(res.headers?.["www-authenticate"]).toMatch(/^Bearer error="invalid_token"/);
  });

  it("refuses a valid token without the required scope: 403 insufficient_scope", async () => {
    const res = await m2m(api(await bearer({ scope: "orders:write" })));
    expect(res.statusCode).toBe(403);
    expect(code(res)).toBe("insufficient_scope");
    expect(res.headers?.["www-authenticate"]).toContain('error="insufficient_scope"');
  });

  it("answers 503 keys_unavailable while the JWKS is down", async () => {
    const fresh = loadBundle({
      LOAD_BALANCER_ARN: ARN,
      ISSUER,
      CLIENT_ID: CLIENT,
      M2M_PATH_PREFIXES: "/api/",
      M2M_ISSUER,
      M2M_JWKS_URI: "http://127.0.0.1:9/jwks.json",
      M2M_AUDIENCE,
    });
    expectKeysUnavailable(await fresh(api(await bearer())));
  });

  it("answers the ALB health check with 200 and nothing else, without authentication", async () => {
    const base = ev(undefined);
    const res = await m2m({ ...base, path: "/health", headers: { "user-agent": "ELB-HealthChecker/2.0" } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('{"status":"ok"}');
  });

  it("expires every session cookie shard in multi-value mode and shard -0 in single-value mode", async () => {
    const multi = await m2m({ ...ev(undefined, { multi: true }), path: "/logout" });
    expect(multi.multiValueHeaders?.["set-cookie"]).toHaveLength(4);
    for (const c of multi.multiValueHeaders?.["set-cookie"] ?? [])
      expect(String(c)).toMatch(/^AWSELBAuthSessionCookie-[0-3]=; .*Max-Age=0/);
    const single = await m2m({ ...ev(undefined), path: "/logout" });
    expect(single.headers?.["set-cookie"]).toMatch(/^AWSELBAuthSessionCookie-0=; .*Max-Age=0/);
  });

  it("gives 403 forbidden when the email domain or a required claim does not match", async () => {
    const claims = (payload: object): ALBEvent => ev(albJwt(signing, { payload }));
    const ok = await m2m(claims({ email: "taro@example.com", email_verified: true, groups: ["admins", "dev"] }));
    expect(ok.statusCode).toBe(200);
    const domain = await m2m(claims({ email: "taro@evil.com", email_verified: true, groups: ["admins"] }));
    expect(domain.statusCode).toBe(403);
    expect(JSON.parse(domain.body ?? "")).toEqual({ message: "Forbidden", error: "forbidden" });
    const group = await m2m(claims({ email: "taro@example.com", email_verified: true, groups: ["dev"] }));
    expect(group.statusCode).toBe(403);
  });
});
