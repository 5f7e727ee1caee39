// The built artifact: dist/index.js loaded as Lambda loads it, fed tokens from an independent minter written here, and checked for dev code.
import { execFileSync, spawnSync } from "node:child_process";
import { createHmac, generateKeyPairSync, randomUUID, sign, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { ALBEvent, ALBResult } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startKeyServer, type KeyServer } from "../../src/testing/key-server.js";

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
let server: KeyServer;
let handler: (e: ALBEvent) => Promise<ALBResult>;
let bundle: string;
const saved = { ...process.env };
const logged: string[] = [];

beforeAll(async () => {
  execFileSync(process.execPath, ["esbuild.config.mjs"], { stdio: "pipe" });
  bundle = readFileSync("dist/index.js", "utf8");
  server = await startKeyServer();
  server.addKey({ kid: signing.kid, publicKeyPem: signing.pem } as never);
  Object.assign(process.env, { LOAD_BALANCER_ARN: ARN, ISSUER, CLIENT_ID: CLIENT, ALB_PUBLIC_KEY_ENDPOINT: server.url });
  const require = createRequire(import.meta.url);
  const loaded = (require("../../dist/index.js") as { handler: typeof handler }).handler;
  // Capture the bundle's log lines (stdout) around each call, to check nothing secret is written.
  handler = async (e) => {
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      logged.push(chunk.toString());
      return true;
    });
    try {
      return await loaded(e);
    } finally {
      spy.mockRestore();
    }
  };
});
afterAll(async () => {
  process.env = saved;
  await server.stop();
});

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
    const down = await handler(ev(albJwt(later)));
    expect(down.statusCode).toBe(503);
    expect(code(down)).toBe("keys_unavailable");
    expect(down.headers?.["retry-after"]).toBeDefined();
    await server.restart();
    expect((await handler(ev(albJwt(later)))).statusCode).toBe(200);
  });

  it("fails its cold start naming LOAD_BALANCER_ARN when it is missing", () => {
    const env = { PATH: process.env.PATH ?? "", ISSUER, CLIENT_ID: CLIENT };
    const run = spawnSync(process.execPath, ["-e", "require('./dist/index.js')"], { env, encoding: "utf8" });
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
