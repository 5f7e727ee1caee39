// Programmatic options: every option gives exactly the configuration its environment variable gives, and wins over it.
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { ConfigError } from "../../src/errors.js";
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

/** Expects resolveConfig to fail with a ConfigError about `variable` (a variable or an option), with exactly `message`. */
function expectConfigError(options: AlbAuthOptions, env: Record<string, string>, variable: string, message: string): void {
  const resolve = () => resolveConfig(options, env);
  expect(resolve).toThrow(ConfigError);
  expect(resolve).toThrow(expect.objectContaining({ variable, message }));
}

describe("where a bad value came from", () => {
  it("an option's error names the option, quotes the value as given and shows no variable example", () => {
    const message = 'loadBalancerArn must hold Application Load Balancer ARNs, got "LOAD_BALANCER_ARN"';
    expectConfigError({ loadBalancerArn: "LOAD_BALANCER_ARN" }, sameAsEnv, "loadBalancerArn", message);
  });

  it("a variable's error names the variable with an example, also when options are given", () => {
    const message = "CLIENT_ID is required: the OIDC client id configured on the ALB. Example: CLIENT_ID=1234567890";
    expectConfigError({ issuer: "https://idp.example.com" }, { ...sameAsEnv, CLIENT_ID: " , " }, "CLIENT_ID", message);
  });

  it("a variable an option overrides is never judged", () => {
    const env = { ...sameAsEnv, VERIFIED_TOKEN_CACHE: "yes", REQUIRED_USER_CLAIMS: "{not json", KEY_FETCH_TIMEOUT_MS: "soon" };
    const c = resolveConfig({ verifiedTokenCache: true, requiredUserClaims: { groups: "staff" }, keyFetchTimeoutMs: 700 }, env);
    expect([c.verifiedTokenCache, c.userRules.requiredClaims, c.keyFetchTimeoutMs]).toEqual([true, { groups: ["staff"] }, 700]);
  });

  it("a rule across two settings names each by where it came from", () => {
    const { M2M_PATH_PREFIXES: _prefixes, ...noPrefixes } = sameAsEnv;
    expect(() => resolveConfig({ machine: { issuer: "https://auth.example.com" } }, { ...noPrefixes, M2M_ISSUER: "" })).toThrow(
      /^M2M_PATH_PREFIXES is required when machine\.issuer is set: the paths of machine routes\. Example: M2M_PATH_PREFIXES=/,
    );
    const { IDP_LOGOUT_URL: _idp, POST_LOGOUT_REDIRECT_URI: _post, ...noLogout } = sameAsEnv;
    expect(() => resolveConfig({ logout: { postLogoutRedirectUri: "https://app.example.com/" } }, noLogout)).toThrow(
      /^IDP_LOGOUT_URL is required when logout\.postLogoutRedirectUri is set: where to send it\. Example: /,
    );
  });

  it.each<[AlbAuthOptions, string]>([
    [{ issuer: 7 as never }, "issuer must be a string, got number"],
    [{ clientId: ["a", ""] }, 'clientId must hold non-empty strings, got ""'],
    [{ keyFetchTimeoutMs: "900" as never }, 'keyFetchTimeoutMs must be a number, got "900"'],
    [{ keyFetchTimeoutMs: 1.5 }, 'keyFetchTimeoutMs must be a whole number from 50 to 30000, got "1.5"'],
    [{ requiredUserClaims: ["admins"] as never }, 'requiredUserClaims must be an object, got ["admins"]'],
    [
      { machine: { audience: ["none"] } },
      'machine.audience must be null (no aud check) or a list of audiences other than "none", got ["none"]',
    ],
    [{ machine: { requiredScopes: ["a\tb"] } }, 'machine.requiredScopes must hold one value per entry, got "a\tb"'],
    [{ logout: "/bye" as never }, 'logout must be an object, got "/bye"'],
  ])("%j fails with exactly its message", (options, message) => {
    expectConfigError(options, sameAsEnv, message.slice(0, message.indexOf(" ")), message);
  });
});
