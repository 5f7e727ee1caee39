// Authorization of users through the handler: ALLOWED_EMAIL_DOMAINS and REQUIRED_USER_CLAIMS give 403 forbidden, say nothing in the body, and name the rule in the log.
import type { ALBEvent, ALBResult } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { ConfigError } from "../../src/errors.js";
import { ALICE, mintAlbToken, tamper } from "../../src/testing/alb-token.js";
import { albEvent, userEvent } from "../../src/testing/events.js";
import { createAlbKey, createRsaKey } from "../../src/testing/keys.js";
import { DEFAULT_M2M_AUDIENCE, DEFAULT_M2M_ISSUER, mintMachineToken } from "../../src/testing/machine-token.js";
import { body, echoApp, expectAccepted, harness, header, testEnv, useKeyServer } from "../helpers.js";

const key = createAlbKey();
const server = useKeyServer([key]);

/** A user request carrying a token with these claims; the identity header is their sub. */
function withClaims(claims: Record<string, unknown>, multiValue = false) {
  const identity = typeof claims.sub === "string" ? claims.sub : "alice";
  return userEvent({ path: "/whoami", token: mintAlbToken({ key, claims }), identity, multiValue });
}

function expectForbidden(res: ALBResult): void {
  expect(res.statusCode).toBe(403);
  expect(res.statusDescription).toBe("403 Forbidden");
  expect(body(res)).toEqual({ message: "Forbidden", error: "forbidden" });
  expect(header(res, "www-authenticate")).toBeUndefined();
  expect(header(res, "content-type")).toBe("application/json");
}

describe("ALLOWED_EMAIL_DOMAINS", () => {
  const env = { ALLOWED_EMAIL_DOMAINS: "example.com, Example.ORG" };

  it.each([
    ["alice@example.com", true],
    ["Alice@EXAMPLE.COM", true],
    ["carol@example.org", "true"],
  ])("%s (email_verified %s) is allowed", async (email, verified) => {
    const { handler } = harness(server, env);
    const res = await handler(withClaims({ ...ALICE, email, email_verified: verified }));
    expect(res.statusCode).toBe(200);
    expect(body(res).identity).toBe("alice");
  });

  it.each([
    ["another domain", { email: "mallory@evil.com" }, "email domain not allowed"],
    ["a subdomain", { email: "alice@sub.example.com" }, "email domain not allowed"],
    ["our domain inside a longer one", { email: "alice@example.com.evil.org" }, "email domain not allowed"],
    ["no @", { email: "example.com" }, "email domain not allowed"],
    ["no email claim", { email: undefined }, "no email claim"],
    ["an email that is not a string", { email: ["alice@example.com"] }, "no email claim"],
    ["email_verified false", { email_verified: false }, "email_verified is not true (ALLOW_UNVERIFIED_EMAIL is off)"],
    [
      'email_verified "false" (Cognito\'s userinfo)',
      { email_verified: "false" },
      "email_verified is not true (ALLOW_UNVERIFIED_EMAIL is off)",
    ],
    ["email_verified missing", { email_verified: undefined }, "email_verified is not true (ALLOW_UNVERIFIED_EMAIL is off)"],
  ])("%s -> 403 forbidden; the log names the rule, the body does not", async (_name, change, reason) => {
    const { handler, logs } = harness(server, env);
    const res = await handler(withClaims({ ...ALICE, ...change }));
    expectForbidden(res);
    expect(res.body).not.toContain("ALLOWED_EMAIL_DOMAINS");
    expect(res.body).not.toContain("@");
    expect(logs[0]).toMatchObject({
      level: "info",
      route: "user",
      status: 403,
      error: "forbidden",
      reason: `ALLOWED_EMAIL_DOMAINS: ${reason}`,
    });
  });

  it.each([false, true])("answers 403 in the event's header mode (multi-value %s)", async (multiValue) => {
    const { handler } = harness(server, env);
    const res = await handler(withClaims({ ...ALICE, email: "mallory@evil.com" }, multiValue));
    expectForbidden(res);
    if (multiValue) expect(res.headers).toBeUndefined();
    else expect(res.multiValueHeaders).toBeUndefined();
  });

  it("an invalid token from a disallowed user is 401, not 403: authentication comes first", async () => {
    const { handler } = harness(server, env);
    const token = tamper(mintAlbToken({ key, claims: { ...ALICE, email: "mallory@evil.com" } }), 2);
    const res = await handler(albEvent({ path: "/whoami", oidc: { data: token, identity: "alice" } }));
    expect(res.statusCode).toBe(401);
    expect(body(res).error).toBe("invalid_signature");
  });
});

describe("ALLOWED_EMAIL_DOMAINS trusts only a verified email", () => {
  const env = { ALLOWED_EMAIL_DOMAINS: "example.com" };
  const legitWith = (claims: Record<string, unknown>): ALBEvent => withClaims({ ...ALICE, ...claims });
  const withVerified = (value: unknown): ALBEvent => legitWith({ email_verified: value });

  it.each([
    ["missing", undefined],
    ['"False"', "False"],
    ['"FALSE"', "FALSE"],
    ["0", 0],
    ["null", null],
    ['"no"', "no"],
    ["false", false],
    ['"false"', "false"],
    ["1", 1],
    ['"yes"', "yes"],
  ])("unverified email: email_verified %s -> 403 forbidden with ALLOWED_EMAIL_DOMAINS", async (_name, value) => {
    const h = harness(server, env);
    const res = await h.handler(withVerified(value));
    expect(res.statusCode).toBe(403);
    expect(body(res)).toEqual({ message: "Forbidden", error: "forbidden" });
    expect(h.logs[0]?.reason).toMatch(/email_verified is not true/);
  });

  it.each([[true], ["true"]])("unverified email: email_verified %j -> 200", async (value) => {
    expectAccepted(await harness(server, env).handler(withVerified(value)));
  });

  it("unverified email: ALLOW_UNVERIFIED_EMAIL=true lets a missing or false email_verified through, on purpose", async () => {
    const h = harness(server, { ...env, ALLOW_UNVERIFIED_EMAIL: "true" });
    expectAccepted(await h.handler(withVerified(undefined)));
    expectAccepted(await h.handler(withVerified(false)));
    // The domain rule itself still holds.
    expect((await h.handler(legitWith({ email: "mallory@evil.example" }))).statusCode).toBe(403);
  });

  it.each(["yes", "1", "TRUE", "on"])("unverified email: ALLOW_UNVERIFIED_EMAIL=%s fails the cold start naming the variable", (value) => {
    expect(() => createApp(testEnv(server, { ...env, ALLOW_UNVERIFIED_EMAIL: value }), { app: echoApp })).toThrow(ConfigError);
    expect(() => createApp(testEnv(server, { ...env, ALLOW_UNVERIFIED_EMAIL: value }), { app: echoApp })).toThrow(
      /^ALLOW_UNVERIFIED_EMAIL /,
    );
  });

  it("a Kelvin sign (U+212A) does not pass for k: a@\\u212Aaizen.example is refused for kaizen.example", async () => {
    const h = harness(server, { ALLOWED_EMAIL_DOMAINS: "kaizen.example" });
    expect((await h.handler(legitWith({ email: "a@\u212Aaizen.example" }))).statusCode).toBe(403);
    expect((await h.handler(legitWith({ email: "a@\u212AAIZEN.example".replace("\u212A", "K") }))).statusCode).toBe(200);
    expect(h.logs[0]?.reason).toBe("ALLOWED_EMAIL_DOMAINS: email domain not allowed");
  });
});

describe("REQUIRED_USER_CLAIMS", () => {
  it.each([
    ["one accepted element of an array claim", { groups: ["interns", "staff"] }],
    ["a scalar claim equal to an accepted value", { groups: "admins" }],
  ])("%s is allowed", async (_name, change) => {
    const { handler } = harness(server, { REQUIRED_USER_CLAIMS: '{"groups":["admins","staff"]}' });
    expect((await handler(withClaims({ ...ALICE, ...change }))).statusCode).toBe(200);
  });

  it.each([
    ["no accepted element", { groups: ["interns"] }],
    ["an empty array", { groups: [] }],
    ["the claim missing", {}],
    ["a scalar claim not accepted", { groups: "interns" }],
    ["a nested array is not flattened", { groups: [["admins"]] }],
  ])("%s -> 403 forbidden, the log names the claim", async (_name, change) => {
    const { handler, logs } = harness(server, { REQUIRED_USER_CLAIMS: '{"groups":["admins","staff"]}' });
    const res = await handler(withClaims({ ...ALICE, ...change }));
    expectForbidden(res);
    expect(res.body).not.toContain("groups");
    expect(logs[0]?.reason).toBe('REQUIRED_USER_CLAIMS: claim "groups" has no accepted value');
  });

  it('every claim must be satisfied, and values compare strictly (true is not "true")', async () => {
    const { handler } = harness(server, { REQUIRED_USER_CLAIMS: '{"tenant":"acme","email_verified":true,"level":3}' });
    expect((await handler(withClaims({ ...ALICE, tenant: "acme", email_verified: true, level: 3 }))).statusCode).toBe(200);
    expectForbidden(await handler(withClaims({ ...ALICE, tenant: "acme", email_verified: "true", level: 3 })));
    expectForbidden(await handler(withClaims({ ...ALICE, tenant: "acme", email_verified: true, level: "3" })));
    expectForbidden(await handler(withClaims({ ...ALICE, tenant: "other", email_verified: true, level: 3 })));
  });

  it("works together with ALLOWED_EMAIL_DOMAINS", async () => {
    const { handler } = harness(server, { ALLOWED_EMAIL_DOMAINS: "example.com", REQUIRED_USER_CLAIMS: '{"groups":"admins"}' });
    expect((await handler(withClaims({ ...ALICE, groups: ["admins"] }))).statusCode).toBe(200);
    expectForbidden(await handler(withClaims({ ...ALICE, groups: ["staff"] })));
    expectForbidden(await handler(withClaims({ ...ALICE, email: "a@evil.com", groups: ["admins"] })));
  });
});

describe("rules for users only", () => {
  it("without rules every verified user is allowed", async () => {
    const { handler } = harness(server);
    expect((await handler(withClaims({ sub: "bob" }))).statusCode).toBe(200);
  });

  const rsa = createRsaKey();
  const jwks = useKeyServer([rsa]);

  it("machine tokens are not held to the user rules", async () => {
    const { handler } = harness(server, {
      ALLOWED_EMAIL_DOMAINS: "example.com",
      REQUIRED_USER_CLAIMS: '{"groups":"admins"}',
      M2M_PATH_PREFIXES: "/api/",
      M2M_ISSUER: DEFAULT_M2M_ISSUER,
      M2M_JWKS_URI: `${jwks.url}/jwks.json`,
      M2M_AUDIENCE: DEFAULT_M2M_AUDIENCE,
    });
    const res = await handler(albEvent({ path: "/api/x", headers: { authorization: `Bearer ${mintMachineToken({ key: rsa })}` } }));
    expect(res.statusCode).toBe(200);
  });
});
