// Programmatic options: every option gives exactly the configuration its environment variable gives, and wins over it.
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { resolveConfig, type AlbAuthOptions } from "../../src/options.js";
import { DEFAULT_ALB_ARN } from "../../src/testing/alb-token.js";

const ARN2 = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/other/0123456789abcdef";

const options: AlbAuthOptions = {
  loadBalancerArn: [DEFAULT_ALB_ARN, ARN2],
  issuer: "https://idp.example.com",
  clientId: ["one", "two"],
  publicKeyEndpoint: "https://keys.example.com",
  keyFetchTimeoutMs: 900,
  verifiedTokenCache: false,
  allowUnverifiedEmail: true,
  allowedEmailDomains: ["example.com", "example.org"],
  requiredUserClaims: { groups: ["admins", "staff"], email_verified: true },
  healthCheckPath: "/ping",
  logout: {
    path: "/bye",
    sessionCookieName: "MyCookie",
    idpLogoutUrl: "https://idp.example.com/logout",
    postLogoutRedirectUri: "https://app.example.com/",
  },
  machine: {
    pathPrefixes: ["/api/", "/internal/"],
    issuer: "https://auth.example.com",
    jwksUri: "https://auth.example.com/jwks.json",
    audience: ["https://api.example.com", "urn:x"],
    requiredScopes: ["a:read", "b:write"],
    algorithms: ["RS256", "ES256"],
  },
};

const sameAsEnv = {
  LOAD_BALANCER_ARN: `${DEFAULT_ALB_ARN},${ARN2}`,
  ISSUER: "https://idp.example.com",
  CLIENT_ID: "one,two",
  ALB_PUBLIC_KEY_ENDPOINT: "https://keys.example.com",
  KEY_FETCH_TIMEOUT_MS: "900",
  VERIFIED_TOKEN_CACHE: "off",
  ALLOW_UNVERIFIED_EMAIL: "true",
  ALLOWED_EMAIL_DOMAINS: "example.com,example.org",
  REQUIRED_USER_CLAIMS: '{"groups":["admins","staff"],"email_verified":true}',
  HEALTH_CHECK_PATH: "/ping",
  LOGOUT_PATH: "/bye",
  SESSION_COOKIE_NAME: "MyCookie",
  IDP_LOGOUT_URL: "https://idp.example.com/logout",
  POST_LOGOUT_REDIRECT_URI: "https://app.example.com/",
  M2M_PATH_PREFIXES: "/api/,/internal/",
  M2M_ISSUER: "https://auth.example.com",
  M2M_JWKS_URI: "https://auth.example.com/jwks.json",
  M2M_AUDIENCE: "https://api.example.com,urn:x",
  M2M_REQUIRED_SCOPES: "a:read b:write",
  M2M_ALGORITHMS: "RS256,ES256",
};

describe("resolveConfig", () => {
  it("every option gives the configuration of its variable", () => {
    const fromOptions = resolveConfig(options, {});
    expect(fromOptions).toEqual(loadConfig(sameAsEnv));
    expect(fromOptions.userRules.allowUnverifiedEmail).toBe(true);
    expect(fromOptions.machine?.requiredScopes).toEqual(["a:read", "b:write"]);
  });

  it("options win over variables, variables fill the rest", () => {
    const env = { ...sameAsEnv, ISSUER: "https://other.example.com", HEALTH_CHECK_PATH: "/healthz" };
    const c = resolveConfig({ issuer: "https://idp.example.com" }, env);
    expect(c.issuer).toBe("https://idp.example.com");
    expect(c.healthCheckPath).toBe("/healthz");
  });

  it("machine.audience null is the variable's explicit none: aud is not checked", () => {
    const c = resolveConfig({ machine: { audience: null } }, sameAsEnv);
    expect(c.machine?.audience).toBeNull();
    expect(loadConfig({ ...sameAsEnv, M2M_AUDIENCE: "none" }).machine?.audience).toBeNull();
  });

  it("defaults stay the variables' defaults: allowUnverifiedEmail false, the memo on", () => {
    const c = resolveConfig({}, { LOAD_BALANCER_ARN: DEFAULT_ALB_ARN, ISSUER: "https://idp.example.com", CLIENT_ID: "c" });
    expect([c.userRules.allowUnverifiedEmail, c.verifiedTokenCache]).toEqual([false, true]);
  });

  it("ALLOW_UNVERIFIED_EMAIL takes only true or false", () => {
    expect(() => loadConfig({ ...sameAsEnv, ALLOW_UNVERIFIED_EMAIL: "yes" })).toThrow(
      'ALLOW_UNVERIFIED_EMAIL must be "true" or "false", got "yes"',
    );
  });

  it("a list entry holding the separator is refused naming the option", () => {
    expect(() => resolveConfig({ clientId: ["a,b"] }, sameAsEnv)).toThrow('clientId must hold one value per entry, got "a,b"');
    expect(() => resolveConfig({ machine: { requiredScopes: ["a b"] } }, sameAsEnv)).toThrow(
      'machine.requiredScopes must hold one value per entry, got "a b"',
    );
  });
});
