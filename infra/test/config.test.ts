// Specification of the context reader: `-c` string forms, defaults, and errors that name the key.
import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";
import { ConfigError, configFromContext } from "../lib/config";
import { EXAMPLE_CONTEXT, MACHINE_CONTEXT } from "./helpers";

const BASE_DIR = "/repo/infra";

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

  it("resolves a relative assetPath against the infra folder", () => {
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
    assert.deepEqual(config.machineRoutes?.requiredScopes, ["orders:read", "orders:write"]);
    assert.equal(config.machineRoutes?.additionalClaims?.[0]?.format, "space-separated-values");
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
      /functionEnvironment may only set ALLOWED_EMAIL_DOMAINS, .*got "LOAD_BALANCER_ARN"/,
    );
  });
});
