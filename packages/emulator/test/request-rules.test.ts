// Requests the ALB refuses or rewrites before any target sees them, over real HTTP to both kinds of target: TRACE (405), more than 30 X-Forwarded-For addresses (463), a WebSocket upgrade (400 for a Lambda target, tunnelled to an HTTP one), the trace id's Self field.
import { createServer, request, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawRequest } from "./raw-http.js";
import { testEmulator, type TestEmulator } from "./setup.js";

const ROOT = "Root=1-67891233-abcdef012345678912345678";
const SELF = /^Self=1-[0-9a-f]{8}-[0-9a-f]{24}$/;

/** Addresses for X-Forwarded-For: 203.0.113.1, 203.0.113.2, ... */
const addresses = (n: number): string[] => Array.from({ length: n }, (_, i) => `203.0.113.${i + 1}`);

/** An HTTP upstream that records what reached it; on an upgrade it answers 101 and echoes each chunk back ("echo:<chunk>"), except on /no-ws, where it refuses with 403. */
interface Upstream {
  readonly url: string;
  readonly server: Server;
  readonly seen: { method: string; url: string; headers: IncomingHttpHeaders; upgrade: boolean }[];
}

async function startUpstream(): Promise<Upstream> {
  const seen: Upstream["seen"] = [];
  const server = createServer((req, res) => {
    seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, upgrade: false });
    req.resume();
    req.on("end", () => res.end("from upstream"));
  });
  server.on("upgrade", (req, socket: Socket) => {
    // Upgraded connections are no longer the server's: closed here when the emulator closes its side.
    socket.on("end", () => socket.end());
    seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, upgrade: true });
    if (req.url === "/no-ws") {
      socket.end("HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\ncontent-length: 15\r\nconnection: close\r\n\r\nno sockets here");
      return;
    }
    socket.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nx-upstream: yes\r\n\r\n");
    socket.on("data", (d: Buffer) => socket.write(`echo:${d.toString()}`));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, seen };
}

/** A WebSocket-style upgrade request: resolves with the 101 and its socket, or with the answer when the upgrade is refused. */
function upgrade(url: string): Promise<{ status: number; headers: IncomingHttpHeaders; body: string; socket?: Socket }> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      headers: {
        connection: "Upgrade",
        upgrade: "websocket",
        "sec-websocket-version": "13",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
      },
    });
    req.on("upgrade", (res, socket: Socket) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: "", socket }));
    req.on("response", (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** One chunk read from the socket. */
const nextChunk = (socket: Socket): Promise<string> => new Promise((resolve) => socket.once("data", (d: Buffer) => resolve(d.toString())));

describe("a Lambda target", () => {
  let alb: TestEmulator;
  beforeAll(async () => {
    alb = await testEmulator({
      target: { kind: "handler", handler: "test/fixtures/ok-handler.mjs" },
      file: { OnUnauthenticatedRequest: "allow" },
    });
  });
  afterAll(async () => {
    await alb.stop();
  });

  it("TRACE is the ALB's 405, the function not called", async () => {
    const before = alb.events.length;
    const res = await rawRequest(alb.port, ["TRACE / HTTP/1.1", "host: localhost", "connection: close"]);
    expect(res.status).toBe(405);
    expect(res.body).toContain("<center><h1>405 Method Not Allowed</h1></center>");
    expect(alb.events.length).toBe(before);
  });

  it("X-Forwarded-For with 31 addresses (on one line or two) is a 463; with 30 the function gets them and the client's address after", async () => {
    const before = alb.events.length;
    expect((await fetch(`${alb.url}/`, { headers: { "x-forwarded-for": addresses(31).join(", ") } })).status).toBe(463);
    const twoLines = await rawRequest(alb.port, [
      "GET / HTTP/1.1",
      "host: localhost",
      `x-forwarded-for: ${addresses(16).join(",")}`,
      `x-forwarded-for: ${addresses(15).join(",")}`,
      "connection: close",
    ]);
    expect(twoLines.status).toBe(463);
    expect(alb.events.length).toBe(before);
    expect(alb.logs.join("")).toContain("X-Forwarded-For holds 31 addresses, over the ALB's 30");
    const res = await fetch(`${alb.url}/`, { headers: { "x-forwarded-for": addresses(30).join(", ") } });
    expect(res.status).toBe(200);
    expect(alb.events.at(-1)?.headers?.["x-forwarded-for"]).toBe([...addresses(30), "127.0.0.1"].join(", "));
  });

  it("a WebSocket upgrade is the ALB's 400 (Lambda targets do not take WebSockets), the function not called", async () => {
    const before = alb.events.length;
    const res = await upgrade(`${alb.url}/socket`);
    expect(res.status).toBe(400);
    expect(res.socket).toBeUndefined();
    expect(res.body).toContain("<center><h1>400 Bad Request</h1></center>");
    expect(alb.events.length).toBe(before);
    expect(alb.logs.join("")).toContain("Lambda targets do not support WebSockets");
  });

  it("an incoming trace id with a Root gets a Self field inserted before it; an existing Self is updated in place; other fields stay", async () => {
    await fetch(`${alb.url}/`, { headers: { "x-amzn-trace-id": `${ROOT};CalledFrom=app` } });
    const [self, ...rest] = (alb.events.at(-1)?.headers?.["x-amzn-trace-id"] ?? "").split(";");
    expect(self).toMatch(SELF);
    expect(rest).toEqual([ROOT, "CalledFrom=app"]);
    const old = "Self=1-00000000-000000000000000000000000";
    await fetch(`${alb.url}/`, { headers: { "x-amzn-trace-id": `${ROOT};${old};CalledFrom=app` } });
    const fields = (alb.events.at(-1)?.headers?.["x-amzn-trace-id"] ?? "").split(";");
    expect(fields[0]).toBe(ROOT);
    expect(fields[1]).toMatch(SELF);
    expect(fields[1]).not.toBe(old);
    expect(fields[2]).toBe("CalledFrom=app");
  });

  it("a trace id without a Root is replaced by a fresh Root, as when there is none", async () => {
    await fetch(`${alb.url}/`, { headers: { "x-amzn-trace-id": "CalledFrom=app" } });
    expect(alb.events.at(-1)?.headers?.["x-amzn-trace-id"]).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
  });
});

describe("an HTTP upstream", () => {
  let upstream: Upstream;
  let alb: TestEmulator;
  beforeAll(async () => {
    upstream = await startUpstream();
    alb = await testEmulator({ target: { kind: "upstream", url: upstream.url }, file: { OnUnauthenticatedRequest: "allow" } });
  });
  afterAll(async () => {
    await alb.stop();
    upstream.server.closeAllConnections();
    await new Promise((r) => upstream.server.close(r));
  });

  it("TRACE is the ALB's 405 and more than 30 X-Forwarded-For addresses a 463, the upstream never contacted", async () => {
    const before = upstream.seen.length;
    expect((await rawRequest(alb.port, ["TRACE / HTTP/1.1", "host: localhost", "connection: close"])).status).toBe(405);
    expect((await fetch(`${alb.url}/`, { headers: { "x-forwarded-for": addresses(31).join(", ") } })).status).toBe(463);
    expect(upstream.seen.length).toBe(before);
    expect((await fetch(`${alb.url}/`, { headers: { "x-forwarded-for": addresses(30).join(", ") } })).status).toBe(200);
    expect(upstream.seen.at(-1)?.headers["x-forwarded-for"]).toBe([...addresses(30), "127.0.0.1"].join(", "));
  });

  it("a WebSocket upgrade is forwarded with the ALB's headers, the 101 relayed, and bytes flow both ways", async () => {
    const res = await upgrade(`${alb.url}/socket?room=1`);
    expect(res.status).toBe(101);
    expect(res.headers["x-upstream"]).toBe("yes");
    const seen = upstream.seen.at(-1);
    expect(seen).toMatchObject({ method: "GET", url: "/socket?room=1", upgrade: true });
    expect(seen?.headers.upgrade).toBe("websocket");
    expect(seen?.headers.connection?.toLowerCase()).toBe("upgrade");
    expect(seen?.headers["sec-websocket-key"]).toBe("dGhlIHNhbXBsZSBub25jZQ==");
    expect(seen?.headers["x-forwarded-for"]).toBe("127.0.0.1");
    expect(seen?.headers["x-amzn-trace-id"]).toMatch(/^Root=1-/);
    const socket = res.socket;
    if (!socket) throw new Error("no upgraded socket");
    const echoed = nextChunk(socket);
    socket.write("ping");
    expect(await echoed).toBe("echo:ping");
    socket.destroy();
  });

  it("an upgrade the upstream refuses comes back as its answer", async () => {
    const res = await upgrade(`${alb.url}/no-ws`);
    expect(res.status).toBe(403);
    expect(res.body).toBe("no sockets here");
    expect(res.socket).toBeUndefined();
  });

  it("an incoming trace id with a Root reaches the upstream with a Self field inserted", async () => {
    await fetch(`${alb.url}/`, { headers: { "x-amzn-trace-id": `${ROOT};CalledFrom=app` } });
    const [self, ...rest] = String(upstream.seen.at(-1)?.headers["x-amzn-trace-id"]).split(";");
    expect(self).toMatch(SELF);
    expect(rest).toEqual([ROOT, "CalledFrom=app"]);
  });
});

describe("an upgrade behind authenticate-oidc", () => {
  it("without a session goes to the IdP like any request, the upstream never contacted", async () => {
    const upstream = await startUpstream();
    const alb = await testEmulator({ target: { kind: "upstream", url: upstream.url } });
    try {
      const res = await upgrade(`${alb.url}/socket`);
      expect(res.status).toBe(302);
      expect(res.headers.location?.startsWith(alb.config.AuthorizationEndpoint)).toBe(true);
      expect(res.socket).toBeUndefined();
      expect(upstream.seen).toHaveLength(0);
    } finally {
      await alb.stop();
      await new Promise((r) => upstream.server.close(r));
    }
  });
});
