// The Powertools middleware with the real @aws-lambda-powertools/event-handler HTTP Router on ALB events: principal in the request store, refusals answered before any route.
import { Router } from "@aws-lambda-powertools/event-handler/http";
import type { Context } from "aws-lambda";
import { describe, expect, it, vi } from "vitest";
import { albAuth, type AlbAuthEnv } from "../../src/integrations/powertools.js";
import type { Principal } from "../../src/api.js";
import { body, header, useFakeAlb } from "../helpers.js";

const alb = useFakeAlb();

const context = { awsRequestId: "pt-1" } as Context;

const EXPIRED = (shard: number): string => `AWSELBAuthSessionCookie-${shard}=; Max-Age=0; Path=/; Secure; HttpOnly`;

function build(env: Record<string, string> = {}) {
  const seen: Principal[] = [];
  const route = vi.fn((principal: Principal | undefined) => {
    if (principal === undefined) throw new Error("no principal in the request store");
    seen.push(principal);
    return { sub: principal.sub, type: principal.type };
  });
  const app = new Router<AlbAuthEnv>({
    logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
  });
  app.use(albAuth({ env: { ...alb.env, ...alb.machineEnv, M2M_PATH_PREFIXES: "/api/", ...env }, writeLog: () => undefined }));
  app.get("/me", (reqCtx) => route(reqCtx.get("principal")));
  app.get("/api/notes", (reqCtx) => route(reqCtx.get("principal")));
  app.get("/logout", () => route(undefined));
  app.get("/health", () => route({ type: "machine", sub: "health", clientId: null, scopes: [], claims: {} }));
  return { app, route, seen };
}

describe("alb-oidc-target/powertools", () => {
  it("puts the user principal in the request store for the route", async () => {
    const { app, seen } = build();
    const res = await app.resolve(alb.userEvent({ path: "/me" }), context);
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body ?? "")).toEqual({ sub: "alice", type: "user" });
    expect(seen[0]).toMatchObject({ type: "user", claims: { email: "alice@example.com" } });
  });

  it("gives a machine principal with scopes on a machine route", async () => {
    const { app, seen } = build();
    const res = await app.resolve(alb.machineEvent({ path: "/api/notes", scopes: "notes:read" }), context);
    expect(res.statusCode).toBe(200);
    expect(seen[0]).toMatchObject({ type: "machine", scopes: ["notes:read"] });
  });

  it("answers a refusal with our 401 (body and challenge) and never calls the route", async () => {
    const { app, route } = build();
    const res = await app.resolve(alb.userEvent({ path: "/me", token: alb.badUserToken("expired") }), context);
    expect(res.statusCode).toBe(401);
    expect(res.statusDescription).toBe("401 Unauthorized");
    expect(body(res)).toEqual({ message: "Token verification failed", error: "expired" });
    expect(header(res, "www-authenticate")).toBe('Bearer error="invalid_token"');
    expect(route).not.toHaveBeenCalled();
  });

  it("answers the health check without calling the route", async () => {
    const { app, route } = build();
    const res = await app.resolve(alb.healthCheckEvent(), context);
    expect(res.statusCode).toBe(200);
    expect(body(res)).toEqual({ status: "ok" });
    expect(route).not.toHaveBeenCalled();
  });

  // The Router copies the headers of a returned web Response with set(), which keeps only the last
  // Set-Cookie; and it splits every Set-Cookie at commas. Logout expires four shards.
  it("delivers logout's four expired session cookies intact in multi-value mode, without calling the route", async () => {
    const { app, route } = build({ IDP_LOGOUT_URL: "https://idp.example.com/session/end" });
    const res = await app.resolve(alb.userEvent({ path: "/logout", multiValue: true }), context);
    expect(res.statusCode).toBe(302);
    expect(res.multiValueHeaders?.["set-cookie"]).toEqual([0, 1, 2, 3].map(EXPIRED));
    expect(res.headers?.location).toBe("https://idp.example.com/session/end");
    expect(res.headers?.["cache-control"]).toBe("no-store");
    expect(route).not.toHaveBeenCalled();
  });

  it("keeps one content type on a JSON answer in multi-value mode, and the first shard's cookie in single-value mode", async () => {
    const { app } = build();
    const multi = await app.resolve(alb.userEvent({ path: "/logout", multiValue: true }), context);
    expect(multi.headers?.["content-type"]).toBe("application/json");
    expect(multi.multiValueHeaders?.["content-type"]).toBeUndefined();
    expect(body(multi)).toEqual({ message: "Logged out" });
    const single = await app.resolve(alb.userEvent({ path: "/logout" }), context);
    expect(single.headers?.["set-cookie"]).toBe(EXPIRED(0));
    expect(single.multiValueHeaders).toBeUndefined();
  });
});
