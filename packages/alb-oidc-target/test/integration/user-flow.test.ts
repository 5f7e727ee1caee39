// The handler end to end with real ES256 signatures and a loopback key server: every status and error code of the user flow.
import { describe, expect, it } from "vitest";
import type { ALBEvent } from "aws-lambda";
import { ALICE } from "../../src/testing/alb-token.js";
import { body, harness, header, useFakeAlb } from "../helpers.js";

// The package's testing kit: the same fake ALB users test their functions with.
const alb = useFakeAlb();

/** The fake ALB's user event for /whoami carrying `token` (none when undefined) and a known access token. */
const userEvent = (token: string | undefined, multiValue = false): ALBEvent =>
  alb.userEvent({ path: "/whoami", token: token ?? null, identity: "alice", multiValue, accessToken: "opaque-access-token-123" });

describe("a valid ALB token", () => {
  it.each([false, true])("answers 200 with the verified claims (multi-value %s)", async (multiValue) => {
    const { handler } = harness(alb.keyServer);
    const res = await handler(userEvent(alb.userToken({ claims: ALICE }), multiValue));
    expect(res.statusCode).toBe(200);
    expect(res.statusDescription).toBe("200 OK");
    expect(res.isBase64Encoded).toBe(false);
    expect(header(res, "content-type")).toBe("application/json");
    expect(header(res, "cache-control")).toBe("no-store");
    if (multiValue) expect(res.headers).toBeUndefined();
    else expect(res.multiValueHeaders).toBeUndefined();
    const b = body(res);
    expect(b.message).toBe("Token is valid");
    expect(b.identity).toBe("alice");
    expect(b.claims).toMatchObject({ ...ALICE, iss: "https://idp.example.com" });
  });

  it("never echoes the access token or the claims JWT", async () => {
    const { handler, rawLogs } = harness(alb.keyServer);
    const token = alb.userToken();
    const res = await handler(userEvent(token));
    expect(res.body).not.toContain("opaque-access-token-123");
    expect(res.body).not.toContain(token.split(".")[2]);
    expect(rawLogs.join("")).not.toContain("opaque-access-token-123");
    expect(rawLogs.join("")).not.toContain(token.split(".")[1]);
  });
});

describe("rejections", () => {
  const cases: [string, () => string | undefined, string][] = [
    ["missing header", () => undefined, "missing_token"],
    ["empty header", () => "", "missing_token"],
    ["garbage", () => "not-a-jwt", "malformed_token"],
    ["another ALB's token (ALBeast)", () => alb.badUserToken("foreign-signer"), "invalid_signer"],
    ["tampered payload", () => alb.badUserToken("tampered"), "invalid_signature"],
    ["tampered signature", () => alb.badUserToken("bad-signature"), "invalid_signature"],
    ["wrong issuer", () => alb.badUserToken("wrong-issuer"), "invalid_issuer"],
    ["wrong client", () => alb.badUserToken("wrong-client"), "invalid_client"],
    ["expired", () => alb.mint({ expiresIn: -5 }), "expired"],
    ["alg none", () => alb.mint({ alg: "none" }), "unsupported_algorithm"],
    ["HS256", () => alb.mint({ alg: "HS256", hmacSecret: "a public key PEM" }), "unsupported_algorithm"],
    ["path traversal kid", () => alb.mint({ kid: "../../etc/passwd" }), "malformed_token"],
  ];
  it.each(cases)("%s -> 401 %s", async (_name, make, code) => {
    const { handler } = harness(alb.keyServer);
    const res = await handler(userEvent(make()));
    expect(res.statusCode).toBe(401);
    expect(res.statusDescription).toBe("401 Unauthorized");
    expect(body(res)).toEqual({ message: "Token verification failed", error: code });
    expect(header(res, "www-authenticate")).toMatch(/^Bearer/);
  });

  // A re-labelled signer (invalid_signature) and an identity header that is not sub (identity_mismatch) are in
  // test/security/attacks.test.ts, with the exact 401, the key fetched and the leak check.
});
