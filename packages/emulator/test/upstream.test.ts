// The emulator in front of an HTTP server (--upstream): a Python server that verifies x-amzn-oidc-data with its own code accepts what the emulator forwards; headers, cookies, bodies, 502 and 504.
import { createServer, request, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { banner } from "../src/emulator/banner.js";
import { parseUpstream } from "../src/emulator/targets/upstream.js";
import { DEMO_USERS } from "../src/oidc/users.js";
import { mintAlbToken, createAlbKey } from "alb-oidc-target/testing";
import { Browser } from "alb-oidc-target-test-support/browser";
import { bannerEnv, startPythonUpstream, type PythonUpstream } from "./python-upstream.js";
import { testEmulator, type TestEmulator } from "./setup.js";

let python: PythonUpstream;
let alb: TestEmulator;
let printed: string;

interface Echo {
  verified: boolean;
  verifier: string;
  claims: Record<string, unknown>;
  identity: string;
  method: string;
  target: string;
  body: string;
  headers: Record<string, string[]>;
  keyFetches: number;
  error?: string;
}

beforeAll(async () => {
  python = await startPythonUpstream();
  alb = await testEmulator({ target: { kind: "upstream", url: python.url } });
  printed = banner(alb, "test");
  // The verifier's whole configuration is what the banner printed, as a user would copy it.
  python.configure({
    keyEndpoint: bannerEnv(printed, "ALB_PUBLIC_KEY_ENDPOINT"),
    signer: bannerEnv(printed, "LOAD_BALANCER_ARN"),
    issuer: bannerEnv(printed, "ISSUER"),
    clientId: bannerEnv(printed, "CLIENT_ID"),
  });
});
afterAll(async () => {
  await alb.stop();
  await python.stop();
});

describe("logging in in front of a Python upstream that verifies the ALB token itself", () => {
  it("the banner prints the key endpoint as http://127.0.0.1:<KEY_PORT> with the signer, issuer and client id", () => {
    expect(bannerEnv(printed, "ALB_PUBLIC_KEY_ENDPOINT")).toBe(`http://127.0.0.1:${alb.keyServer.port}`);
    expect(bannerEnv(printed, "LOAD_BALANCER_ARN")).toBe(alb.config.LoadBalancerArn);
    expect(printed).toContain(`Target:                      HTTP upstream ${python.url}`);
  });

  it("ends on the original URL with alice's claims verified by the Python code (key fetched by kid, signer checked)", async () => {
    const browser = new Browser();
    const { final } = await browser.login(`${alb.url}/reports?year=2026&q=a%20b`, "alice");
    expect(final.url).toBe(`${alb.url}/reports?year=2026&q=a%20b`);
    expect(final.res.status).toBe(200);
    const echo = JSON.parse(final.body) as Echo;
    expect(echo.verified).toBe(true);
    expect(echo.verifier).toBe("python-cryptography");
    expect(echo.claims).toMatchObject({ ...DEMO_USERS.alice, iss: alb.config.Issuer });
    expect(echo.identity).toBe("alice");
    expect(echo.target).toBe("/reports?year=2026&q=a%20b");
    expect(echo.keyFetches).toBe(1);
    expect(alb.keyServer.requests.filter((p) => p !== "/jwks.json")).toHaveLength(1);
  });

  it("a token from another key, or signed for another load balancer, is refused by the same Python verifier", async () => {
    const forged = mintAlbToken({
      key: createAlbKey(),
      claims: { sub: "mallory" },
      issuer: alb.config.Issuer,
      clientId: alb.config.ClientId,
      signer: alb.config.LoadBalancerArn,
    });
    const otherSigner = mintAlbToken({
      key: createAlbKey(),
      claims: { sub: "mallory" },
      issuer: alb.config.Issuer,
      clientId: alb.config.ClientId,
      signer: "arn:aws:elasticloadbalancing:us-east-1:999999999999:loadbalancer/app/theirs/0123456789abcdef",
    });
    // Straight to the upstream, around the emulator: what the verifier does on its own.
    const a = await fetch(`${python.url}/`, { headers: { "x-amzn-oidc-data": forged } });
    const b = await fetch(`${python.url}/`, { headers: { "x-amzn-oidc-data": otherSigner } });
    expect(a.status).toBe(401);
    expect(b.status).toBe(401);
    expect(((await b.json()) as Echo).error).toBe("signer is not our load balancer");
    // The forged key was looked up by its kid at the emulator's key endpoint, which does not know it.
    expect(((await a.json()) as Echo).error).toMatch(/404|Not Found/);
  });
});

describe("what the upstream receives and what comes back", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = new Browser();
    await browser.login(`${alb.url}/`, "bob");
  });

  it("method, body and headers pass; client-sent x-amzn-oidc-* and hop-by-hop headers do not; the ALB adds x-forwarded-* and a trace id", async () => {
    const forged = mintAlbToken({
      key: createAlbKey(),
      claims: { sub: "admin" },
      issuer: alb.config.Issuer,
      clientId: alb.config.ClientId,
    });
    // node:http rather than fetch: fetch refuses to send hop-by-hop headers at all.
    const res = await rawRequest(`${alb.url}/orders`, "POST", JSON.stringify({ item: "book" }), {
      cookie: await browser.jar.getCookieString(alb.url),
      "content-type": "application/json",
      "x-custom": "kept",
      "x-amzn-oidc-data": forged,
      "x-amzn-oidc-identity": "admin",
      "x-amzn-oidc-extra": "dropped",
      "keep-alive": "timeout=5",
      connection: "keep-alive, x-hop",
      "x-hop": "for this connection only",
      "x-forwarded-for": "203.0.113.9",
    });
    expect(res.status).toBe(200);
    const echo = JSON.parse(res.body) as Echo;
    expect(echo.method).toBe("POST");
    expect(echo.body).toBe('{"item":"book"}');
    const h = echo.headers;
    expect(h["x-custom"]).toEqual(["kept"]);
    expect(h["x-amzn-oidc-identity"]).toEqual(["bob"]);
    expect(h["x-amzn-oidc-data"]?.[0]).not.toBe(forged);
    expect(h["x-amzn-oidc-accesstoken"]?.[0]).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(h["x-amzn-oidc-extra"]).toBeUndefined();
    expect(h["keep-alive"]).toBeUndefined();
    expect(h["x-hop"]).toBeUndefined();
    expect(h["x-forwarded-for"]).toEqual(["203.0.113.9, 127.0.0.1"]);
    expect(h["x-forwarded-proto"]).toEqual(["http"]);
    expect(h["x-forwarded-port"]).toEqual([String(alb.port)]);
    expect(h["x-amzn-trace-id"]?.[0]).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    expect(h.host).toEqual([`localhost:${alb.port}`]);
    expect(echo.verified).toBe(true);
  });

  it("status, headers and every set-cookie come back unchanged", async () => {
    const res = await browser.fetch(`${alb.url}/anything`);
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie()).toEqual(["upstream_a=1; Path=/", "upstream_b=2; Path=/; HttpOnly"]);
    expect(res.headers.get("x-upstream")).toBe("python");
    const teapot = await browser.fetch(`${alb.url}/status/418`);
    expect(teapot.status).toBe(418);
    expect(await teapot.json()).toEqual({ verified: true, status: 418 });
  });
});

/** One request with node:http, headers as given. */
function rawRequest(url: string, method: string, body: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** A loopback server that accepts connections and never answers. */
async function silentServer(): Promise<{ url: string; server: Server; seen: IncomingMessage[] }> {
  const seen: IncomingMessage[] = [];
  const server = createServer((req) => void seen.push(req));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, seen };
}

describe("an upstream that fails", () => {
  it("refusing the connection is a 502 (TargetConnectionError) and the cause is on the console", async () => {
    const closed = await silentServer();
    await new Promise<void>((r) => closed.server.close(() => r()));
    const e = await testEmulator({ target: { kind: "upstream", url: closed.url }, file: { OnUnauthenticatedRequest: "allow" } });
    try {
      const res = await fetch(`${e.url}/`);
      expect(res.status).toBe(502);
      expect(res.headers.get("x-alb-emulator-error")).toBe("TargetConnectionError");
      expect(e.logs.join("")).toContain("ECONNREFUSED");
    } finally {
      await e.stop();
    }
  });

  it("not answering within the idle timeout is a 504 (TargetTimeout)", async () => {
    const silent = await silentServer();
    const e = await testEmulator({
      target: { kind: "upstream", url: silent.url, timeoutMs: 300 },
      file: { OnUnauthenticatedRequest: "allow" },
    });
    try {
      const res = await fetch(`${e.url}/slow`);
      expect(res.status).toBe(504);
      expect(res.headers.get("x-alb-emulator-error")).toBe("TargetTimeout");
      expect(silent.seen).toHaveLength(1);
    } finally {
      await e.stop();
      silent.server.closeAllConnections();
      await new Promise<void>((r) => silent.server.close(() => r()));
    }
  });

  it("streams the body: the first chunk reaches the client before the upstream has finished", async () => {
    let finish: () => void = () => undefined;
    const server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("first;");
      finish = () => res.end("last");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const e = await testEmulator({
      target: { kind: "upstream", url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` },
      file: { OnUnauthenticatedRequest: "allow" },
    });
    try {
      const chunks: string[] = [];
      await new Promise<void>((resolve, reject) => {
        request(`${e.url}/stream`, (res) => {
          res.setEncoding("utf8");
          res.on("data", (c: string) => {
            chunks.push(c);
            if (chunks.length === 1) finish();
          });
          res.on("end", resolve);
        })
          .on("error", reject)
          .end();
      });
      expect(chunks[0]).toBe("first;");
      expect(chunks.join("")).toBe("first;last");
    } finally {
      await e.stop();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe("--upstream values", () => {
  it("must be loopback unless remote upstreams are allowed, and an http:// origin", () => {
    expect(() => parseUpstream("http://example.com:8080", false)).toThrow(
      '--upstream "http://example.com:8080" is not a loopback address: the emulator sends users\' tokens to it; pass --allow-remote-upstream if you mean it',
    );
    expect(parseUpstream("http://example.com:8080", true).host).toBe("example.com:8080");
    expect(parseUpstream("http://127.0.0.2:8080", false).hostname).toBe("127.0.0.2");
    expect(parseUpstream("http://[::1]:8080", false).hostname).toBe("[::1]");
    expect(() => parseUpstream("https://127.0.0.1:8443", false)).toThrow("--upstream must be an http:// URL");
    expect(() => parseUpstream("http://127.0.0.1:8080/app", false)).toThrow("--upstream is an origin (http://host:port)");
    expect(() => parseUpstream("localhost:8080", false)).toThrow("--upstream must be an http:// URL");
  });
});
