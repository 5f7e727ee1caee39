// Configuration of machine routes, user authorization, health check and logout: defaults, and an error naming the variable with an example for every mistake.
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import type { ConfigError } from "../../src/errors.js";
import { configError as loadError } from "../helpers.js";

const ARN = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/my-alb/50dc6c495c0c9188";
const base = { LOAD_BALANCER_ARN: ARN, ISSUER: "https://access.line.me", CLIENT_ID: "1234567890" };
const m2m = {
  M2M_PATH_PREFIXES: "/api/, /internal/",
  M2M_ISSUER: "https://auth.example.com",
  M2M_JWKS_URI: "https://auth.example.com/.well-known/jwks.json",
  M2M_AUDIENCE: "https://api.example.com",
};

/** The ConfigError of `env` over the three required variables. */
const configError = (env: Record<string, string>): ConfigError => loadError({ ...base, ...env });

/** Every ConfigError names its variable first and ends with a valid example of it. */
function expectNamed(err: ConfigError, variable: string, problem: RegExp): void {
  expect(err.variable).toBe(variable);
  expect(err.message.startsWith(`${variable} `)).toBe(true);
  expect(err.message).toMatch(problem);
  expect(err.message).toMatch(new RegExp(`\\. Example: ${variable}=\\S+`));
}

describe("defaults", () => {
  it("no machine routes, no user rules, /health, /logout, the ALB's default cookie, 200 logout", () => {
    const c = loadConfig(base);
    expect(c.machine).toBeUndefined();
    expect(c.userRules).toEqual({ allowedEmailDomains: [], allowUnverifiedEmail: false, requiredClaims: {} });
    expect(c.healthCheckPath).toBe("/health");
    expect(c.logout).toEqual({
      path: "/logout",
      cookieName: "AWSELBAuthSessionCookie",
      idpLogoutUrl: undefined,
      postLogoutRedirectUri: undefined,
      clientId: "1234567890",
    });
  });
});

describe("machine routes", () => {
  it("reads prefixes, issuer, JWKS URL and audience; no scopes and RS256 by default", () => {
    expect(loadConfig({ ...base, ...m2m }).machine).toEqual({
      pathPrefixes: ["/api/", "/internal/"],
      caseSensitivePaths: false,
      issuer: "https://auth.example.com",
      jwksUri: "https://auth.example.com/.well-known/jwks.json",
      audience: ["https://api.example.com"],
      requiredScopes: [],
      algorithms: ["RS256"],
    });
  });

  it("reads audience, scopes and algorithms", () => {
    const c = loadConfig({
      ...base,
      ...m2m,
      M2M_AUDIENCE: "https://api.example.com, urn:orders",
      M2M_REQUIRED_SCOPES: " orders:read   orders:write ",
      M2M_ALGORITHMS: "RS256,ES256",
    });
    expect(c.machine).toMatchObject({
      audience: ["https://api.example.com", "urn:orders"],
      requiredScopes: ["orders:read", "orders:write"],
      algorithms: ["RS256", "ES256"],
    });
  });

  it("accepts an http JWKS URL on loopback only", () => {
    expect(loadConfig({ ...base, ...m2m, M2M_JWKS_URI: "http://127.0.0.1:4000/jwks.json" }).machine?.jwksUri).toBe(
      "http://127.0.0.1:4000/jwks.json",
    );
    expectNamed(configError({ ...m2m, M2M_JWKS_URI: "http://auth.example.com/jwks.json" }), "M2M_JWKS_URI", /https:\/\//);
  });

  it("M2M_AUDIENCE=none skips the aud check on purpose", () => {
    expect(loadConfig({ ...base, ...m2m, M2M_AUDIENCE: "none" }).machine?.audience).toBeNull();
    expect(loadConfig({ ...base, ...m2m, M2M_PATHS_CASE_SENSITIVE: "true" }).machine?.caseSensitivePaths).toBe(true);
    expectNamed(configError({ ...m2m, M2M_AUDIENCE: "none, https://api.example.com" }), "M2M_AUDIENCE", /"none" alone/);
  });

  it.each(["M2M_ISSUER", "M2M_JWKS_URI", "M2M_AUDIENCE"])("prefixes without %s fail naming it", (name) => {
    const env = Object.fromEntries(Object.entries(m2m).filter(([k]) => k !== name));
    expectNamed(configError(env), name, /is required/);
  });

  it.each(["M2M_ISSUER", "M2M_JWKS_URI", "M2M_AUDIENCE", "M2M_REQUIRED_SCOPES", "M2M_ALGORITHMS", "M2M_PATHS_CASE_SENSITIVE"])(
    "%s without M2M_PATH_PREFIXES fails naming M2M_PATH_PREFIXES",
    (name) => {
      expectNamed(configError({ [name]: "RS256" }), "M2M_PATH_PREFIXES", new RegExp(`is required when ${name} is set`));
    },
  );

  it.each([
    ["M2M_PATH_PREFIXES", "api/", /starting with "\/"/],
    ["M2M_PATH_PREFIXES", "/api/*", /no wildcards/],
    ["M2M_PATH_PREFIXES", " , ", /at least one/],
    ["M2M_JWKS_URI", "not a url", /absolute URL/],
    ["M2M_AUDIENCE", ",", /at least one/],
    ["M2M_REQUIRED_SCOPES", 'orders:"read"', /scope tokens/],
    ["M2M_ALGORITHMS", "none", /got "none"/],
    ["M2M_ALGORITHMS", "HS256", /got "HS256"/],
    ["M2M_ALGORITHMS", " , ", /at least one/],
    ["M2M_PATHS_CASE_SENSITIVE", "yes", /must be "true" or "false", got "yes"/],
  ])("%s=%s fails naming it", (name, value, problem) => {
    expectNamed(configError({ ...m2m, [name]: value }), name, problem);
  });
});

describe("user authorization", () => {
  it("reads domains (lower-cased) and claim rules (a scalar becomes a one-value list)", () => {
    const c = loadConfig({
      ...base,
      ALLOWED_EMAIL_DOMAINS: "Example.com, example.org",
      REQUIRED_USER_CLAIMS: '{"groups":["admins","staff"],"email_verified":true,"level":3}',
    });
    expect(c.userRules).toEqual({
      allowedEmailDomains: ["example.com", "example.org"],
      allowUnverifiedEmail: false,
      requiredClaims: { groups: ["admins", "staff"], email_verified: [true], level: [3] },
    });
  });

  it.each([
    ["ALLOWED_EMAIL_DOMAINS", "@example.com", /without "@"/],
    ["ALLOW_UNVERIFIED_EMAIL", "yes", /"true" or "false", got "yes"/],
    ["ALLOW_UNVERIFIED_EMAIL", "TRUE", /"true" or "false", got "TRUE"/],
    ["ALLOWED_EMAIL_DOMAINS", "example", /domain names/],
    ["REQUIRED_USER_CLAIMS", "{groups: admins}", /invalid JSON/],
    ["REQUIRED_USER_CLAIMS", '["admins"]', /JSON object/],
    ["REQUIRED_USER_CLAIMS", '"admins"', /JSON object/],
    ["REQUIRED_USER_CLAIMS", '{"groups":[]}', /"groups"/],
    ["REQUIRED_USER_CLAIMS", '{"groups":null}', /"groups"/],
    ["REQUIRED_USER_CLAIMS", '{"groups":{"any":"admins"}}', /"groups"/],
  ])("%s=%s fails naming it", (name, value, problem) => {
    expectNamed(configError({ [name]: value }), name, problem);
  });
});

describe("health check and logout", () => {
  it("reads the paths, cookie name and end-session URL", () => {
    const c = loadConfig({
      ...base,
      HEALTH_CHECK_PATH: "/healthz",
      LOGOUT_PATH: "/auth/logout",
      SESSION_COOKIE_NAME: "MySession",
      IDP_LOGOUT_URL: "https://auth.example.com/logout?client_id=abc",
      POST_LOGOUT_REDIRECT_URI: "https://app.example.com/",
    });
    expect(c.healthCheckPath).toBe("/healthz");
    expect(c.logout).toEqual({
      path: "/auth/logout",
      cookieName: "MySession",
      idpLogoutUrl: "https://auth.example.com/logout?client_id=abc",
      postLogoutRedirectUri: "https://app.example.com/",
      clientId: "1234567890",
    });
  });

  it("sends no client_id when CLIENT_ID lists several", () => {
    expect(loadConfig({ ...base, CLIENT_ID: "a,b" }).logout.clientId).toBeUndefined();
  });

  it.each([
    ["HEALTH_CHECK_PATH", "health", /starting with "\/"/],
    ["HEALTH_CHECK_PATH", "/health?x=1", /starting with "\/"/],
    ["LOGOUT_PATH", "logout", /starting with "\/"/],
    ["SESSION_COOKIE_NAME", "a;b", /cookie name/],
    ["SESSION_COOKIE_NAME", "a=b", /cookie name/],
    ["IDP_LOGOUT_URL", "http://idp.example.com/logout", /https:\/\//],
    ["IDP_LOGOUT_URL", "https://idp.example.com/logout#x", /fragment/],
    ["IDP_LOGOUT_URL", "/logout", /absolute URL/],
  ])("%s=%s fails naming it", (name, value, problem) => {
    expectNamed(configError({ [name]: value }), name, problem);
  });

  it("POST_LOGOUT_REDIRECT_URI must be https and needs IDP_LOGOUT_URL", () => {
    expectNamed(
      configError({ POST_LOGOUT_REDIRECT_URI: "https://app.example.com/" }),
      "IDP_LOGOUT_URL",
      /is required when POST_LOGOUT_REDIRECT_URI/,
    );
    expectNamed(
      configError({ IDP_LOGOUT_URL: "https://idp.example.com/logout", POST_LOGOUT_REDIRECT_URI: "http://app.example.com/" }),
      "POST_LOGOUT_REDIRECT_URI",
      /https:\/\//,
    );
  });
});
