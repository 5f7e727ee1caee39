// verifyHeaders on what node:http really hands over: repeated headers on the wire are refused as the Lambda path refuses them, in req.headers and req.headersDistinct, and every answer is a promise.
import { createServer, type IncomingMessage, type Server } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthError, createAlbAuth, type AlbAuth, type HeaderMap } from "../../src/api.js";
import { useFakeAlb } from "../helpers.js";

const alb = useFakeAlb();

/** Which of node's header maps the server hands to verifyHeaders. */
type MapKind = "headers" | "headersDistinct";

let auth: AlbAuth;
let server: Server;
let port: number;
/** What node put in each map for the last request (to show what verifyHeaders was given). */
let lastSeen: { headers: IncomingMessage["headers"]; headersDistinct: IncomingMessage["headersDistinct"] } | undefined;

beforeAll(async () => {
  auth = createAlbAuth({ env: { ...alb.env, ...alb.machineEnv, M2M_PATH_PREFIXES: "/api/" }, writeLog: () => undefined });
  // The map to use comes in the query: /path?map=headersDistinct.
  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const map = url.searchParams.get("map") as MapKind;
    lastSeen = { headers: req.headers, headersDistinct: req.headersDistinct };
    const answer = (status: number, body: unknown): void => {
      const text = JSON.stringify(body);
      res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
      res.end(text);
    };
    auth.verifyHeaders(req[map], { path: url.pathname, method: req.method }).then(
      (principal) => answer(200, { type: principal.type, sub: principal.sub }),
      (err: unknown) => answer(err instanceof AuthError ? err.status : 500, { error: err instanceof AuthError ? err.code : String(err) }),
    );
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

/** One request written byte for byte: header lines exactly as given, repeated and in any case. */
function send(
  path: string,
  map: MapKind,
  lines: readonly (readonly [string, string])[],
): Promise<{ status: number; body: Record<string, unknown> }> {
  const head = [`GET ${path}?map=${map} HTTP/1.1`, "host: 127.0.0.1", "connection: close", ...lines.map(([n, v]) => `${n}: ${v}`)];
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(`${head.join("\r\n")}\r\n\r\n`));
    let raw = "";
    socket.setEncoding("latin1");
    socket.on("data", (c: string) => (raw += c));
    socket.on("error", reject);
    socket.on("end", () => {
      try {
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1]);
        const text = raw.slice(raw.indexOf("\r\n\r\n") + 4);
        resolve({ status, body: JSON.parse(text) as Record<string, unknown> });
      } catch (err) {
        reject(new Error(`not a JSON answer: ${raw}`, { cause: err }));
      }
    });
  });
}

/** The three headers of a logged-in user, as the ALB sends them. */
function login(): { data: string; identity: string; access: string } {
  const h = alb.userEvent().headers as Record<string, string>;
  return { data: h["x-amzn-oidc-data"] ?? "", identity: h["x-amzn-oidc-identity"] ?? "", access: h["x-amzn-oidc-accesstoken"] ?? "" };
}

const MAPS: readonly MapKind[] = ["headers", "headersDistinct"];

describe("repeated headers on the wire (a real node:http server)", () => {
  it.each(MAPS)("a single login is a user principal, with %s", async (map) => {
    const { data, identity, access } = login();
    const res = await send("/me", map, [
      ["x-amzn-oidc-data", data],
      ["x-amzn-oidc-identity", identity],
      ["x-amzn-oidc-accesstoken", access],
    ]);
    expect(res).toEqual({ status: 200, body: { type: "user", sub: "alice" } });
  });

  it.each(["x-amzn-oidc-data", "x-amzn-oidc-identity", "x-amzn-oidc-accesstoken"])(
    "%s sent twice (the same value) is 401 ambiguous_header with either map; node joined it in req.headers",
    async (name) => {
      const { data, identity, access } = login();
      const once = { "x-amzn-oidc-data": data, "x-amzn-oidc-identity": identity, "x-amzn-oidc-accesstoken": access };
      const lines = Object.entries(once).map(([n, v]) => [n, v] as const);
      const again = once[name as keyof typeof once];
      for (const map of MAPS) {
        const res = await send("/me", map, [...lines, [name, again]]);
        expect(res, map).toEqual({ status: 401, body: { error: "ambiguous_header" } });
      }
      expect(lastSeen?.headers[name]).toBe(`${again}, ${again}`);
      expect(lastSeen?.headersDistinct[name]).toEqual([again, again]);
    },
  );

  it("the same header in two cases on the wire is one repeated header to node, and refused", async () => {
    const { data } = login();
    for (const map of MAPS) {
      const res = await send("/me", map, [
        ["X-Amzn-Oidc-Data", data],
        ["x-amzn-oidc-data", data],
      ]);
      expect(res, map).toEqual({ status: 401, body: { error: "ambiguous_header" } });
    }
  });

  it("Authorization sent twice on a machine path: node keeps only the first in req.headers; req.headersDistinct shows both and is refused", async () => {
    const token = alb.machineToken({ scopes: "orders:read" });
    const lines = [
      ["authorization", `Bearer ${token}`],
      ["authorization", `Bearer ${token}`],
    ] as const;
    expect(await send("/api/orders", "headersDistinct", lines)).toEqual({ status: 401, body: { error: "ambiguous_header" } });
    expect(lastSeen?.headersDistinct.authorization).toHaveLength(2);
    // What node hands over in req.headers has no trace of the second line: the README passes headersDistinct.
    expect(await send("/api/orders", "headers", lines)).toEqual({ status: 200, body: { type: "machine", sub: "orders-service" } });
    expect(lastSeen?.headers.authorization).toBe(`Bearer ${token}`);
  });
});

describe("hand-built header maps", () => {
  it("keys that differ only in case are ambiguous, whichever comes first", async () => {
    const { data } = login();
    await expect(auth.verifyHeaders({ "X-Amzn-Oidc-Data": data, "x-amzn-oidc-data": data })).rejects.toMatchObject({
      code: "ambiguous_header",
    });
    await expect(auth.verifyHeaders({ "x-amzn-oidc-data": data, "X-AMZN-OIDC-DATA": "other" })).rejects.toMatchObject({
      code: "ambiguous_header",
    });
    const token = `Bearer ${alb.machineToken()}`;
    await expect(auth.verifyHeaders({ Authorization: token, authorization: token }, { path: "/api/x" })).rejects.toMatchObject({
      code: "ambiguous_header",
    });
  });

  it("a comma in a string x-amzn-oidc-* value is a join of several (node's req.headers); a one-element list is one value", async () => {
    const { data, access } = login();
    await expect(auth.verifyHeaders({ "x-amzn-oidc-data": data, "x-amzn-oidc-accesstoken": `${access},x` })).rejects.toMatchObject({
      code: "ambiguous_header",
    });
    await expect(auth.verifyHeaders({ "x-amzn-oidc-data": [data], "x-amzn-oidc-accesstoken": [`${access},x`] })).resolves.toMatchObject({
      type: "user",
      accessToken: `${access},x`,
    });
    // Headers the flow does not read keep their commas.
    await expect(auth.verifyHeaders({ "x-amzn-oidc-data": data, accept: "text/html, application/json" })).resolves.toMatchObject({
      type: "user",
    });
  });
});

describe("verifyHeaders always answers with a promise", () => {
  /** Calls it the README's way, `.then(ok, err)`, and reports what happened (a synchronous throw fails the test). */
  function outcome(call: () => Promise<unknown>): Promise<string> {
    let promise: Promise<unknown>;
    try {
      promise = call();
    } catch (err) {
      return Promise.resolve(`threw synchronously: ${String(err)}`);
    }
    return promise.then(
      () => "resolved",
      (err: unknown) =>
        err instanceof AuthError ? `AuthError ${err.code}` : err instanceof TypeError ? "TypeError" : `other: ${String(err)}`,
    );
  }

  it.each([
    ["a number", 5],
    ["null", null],
    ["an object", { value: "x" }],
    ["a list holding a number", [5]],
    ["a list holding a string and a number", ["eyJ", 5]],
  ])("an x-amzn-oidc-data value that is %s: a rejected AuthError ambiguous_header", async (_name, value) => {
    const headers = { "x-amzn-oidc-data": value } as unknown as HeaderMap;
    expect(await outcome(() => auth.verifyHeaders(headers))).toBe("AuthError ambiguous_header");
  });

  it("an authorization value that is not a string, on a machine path: a rejected AuthError ambiguous_header", async () => {
    const headers = { authorization: 42 } as unknown as HeaderMap;
    expect(await outcome(() => auth.verifyHeaders(headers, { path: "/api/x" }))).toBe("AuthError ambiguous_header");
  });

  it.each([
    ["no map", undefined],
    ["null", null],
    ["a string", "x-amzn-oidc-data: eyJ"],
    ["a number", 42],
    ["an array", [["x-amzn-oidc-data", "eyJ"]]],
  ])("%s instead of a header map: a rejected TypeError (the caller's mistake)", async (_name, headers) => {
    expect(await outcome(() => auth.verifyHeaders(headers as unknown as HeaderMap))).toBe("TypeError");
  });

  it.each([
    ["a string", "/api/x"],
    ["null", null],
    ["a path that is not a string", { path: 5 }],
    ["a method that is not a string", { method: ["GET"] }],
  ])("request that is %s: a rejected TypeError", async (_name, request) => {
    expect(await outcome(() => auth.verifyHeaders({}, request as never))).toBe("TypeError");
  });

  it("the TypeError says what to pass", async () => {
    await expect(auth.verifyHeaders(null as unknown as HeaderMap)).rejects.toThrow(
      "verifyHeaders(headers): headers must be the request's header map (req.headersDistinct or req.headers), got null",
    );
  });
});
