// createFakeAlb: the kit users test with; its tokens verify with a plain AlbJwtVerifier / JwtVerifier (sharing none of our verification code), and its bad tokens fail there for the reason named.
import { AlbJwtVerifier, JwtVerifier } from "aws-jwt-verify";
import { AlbJwksCache } from "aws-jwt-verify/alb-cache";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";
import { describe, expect, it } from "vitest";
import { useFakeAlb } from "../helpers.js";
import { createFakeAlb, decodePart, type BadUserTokenKind } from "../../src/testing/index.js";

const alb = useFakeAlb({ issuer: "https://login.example.org", clientId: "kit-client", lifetimeSeconds: 30 });

const plainVerifier = () =>
  AlbJwtVerifier.create(
    { albArn: alb.env.LOAD_BALANCER_ARN, issuer: alb.env.ISSUER, clientId: alb.env.CLIENT_ID, jwksUri: alb.env.ALB_PUBLIC_KEY_ENDPOINT },
    { jwksCache: new AlbJwksCache({ fetcher: alb.fetcher }) },
  );

describe("createFakeAlb", () => {
  it("env points a function at its loopback key server with its signer, issuer and client", () => {
    expect(alb.env).toMatchObject({ ISSUER: "https://login.example.org", CLIENT_ID: "kit-client" });
    expect(alb.env.ALB_PUBLIC_KEY_ENDPOINT).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(alb.machineEnv.M2M_JWKS_URI).toBe(`${alb.env.ALB_PUBLIC_KEY_ENDPOINT}/jwks.json`);
  });

  it("a user token verifies with a plain AlbJwtVerifier and lives the configured lifetime", async () => {
    const token = alb.userToken();
    const payload = await plainVerifier().verify(token);
    expect(payload).toMatchObject({ sub: "alice", email: "alice@example.com", iss: "https://login.example.org" });
    const header = decodePart(token, 0);
    expect(header).toMatchObject({ alg: "ES256", signer: alb.env.LOAD_BALANCER_ARN, client: "kit-client" });
    expect(Number(header.exp) - Math.floor(Date.now() / 1000)).toBeGreaterThan(25);
    expect(Number(header.exp) - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(30);
  });

  it.each<[BadUserTokenKind, RegExp]>([
    ["foreign-signer", /ALB ARN not allowed/],
    ["expired", /expired/i],
    ["tampered", /signature/i],
    ["bad-signature", /signature/i],
    ["wrong-issuer", /iss/i],
    ["wrong-client", /client/i],
  ])("a %s token fails a plain AlbJwtVerifier (%s)", async (kind, reason) => {
    await expect(plainVerifier().verify(alb.badUserToken(kind))).rejects.toThrow(reason);
  });

  it("an unknown-key token names a kid the endpoint answers 404 for", async () => {
    const kid = String(decodePart(alb.badUserToken("unknown-key"), 0).kid);
    const res = await fetch(`${alb.env.ALB_PUBLIC_KEY_ENDPOINT}/${kid}`);
    expect(res.status).toBe(404);
  });

  it("userEvent mints a fresh token each time unless told to reuse", () => {
    const first = alb.userEvent({ path: "/a" });
    const again = alb.userEvent({ path: "/b", reuse: true });
    const fresh = alb.userEvent({ path: "/c", claims: { sub: "bob" } });
    expect(again.headers?.["x-amzn-oidc-data"]).toBe(first.headers?.["x-amzn-oidc-data"]);
    expect(fresh.headers?.["x-amzn-oidc-data"]).not.toBe(first.headers?.["x-amzn-oidc-data"]);
    expect(fresh.headers?.["x-amzn-oidc-identity"]).toBe("bob");
    expect(fresh.path).toBe("/c");
  });

  it("userEvent builds both header modes, and can leave each x-amzn-oidc-* header out", () => {
    const mv = alb.userEvent({ multiValue: true, method: "POST", body: "{}", headers: { "content-type": "application/json" } });
    expect(mv.multiValueHeaders?.["x-amzn-oidc-identity"]).toEqual(["alice"]);
    expect(mv.headers).toBeUndefined();
    expect([mv.httpMethod, mv.body]).toEqual(["POST", "{}"]);
    const bare = alb.userEvent({ token: null, identity: null, accessToken: null });
    expect(Object.keys(bare.headers ?? {}).filter((h) => h.startsWith("x-amzn-oidc"))).toEqual([]);
  });

  it("a machine token verifies with a plain JwtVerifier against the served JWKS, with its scopes", async () => {
    const verifier = JwtVerifier.create(
      {
        issuer: alb.machineEnv.M2M_ISSUER,
        audience: alb.machineEnv.M2M_AUDIENCE,
        jwksUri: alb.machineEnv.M2M_JWKS_URI,
        scope: ["notes:read"],
      },
      { jwksCache: new SimpleJwksCache({ fetcher: alb.fetcher }) },
    );
    const payload = await verifier.verify(alb.machineToken({ scopes: ["notes:read", "notes:write"], clientId: "svc" }));
    expect(payload).toMatchObject({ client_id: "svc", scope: "notes:read notes:write" });
    for (const kind of ["expired", "tampered", "wrong-issuer", "wrong-audience"] as const) {
      await expect(verifier.verify(alb.badMachineToken(kind, { scopes: "notes:read" })), kind).rejects.toThrow();
    }
    expect(decodePart(alb.machineToken(), 0)).toMatchObject({ alg: "RS256", typ: "at+jwt" });
  });

  it("stop closes the key server", async () => {
    const other = await createFakeAlb();
    await other.stop();
    await expect(fetch(`${other.env.ALB_PUBLIC_KEY_ENDPOINT}/x`)).rejects.toThrow();
  });
});
