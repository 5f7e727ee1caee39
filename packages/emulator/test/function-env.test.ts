// functionEnvironment: the variables the emulator gives the function, from the configuration in force alone (no servers).
import { describe, expect, it } from "vitest";
import { resolveConfig, type EmulatorConfig, type IdpFields } from "../src/emulator/listener/config-file.js";
import { functionEnvironment, type FunctionEnvInputs } from "../src/emulator/targets/function-env.js";

const IDP: IdpFields = {
  Issuer: "http://127.0.0.1:4001",
  AuthorizationEndpoint: "http://127.0.0.1:4001/auth",
  TokenEndpoint: "http://127.0.0.1:4001/token",
  UserInfoEndpoint: "http://127.0.0.1:4001/me",
  ClientId: "alb-oidc-local",
  ClientSecret: "s3cret",
};
const MACHINE = { Issuer: "http://127.0.0.1:4001", JwksEndpoint: "http://127.0.0.1:4001/jwks" };
const URL_ = "http://localhost:4000";
const KEYS = "http://127.0.0.1:4002";

function inputs(config: EmulatorConfig, more: Partial<FunctionEnvInputs> = {}): FunctionEnvInputs {
  return { extra: undefined, config, keyEndpoint: KEYS, url: URL_, embeddedIssuer: IDP.Issuer, ...more };
}

describe("functionEnvironment", () => {
  const plain = resolveConfig({}, IDP);

  it("gives the ALB's signer, issuer, client, key endpoint and session cookie, nothing else", () => {
    expect(functionEnvironment(inputs(plain))).toEqual({
      LOAD_BALANCER_ARN: plain.LoadBalancerArn,
      ISSUER: IDP.Issuer,
      CLIENT_ID: "alb-oidc-local",
      ALB_PUBLIC_KEY_ENDPOINT: KEYS,
      SESSION_COOKIE_NAME: plain.SessionCookieName,
    });
  });

  it("keeps the user's variables, drops undefined ones, and lets the emulator's own win", () => {
    const env = functionEnvironment(
      inputs(plain, { extra: { ALLOWED_EMAIL_DOMAINS: "example.com", ISSUER: "https://evil", GONE: undefined } }),
    );
    expect(env.ALLOWED_EMAIL_DOMAINS).toBe("example.com");
    expect(env.ISSUER).toBe(IDP.Issuer);
    expect("GONE" in env).toBe(false);
  });

  it("adds the machine-route variables, and the embedded provider's audience (the emulator's URL)", () => {
    const config = resolveConfig({ JwtValidation: { PathPrefixes: ["/api/", "/internal/"] } }, IDP, MACHINE);
    expect(functionEnvironment(inputs(config))).toMatchObject({
      M2M_PATH_PREFIXES: "/api/,/internal/",
      M2M_ISSUER: MACHINE.Issuer,
      M2M_JWKS_URI: MACHINE.JwksEndpoint,
      M2M_AUDIENCE: `${URL_}/`,
    });
  });

  it("leaves the audience to the user for another issuer, or when the user set it", () => {
    const other = resolveConfig(
      { JwtValidation: { PathPrefixes: ["/api/"], Issuer: "https://auth.example.com", JwksEndpoint: "https://auth.example.com/jwks" } },
      IDP,
    );
    expect("M2M_AUDIENCE" in functionEnvironment(inputs(other))).toBe(false);
    const embedded = resolveConfig({ JwtValidation: { PathPrefixes: ["/api/"] } }, IDP, MACHINE);
    expect(functionEnvironment(inputs(embedded, { extra: { M2M_AUDIENCE: "none" } })).M2M_AUDIENCE).toBe("none");
    expect("M2M_AUDIENCE" in functionEnvironment(inputs(embedded, { embeddedIssuer: undefined }))).toBe(false);
  });

  it("sets the logout URL from EndSessionEndpoint and the return URL to the emulator, unless the user gave them", () => {
    const config = resolveConfig({}, { ...IDP, EndSessionEndpoint: "http://127.0.0.1:4001/session/end" });
    expect(functionEnvironment(inputs(config))).toMatchObject({
      IDP_LOGOUT_URL: "http://127.0.0.1:4001/session/end",
      POST_LOGOUT_REDIRECT_URI: `${URL_}/`,
    });
    const own = functionEnvironment(inputs(config, { extra: { POST_LOGOUT_REDIRECT_URI: "https://app.example.com/bye" } }));
    expect(own.POST_LOGOUT_REDIRECT_URI).toBe("https://app.example.com/bye");
    const noLogout = functionEnvironment(inputs(config, { extra: { IDP_LOGOUT_URL: "https://idp.example.com/logout" } }));
    expect(noLogout.IDP_LOGOUT_URL).toBe("https://idp.example.com/logout");
    expect("POST_LOGOUT_REDIRECT_URI" in noLogout).toBe(false);
    expect("IDP_LOGOUT_URL" in functionEnvironment(inputs(plain))).toBe(false);
  });

  it("does not change its inputs", () => {
    const extra = { A: "1" };
    functionEnvironment(inputs(plain, { extra }));
    expect(extra).toEqual({ A: "1" });
  });
});
