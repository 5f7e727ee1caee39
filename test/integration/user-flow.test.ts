// The handler end to end with real ES256 signatures and a loopback key server: every status and error code of the user flow.
import { describe, expect, it } from "vitest";
import { ALICE, DEFAULT_ALB_ARN, OTHER_ALB_ARN, mintAlbToken, replacePart, tamper } from "../../src/testing/alb-token.js";
import { albEvent } from "../../src/testing/events.js";
import { createAlbKey } from "../../src/testing/keys.js";
import { body, harness, header, useKeyServer } from "../helpers.js";

const key = createAlbKey();
const server = useKeyServer([key]);

function userEvent(data: string | undefined, multiValue = false, identity: string | undefined = "alice") {
  return albEvent({ path: "/whoami", multiValue, oidc: { data, identity, accessToken: "opaque-access-token-123" } });
}

describe("a valid ALB token", () => {
  it.each([false, true])("answers 200 with the verified claims (multi-value %s)", async (multiValue) => {
    const { handler } = harness(server);
    const res = await handler(userEvent(mintAlbToken({ key, claims: ALICE }), multiValue));
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
    const { handler, rawLogs } = harness(server);
    const token = mintAlbToken({ key });
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
    ["another ALB's token (ALBeast)", () => mintAlbToken({ key, signer: OTHER_ALB_ARN }), "invalid_signer"],
    ["tampered payload", () => replacePart(mintAlbToken({ key }), 1, (p) => ({ ...p, sub: "admin" })), "invalid_signature"],
    ["tampered signature", () => tamper(mintAlbToken({ key }), 2), "invalid_signature"],
    ["wrong issuer", () => mintAlbToken({ key, issuer: "https://evil.example.com" }), "invalid_issuer"],
    ["wrong client", () => mintAlbToken({ key, clientId: "other" }), "invalid_client"],
    ["expired", () => mintAlbToken({ key, expiresIn: -5 }), "expired"],
    ["alg none", () => mintAlbToken({ key, alg: "none" }), "unsupported_algorithm"],
    ["HS256", () => mintAlbToken({ key, alg: "HS256", hmacSecret: key.publicKeyPem }), "unsupported_algorithm"],
    ["path traversal kid", () => mintAlbToken({ key, kid: "../../etc/passwd" }), "malformed_token"],
  ];
  it.each(cases)("%s -> 401 %s", async (_name, make, code) => {
    const { handler } = harness(server);
    const res = await handler(userEvent(make()));
    expect(res.statusCode).toBe(401);
    expect(res.statusDescription).toBe("401 Unauthorized");
    expect(body(res)).toEqual({ message: "Token verification failed", error: code });
    expect(header(res, "www-authenticate")).toMatch(/^Bearer/);
  });

  it("swapped signer: a token re-labelled with our ARN fails its signature", async () => {
    const { handler } = harness(server);
    const foreign = mintAlbToken({ key, signer: OTHER_ALB_ARN });
    const swapped = replacePart(foreign, 0, (h) => ({ ...h, signer: DEFAULT_ALB_ARN }));
    const res = await handler(userEvent(swapped));
    expect(body(res).error).toBe("invalid_signature");
  });

  it("identity header differing from sub -> identity_mismatch", async () => {
    const { handler } = harness(server);
    const res = await handler(userEvent(mintAlbToken({ key }), false, "bob"));
    expect(res.statusCode).toBe(401);
    expect(body(res).error).toBe("identity_mismatch");
  });
});
