// Specification of the context reader: `-c` string forms, defaults, and errors that name the key.
import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";
import { ConfigError, configFromContext } from "../lib/config";
import { EXAMPLE_CONTEXT, MACHINE_CONTEXT } from "./helpers";

const BASE_DIR = "/repo/sample";

function read(overrides: Record<string, unknown> = {}): ReturnType<typeof configFromContext> {
  const context: Record<string, unknown> = { ...EXAMPLE_CONTEXT, ...overrides };
  return configFromContext((key) => context[key], BASE_DIR);
}

function rejects(overrides: Record<string, unknown>, message: RegExp): void {
  assert.throws(
    () => read(overrides),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, message);
      return true;
    },
  );
}

describe("configFromContext", () => {
  it("reads the committed LINE example", () => {
    const config = read();
    assert.equal(config.oidc.issuer, "https://access.line.me");
    assert.equal(config.oidc.scope, "profile openid");
    assert.equal(config.oidc.clientSecretName, "alb-oidc-target/line-client-secret");
    assert.equal(config.oidc.sessionTimeout?.toSeconds(), 604800);
    assert.equal(config.machineRoutes, undefined);
    assert.equal(config.assetPath, undefined);
  });

  it("resolves a relative assetPath against the CDK app's folder", () => {
    assert.equal(read({ assetPath: "../dist" }).assetPath, path.resolve(BASE_DIR, "../dist"));
  });

  it("accepts the string forms that -c gives for lists, booleans, numbers and JSON", () => {
    const config = read({
      ...MACHINE_CONTEXT,
      m2mPathPrefixes: "/api/, /internal/",
      m2mAdditionalClaims: JSON.stringify(MACHINE_CONTEXT.m2mAdditionalClaims),
      multiValueHeaders: "false",
      logRetentionDays: "14",
    });
    assert.deepEqual(config.machineRoutes?.pathPrefixes, ["/api/", "/internal/"]);
    // (deepEqual narrowed machineRoutes above: it is defined from here on.)
    assert.deepEqual(config.machineRoutes.requiredScopes, ["orders:read", "orders:write"]);
    assert.equal(config.machineRoutes.additionalClaims?.[0]?.format, "space-separated-values");
    assert.equal(config.multiValueHeaders, false);
    assert.equal(config.logRetentionDays, 14);
  });

  it("requires the certificate ARN, showing an example", () => {
    rejects({ certificateArn: undefined }, /^Context value certificateArn is required, e\.g\. -c certificateArn=arn:aws:acm:/);
    rejects({ certificateArn: "my-cert" }, /certificateArn must look like arn:aws:acm:.*, got "my-cert"/);
  });

  it("requires https URLs for the issuer and the endpoints", () => {
    rejects(
      { oidcTokenEndpoint: "http://api.line.me/oauth2/v2.1/token" },
      /oidcTokenEndpoint must be a full https:\/\/ URL, e\.g\. https:\/\/api\.line\.me\/oauth2\/v2\.1\/token, got "http:/,
    );
    rejects({ oidcIssuer: "access.line.me" }, /oidcIssuer must be a full https:\/\/ URL/);
  });

  it("rejects an unknown OnUnauthenticatedRequest behaviour", () => {
    rejects(
      { oidcOnUnauthenticatedRequest: "redirect" },
      /oidcOnUnauthenticatedRequest must be one of authenticate, deny, allow, got "redirect"/,
    );
  });

  it("rejects a session timeout beyond 7 days", () => {
    rejects({ oidcSessionTimeoutSeconds: 604801 }, /oidcSessionTimeoutSeconds must be between 1 and 604800/);
  });

  it("rejects a log retention CloudWatch Logs does not offer", () => {
    rejects({ logRetentionDays: 10 }, /logRetentionDays must be one of 1, 3, 5, 7, 14, .*got 10/);
  });

  it("rejects a machine issuer without path prefixes", () => {
    rejects({ m2mIssuer: "https://auth.example.com" }, /m2mIssuer is set but m2mPathPrefixes is empty/);
  });

  it("rejects a machine prefix that is not a path", () => {
    rejects(
      { ...MACHINE_CONTEXT, m2mPathPrefixes: "api/" },
      /m2mPathPrefixes must hold paths starting with "\/", e\.g\. \/api\/, got "api\/"/,
    );
  });

  it("rejects an additional claim with an unknown format", () => {
    rejects(
      { ...MACHINE_CONTEXT, m2mAdditionalClaims: [{ name: "scope", format: "csv", values: ["a"] }] },
      /m2mAdditionalClaims needs a format of single-string \| string-array \| space-separated-values in every claim/,
    );
  });

  it("rejects environment variables the stack derives itself", () => {
    rejects(
      { functionEnvironment: { LOAD_BALANCER_ARN: "arn:aws:elasticloadbalancing:..." } },
      /^Context value functionEnvironment may not set LOAD_BALANCER_ARN: the stack derives it \(the stack sets this ALB's ARN\)\.$/,
    );
    rejects({ functionEnvironment: { M2M_AUDIENCE: "x" } }, /may not set M2M_AUDIENCE: the stack derives it \(set m2mAudience\)/);
  });

  it("keeps any variable of the user's own, JSON values serialized", () => {
    const config = read({ functionEnvironment: { NOTES_TABLE: "notes", FEATURES: { beta: true }, ALLOWED_EMAIL_DOMAINS: "example.com" } });
    assert.deepEqual(config.functionEnvironment, { NOTES_TABLE: "notes", FEATURES: '{"beta":true}', ALLOWED_EMAIL_DOMAINS: "example.com" });
  });

  it("rejects a variable name Lambda would refuse, quoting it", () => {
    rejects({ functionEnvironment: { "1BAD-NAME": "x" } }, /functionEnvironment has the variable name "1BAD-NAME"/);
  });

  it("requires m2mAudience with machine routes, naming none as the explicit opt-out", () => {
    rejects(
      { ...MACHINE_CONTEXT, m2mAudience: undefined },
      /^Context value m2mAudience is required, e.g. -c m2mAudience=https:\/\/api.example.com \(or none\)/,
    );
    assert.equal(read({ ...MACHINE_CONTEXT, m2mAudience: "none" }).machineRoutes?.audience, "none");
  });

  it("refuses machine-route settings without prefixes", () => {
    rejects({ m2mAudience: "https://api.example.com" }, /^Context value m2mAudience is set but m2mPathPrefixes is empty/);
  });

  it("checks additional claims as the ALB does", () => {
    const claims = (c: unknown): Record<string, unknown> => ({ ...MACHINE_CONTEXT, m2mAdditionalClaims: c });
    rejects(
      claims([{ name: "exp", format: "single-string", values: ["1"] }]),
      /m2mAdditionalClaims\["exp"\]: the ALB always checks exp, iss, nbf, iat itself/,
    );
    rejects(claims([{ name: "scope", format: "space-separated-values", values: ["a b"] }]), /holds no space, got "a b"/);
    rejects(claims([{ name: "aud", format: "string-array", values: ["x", "x"] }]), /values must be unique, "x" appears twice/);
  });

  it("reads a pinned client secret version", () => {
    assert.equal(
      read({ oidcClientSecretVersionId: "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111" }).oidc.clientSecretVersionId,
      "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",
    );
    rejects({ oidcClientSecretVersionId: "v1" }, /^Context value oidcClientSecretVersionId must look like/);
  });
});
