// Machine routes cannot be reached by a logged-in user through another spelling of their path: withAlbAuth, the Powertools Router and Express (the README's middleware) either demand the bearer token or refuse the path.
import { request } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { Router } from "@aws-lambda-powertools/event-handler/http";
import type { Context } from "aws-lambda";
import express from "express";
import { describe, expect, it, vi } from "vitest";
import { AuthError, createAlbAuth, withAlbAuth, type AlbAuthOptions, type Principal } from "../../src/api.js";
import { loadConfig } from "../../src/config.js";
import { albAuth, type AlbAuthEnv } from "../../src/integrations/powertools.js";
import { resolveConfig } from "../../src/options.js";
import { body, captureLog, header, useFakeAlb } from "../helpers.js";

const alb = useFakeAlb();
const context = { awsRequestId: "norm-1" } as Context;

/**
 * What a logged-in user's request (no bearer token) must get, with M2M_PATH_PREFIXES=/api/:
 * `machine`: a machine request (401 missing_token: the login token does not suffice);
 * `refused`: its forms disagree on the route (400 ambiguous_path); `user`: a user request.
 */
type Verdict = "machine" | "refused" | "user";

interface Spelling {
  readonly path: string;
  readonly verdict: Verdict;
  /** The verdict with machine.caseSensitivePaths, where it differs. */
  readonly caseSensitive?: Verdict;
}

/** Every spelling tried: dot segments plain and percent-encoded, backslashes, case, slashes, encodings, a tab. */
const SPELLINGS: readonly Spelling[] = [
  { path: "/api/orders", verdict: "machine" },
  { path: "/x/../api/orders", verdict: "refused" },
  { path: "/x/%2e%2e/api/orders", verdict: "refused" },
  { path: "/x/%2E%2E/api/orders", verdict: "refused" },
  { path: "/x/.%2e/api/orders", verdict: "refused" },
  { path: "/x/%2e./api/orders", verdict: "refused" },
  { path: "/./api/orders", verdict: "refused" },
  { path: "/%2e/api/orders", verdict: "refused" },
  { path: "/%2E/api/orders", verdict: "refused" },
  { path: "\\api\\orders", verdict: "refused" },
  { path: "/x\\..\\api\\orders", verdict: "refused" },
  { path: "/x/..\\api/orders", verdict: "refused" },
  { path: "//x/api/orders", verdict: "refused" },
  { path: "\\\\x\\api\\orders", verdict: "refused" },
  { path: "/x/../../api/orders", verdict: "refused" },
  { path: "/ap\ti/orders", verdict: "refused" },
  { path: "/API/orders", verdict: "machine", caseSensitive: "user" },
  { path: "/Api/Orders", verdict: "machine", caseSensitive: "user" },
  { path: "/x/../API/orders", verdict: "refused", caseSensitive: "user" },
  { path: "/api/./orders", verdict: "machine" },
  { path: "/api//orders", verdict: "machine" },
  { path: "/api/orders/", verdict: "machine" },
  { path: "/api/x/../orders", verdict: "machine" },
  { path: "//api/orders", verdict: "refused" },
  { path: "/%61pi/orders", verdict: "refused" },
  { path: "/x/..%2fapi/orders", verdict: "refused" },
  { path: "/x/%252e%252e/api/orders", verdict: "refused" },
  { path: "/api%2forders", verdict: "refused" },
  // The other way round: a machine path that normalises onto a user route is no machine route either.
  { path: "/api/../me", verdict: "refused" },
  { path: "/api/%2e%2e/me", verdict: "refused" },
  { path: "/me", verdict: "user" },
  { path: "/ME", verdict: "user" },
  { path: "/x/../me", verdict: "user" },
];

const ENV = (): Record<string, string> => ({ ...alb.env, ...alb.machineEnv, M2M_PATH_PREFIXES: "/api/" });

/** The status and error code each verdict answers a logged-in user without a bearer token. */
function expectVerdict(res: { statusCode: number; body?: string | null }, verdict: Verdict): void {
  if (verdict === "machine") {
    expect(res.statusCode).toBe(401);
    expect(JSON.parse(res.body ?? "")).toMatchObject({ error: "missing_token" });
  } else if (verdict === "refused") {
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body ?? "")).toEqual({ message: "Bad Request", error: "ambiguous_path" });
  } else {
    expect(res.statusCode).toBe(200);
  }
}

describe("withAlbAuth", () => {
  function build(options: AlbAuthOptions = {}) {
    const app = vi.fn(({ principal }: { principal: Principal }) => ({ statusCode: 200, body: principal.type }));
    const { logs, write } = captureLog();
    const handler = withAlbAuth(app, { env: ENV(), writeLog: write, ...options });
    return { handler, app, logs };
  }

  it.each(SPELLINGS)("a logged-in user on $path: $verdict", async ({ path, verdict }) => {
    const { handler, app } = build();
    const res = await handler(alb.userEvent({ path }));
    expectVerdict(res, verdict);
    expect(app).toHaveBeenCalledTimes(verdict === "user" ? 1 : 0);
    if (verdict === "refused") expect(header(res, "www-authenticate")).toBeUndefined();
  });

  it("a refusal is logged with its code and the path, and is the same in multi-value mode", async () => {
    const { handler, logs } = build();
    const res = await handler(alb.userEvent({ path: "/x/../api/orders", multiValue: true }));
    expect(res.statusCode).toBe(400);
    expect(res.statusDescription).toBe("400 Bad Request");
    expect(res.multiValueHeaders?.["content-type"]).toEqual(["application/json"]);
    expect(res.headers).toBeUndefined();
    expect(logs).toEqual([expect.objectContaining({ status: 400, error: "ambiguous_path", route: "ambiguous", path: "/x/../api/orders" })]);
  });

  it("a machine token on a refused spelling is refused too: no route is guessed for anyone", async () => {
    const { handler, app } = build();
    const res = await handler(alb.machineEvent({ path: "/x/%2e%2e/api/orders" }));
    expect(res.statusCode).toBe(400);
    expect(body(res)).toEqual({ message: "Bad Request", error: "ambiguous_path" });
    expect(app).not.toHaveBeenCalled();
  });

  it("createAlbAuth().errorResult answers an ambiguous_path refusal as withAlbAuth does: 400 Bad Request", () => {
    const auth = createAlbAuth({ env: ENV(), writeLog: () => undefined });
    const res = auth.errorResult(
      new AuthError("ambiguous_path", "raw and normalised paths disagree"),
      alb.userEvent({ path: "/x/../api/orders" }),
    );
    expect(res.statusCode).toBe(400);
    expect(res.statusDescription).toBe("400 Bad Request");
    expect(body(res)).toEqual({ message: "Bad Request", error: "ambiguous_path" });
    expect(header(res, "www-authenticate")).toBeUndefined();
  });

  it("a machine token on another case of the prefix is a machine request", async () => {
    const { handler, app } = build();
    const res = await handler(alb.machineEvent({ path: "/API/orders", scopes: "orders:read" }));
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe("machine");
    expect(app).toHaveBeenCalledTimes(1);
  });

  const caseSensitive = SPELLINGS.filter((s) => s.caseSensitive !== undefined);
  it.each(caseSensitive)("with machine.caseSensitivePaths, $path is a user request", async ({ path, caseSensitive: verdict }) => {
    const { handler } = build({ machine: { caseSensitivePaths: true } });
    expectVerdict(await handler(alb.userEvent({ path })), verdict ?? "machine");
  });

  it("machine.caseSensitivePaths gives the configuration M2M_PATHS_CASE_SENSITIVE gives, and must be a boolean", () => {
    const fromOption = resolveConfig({ machine: { caseSensitivePaths: true } }, ENV());
    expect(fromOption).toEqual(loadConfig({ ...ENV(), M2M_PATHS_CASE_SENSITIVE: "true" }));
    expect(fromOption.machine?.caseSensitivePaths).toBe(true);
    expect(resolveConfig({}, ENV()).machine?.caseSensitivePaths).toBe(false);
    expect(() => resolveConfig({ machine: { caseSensitivePaths: "yes" as unknown as boolean } }, ENV())).toThrow(
      'machine.caseSensitivePaths must be true or false, got "yes"',
    );
  });

  it("M2M_PATHS_CASE_SENSITIVE=true says the same as the option; anything but true or false fails at cold start", async () => {
    const handler = withAlbAuth(() => ({ statusCode: 200 }), {
      env: { ...ENV(), M2M_PATHS_CASE_SENSITIVE: "true" },
      writeLog: () => undefined,
    });
    expect((await handler(alb.userEvent({ path: "/API/orders" }))).statusCode).toBe(200);
    expect(() => withAlbAuth(() => ({ statusCode: 200 }), { env: { ...ENV(), M2M_PATHS_CASE_SENSITIVE: "yes" } })).toThrow(
      'M2M_PATHS_CASE_SENSITIVE must be "true" or "false", got "yes". Example: M2M_PATHS_CASE_SENSITIVE=true',
    );
  });
});

describe("the Powertools middleware with a real Router", () => {
  function router(withAuth: boolean) {
    const reached: { path: string; principal: Principal | undefined }[] = [];
    const app = new Router<AlbAuthEnv>({
      logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    });
    if (withAuth) app.use(albAuth({ env: ENV(), writeLog: () => undefined }));
    app.get("/api/orders", (reqCtx) => {
      reached.push({ path: "/api/orders", principal: withAuth ? reqCtx.get("principal") : undefined });
      return { orders: [] };
    });
    app.get("/me", (reqCtx) => {
      reached.push({ path: "/me", principal: withAuth ? reqCtx.get("principal") : undefined });
      return { me: true };
    });
    return { app, reached };
  }

  it("without the middleware, the Router itself dispatches most of the spellings to /api/orders (what the test is about)", async () => {
    const reaching: string[] = [];
    for (const { path } of SPELLINGS) {
      const { app, reached } = router(false);
      await app.resolve(alb.userEvent({ path }), context);
      if (reached.some((r) => r.path === "/api/orders")) reaching.push(path);
    }
    // Case, //api/orders and further encodings do not reach it here; they do in Express or in other frameworks.
    // 15 of them do not start with /api/: before the fix each was a user request that ran /api/orders with a user principal.
    // Case, //api/orders and further encodings do not reach it here; they do in Express or in other frameworks.
    expect(reaching.filter((p) => !p.startsWith("/api/"))).toEqual([
      "/x/../api/orders",
      "/x/%2e%2e/api/orders",
      "/x/%2E%2E/api/orders",
      "/x/.%2e/api/orders",
      "/x/%2e./api/orders",
      "/./api/orders",
      "/%2e/api/orders",
      "/%2E/api/orders",
      "\\api\\orders",
      "/x\\..\\api\\orders",
      "/x/..\\api/orders",
      "//x/api/orders",
      "\\\\x\\api\\orders",
      "/x/../../api/orders",
      "/ap\ti/orders",
    ]);
    expect(reaching.filter((p) => p.startsWith("/api/"))).toEqual(["/api/orders", "/api/./orders", "/api/orders/", "/api/x/../orders"]);
  });

  it.each(SPELLINGS)("a logged-in user on $path: $verdict, and /api/orders never runs for a user", async ({ path, verdict }) => {
    const { app, reached } = router(true);
    const res = await app.resolve(alb.userEvent({ path }), context);
    expect(reached.filter((r) => r.path === "/api/orders" && r.principal?.type !== "machine")).toEqual([]);
    if (verdict === "user") {
      // The Router's own answer: 200 for /me, 404 for anything it does not route.
      expect(reached.every((r) => r.principal?.type === "user")).toBe(true);
    } else {
      expectVerdict({ statusCode: res.statusCode, body: res.body ?? null }, verdict);
      expect(reached).toEqual([]);
    }
  });
});

/** The repository README's container middleware, verbatim (a test below checks that the README still says exactly this). */
const README_MIDDLEWARE = `app.use((req, res, next) => {
  auth.verifyHeaders(req.headersDistinct, { path: req.path, method: req.method }).then(
    (principal) => ((res.locals.principal = principal), next()),
    (err) => (err instanceof AuthError ? res.status(err.status).json({ error: err.code }) : next(err)),
  );
});`;

describe("verifyHeaders under a real Express app, with the README's middleware", () => {
  it("the README shows this middleware", () => {
    expect(readFileSync(new URL("../../../../README.md", import.meta.url), "utf8")).toContain(README_MIDDLEWARE);
  });

  /** A real Express app on loopback; `auth` undefined: no middleware at all (Express's own routing). */
  async function start(withAuth: boolean) {
    const reached: { path: string; principal: Principal | undefined }[] = [];
    const app = express();
    if (withAuth) {
      const auth = createAlbAuth({ env: ENV(), writeLog: () => undefined });
      // README_MIDDLEWARE, as code:
      app.use((req, res, next) => {
        auth.verifyHeaders(req.headersDistinct, { path: req.path, method: req.method }).then(
          (principal) => ((res.locals.principal = principal), next()),
          // eslint-disable-next-line @typescript-eslint/use-unknown-in-catch-callback-variable -- the README's code, verbatim
          (err) => (err instanceof AuthError ? res.status(err.status).json({ error: err.code }) : next(err)),
        );
      });
    }
    app.get("/api/orders", (_req, res) => {
      reached.push({ path: "/api/orders", principal: res.locals.principal as Principal | undefined });
      res.json({ orders: [] });
    });
    app.get("/me", (_req, res) => {
      reached.push({ path: "/me", principal: res.locals.principal as Principal | undefined });
      res.json({ me: true });
    });
    const server = app.listen(0, "127.0.0.1");
    await new Promise<void>((r) => server.once("listening", () => r()));
    const port = (server.address() as AddressInfo).port;
    const stop = (): Promise<void> => new Promise((r) => server.close(() => r()));
    return { port, reached, stop };
  }

  /** node:http sends a path as written, if it has no control characters or spaces. */
  const wireable = SPELLINGS.filter(({ path }) => /^[\x21-\x7e]+$/.test(path));

  function get(port: number, path: string): Promise<{ status: number; body: string }> {
    const headers = alb.userEvent().headers as Record<string, string>;
    return new Promise((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port, path, headers }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on("error", reject);
      req.end();
    });
  }

  it("without the middleware, Express dispatches other cases of /api/orders to it (what the test is about)", async () => {
    const server = await start(false);
    try {
      const reaching: string[] = [];
      for (const { path } of wireable) {
        server.reached.length = 0;
        await get(server.port, path);
        if (server.reached.some((r) => r.path === "/api/orders")) reaching.push(path);
      }
      expect(reaching).toEqual(["/api/orders", "/API/orders", "/Api/Orders", "/api/orders/"]);
    } finally {
      await server.stop();
    }
  });

  it(`sends ${wireable.length} spellings: /api/orders never runs for a user; each gets its verdict`, async () => {
    expect(wireable.length).toBeGreaterThanOrEqual(30);
    const server = await start(true);
    try {
      for (const { path, verdict } of wireable) {
        server.reached.length = 0;
        const res = await get(server.port, path);
        expect(
          server.reached.filter((r) => r.path === "/api/orders" && r.principal?.type !== "machine"),
          path,
        ).toEqual([]);
        // Node's own parser refuses a target that starts with a backslash (400, before Express).
        if (path.startsWith("\\")) {
          expect(res.status, path).toBe(400);
          continue;
        }
        if (verdict === "machine") expect([res.status, JSON.parse(res.body)], path).toEqual([401, { error: "missing_token" }]);
        else if (verdict === "refused") expect([res.status, JSON.parse(res.body)], path).toEqual([400, { error: "ambiguous_path" }]);
        else
          expect(
            server.reached.every((r) => r.principal?.type === "user"),
            path,
          ).toBe(true);
      }
    } finally {
      await server.stop();
    }
  });
});
