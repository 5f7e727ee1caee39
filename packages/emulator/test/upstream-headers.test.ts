// The headers a target gets from the emulator: a client's Connection header cannot remove the ALB's own, and header names outside [-A-Za-z0-9] are dropped for both kinds of target (drop_invalid_header_fields).
import { createServer, request, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Browser } from "alb-oidc-target-test-support/browser";
import { startPythonUpstream, type PythonUpstream } from "./python-upstream.js";
import { lastEvent, testEmulator, type TestEmulator } from "./setup.js";

/** A loopback upstream that answers every request with the headers it received, as node parsed them. */
interface EchoUpstream {
  readonly url: string;
  readonly server: Server;
  readonly seen: IncomingHttpHeaders[];
}

async function echoUpstream(): Promise<EchoUpstream> {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(req.headersDistinct));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, seen };
}

/** One GET with node:http and headers exactly as given (fetch refuses Connection and hop-by-hop headers). */
function get(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** Header names with characters an ALB with drop_invalid_header_fields refuses, each sent with a value that must not arrive. */
const INVALID_NAMES = [
  "x_amzn_oidc_identity",
  "X_Forwarded_For",
  "x-amzn_oidc-data",
  "x.amzn.oidc.accesstoken",
  "x-user~id",
  "x-custom_thing",
];

describe("upstream mode", () => {
  let upstream: EchoUpstream;
  let alb: TestEmulator;
  let browser: Browser;
  beforeAll(async () => {
    upstream = await echoUpstream();
    alb = await testEmulator({ target: { kind: "upstream", url: upstream.url } });
    browser = new Browser();
    const { final } = await browser.login(`${alb.url}/`, "bob");
    expect(final.res.status).toBe(200);
  });
  afterAll(async () => {
    await alb.stop();
    await new Promise<void>((r) => upstream.server.close(() => r()));
  });

  it("a Connection header naming the ALB's headers removes none of them: the request still arrives logged in, with the client's address", async () => {
    const res = await get(`${alb.url}/orders`, {
      cookie: await browser.jar.getCookieString(alb.url),
      connection:
        "keep-alive, x-amzn-oidc-data, x-amzn-oidc-identity, x-amzn-oidc-accesstoken, x-forwarded-for, x-forwarded-proto, x-forwarded-port, x-amzn-trace-id, host, x-hop",
      "x-hop": "for this connection only",
      "x-forwarded-for": "203.0.113.9",
      "x-amzn-trace-id": "Root=1-00000000-000000000000000000000000",
    });
    expect(res.status).toBe(200);
    const h = upstream.seen[upstream.seen.length - 1] ?? {};
    expect(h["x-amzn-oidc-identity"]).toBe("bob");
    expect(String(h["x-amzn-oidc-data"]).split(".")).toHaveLength(3);
    expect(h["x-amzn-oidc-accesstoken"]).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    // The client listed its own x-forwarded-for and trace id as hop-by-hop: those are gone, the ALB's are there.
    expect(h["x-forwarded-for"]).toBe("127.0.0.1");
    expect(h["x-forwarded-proto"]).toBe("http");
    expect(h["x-forwarded-port"]).toBe(String(alb.port));
    expect(h["x-amzn-trace-id"]).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    expect(h["x-amzn-trace-id"]).not.toBe("Root=1-00000000-000000000000000000000000");
    expect(h["x-hop"]).toBeUndefined();
    // Host is end-to-end: the client's, not the upstream's own address.
    expect(h.host).toBe(`localhost:${alb.port}`);
    expect(h.connection).not.toMatch(/x-amzn/);
  });

  it("header names outside [-A-Za-z0-9] never reach the upstream; the valid spelling of the same header still does", async () => {
    const headers: Record<string, string> = { cookie: await browser.jar.getCookieString(alb.url), "x-custom-thing": "kept" };
    for (const name of INVALID_NAMES) headers[name] = "mallory";
    const res = await get(`${alb.url}/orders`, headers);
    expect(res.status).toBe(200);
    const h = upstream.seen[upstream.seen.length - 1] ?? {};
    const arrived = Object.keys(h).filter((name) => !/^[-A-Za-z0-9]+$/.test(name));
    expect(arrived).toEqual([]);
    expect(Object.values(h).flat().join(" ")).not.toContain("mallory");
    expect(h["x-custom-thing"]).toBe("kept");
    expect(h["x-amzn-oidc-identity"]).toBe("bob");
    expect(h["x-forwarded-for"]).toBe("127.0.0.1");
  });
});

describe("upstream mode in front of a WSGI server (Python's wsgiref), which reads x_amzn_oidc_identity as x-amzn-oidc-identity", () => {
  let wsgi: PythonUpstream;
  let alb: TestEmulator;
  let browser: Browser;
  beforeAll(async () => {
    wsgi = await startPythonUpstream(fileURLToPath(new URL("./fixtures/wsgi_echo.py", import.meta.url)));
    alb = await testEmulator({ target: { kind: "upstream", url: wsgi.url } });
    browser = new Browser();
    await browser.login(`${alb.url}/`, "bob");
  });
  afterAll(async () => {
    await alb.stop();
    await wsgi.stop();
  });

  it("an underscore spelling cannot add a second identity: the app reads bob alone", async () => {
    const res = await get(`${alb.url}/`, {
      cookie: await browser.jar.getCookieString(alb.url),
      x_amzn_oidc_identity: "alice",
      x_forwarded_for: "203.0.113.9",
    });
    expect(res.status).toBe(200);
    const environ = JSON.parse(res.body) as Record<string, string>;
    expect(environ.HTTP_X_AMZN_OIDC_IDENTITY).toBe("bob");
    expect(environ.HTTP_X_FORWARDED_FOR).toBe("127.0.0.1");
  });
});

describe("Lambda target", () => {
  let alb: TestEmulator;
  beforeAll(async () => {
    alb = await testEmulator({ file: { OnUnauthenticatedRequest: "allow" } });
  });
  afterAll(async () => {
    await alb.stop();
  });

  it("the event carries no header name outside [-A-Za-z0-9] either", async () => {
    const headers: Record<string, string> = { "x-custom-thing": "kept" };
    for (const name of INVALID_NAMES) headers[name] = "mallory";
    await get(`${alb.url}/whoami`, headers);
    const event = lastEvent(alb);
    const names = Object.keys(event.headers ?? event.multiValueHeaders ?? {});
    expect(names.filter((name) => !/^[-A-Za-z0-9]+$/.test(name))).toEqual([]);
    expect(names).toContain("x-custom-thing");
    expect(JSON.stringify(event)).not.toContain("mallory");
  });
});
