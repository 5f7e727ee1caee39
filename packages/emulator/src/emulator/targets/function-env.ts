// The environment the emulator gives the function: the user's extra variables, then the emulator's own, which win (a pure function of the configuration in force).
import type { Env } from "../../env.js";
import type { EmulatorConfig } from "../listener/config-file.js";

export interface FunctionEnvInputs {
  /** The user's extra variables (authorization rules, ...); an undefined value is left out. */
  readonly extra: Env | undefined;
  /** The configuration in force (the first authenticate-oidc action's, plus the JwtValidation block). */
  readonly config: EmulatorConfig;
  /** The emulator's ALB key endpoint (ALB_PUBLIC_KEY_ENDPOINT). */
  readonly keyEndpoint: string;
  /** The emulator's own URL, http://localhost:<port>. */
  readonly url: string;
  /** The embedded provider's issuer, when it runs. */
  readonly embeddedIssuer: string | undefined;
}

/**
 * The function's variables: the ALB's signer, issuer, client and key endpoint, the session cookie,
 * the machine-route variables when a jwt-validation rule applies, and the logout URL the IdP offers.
 * @example const env = functionEnvironment({ extra: {}, config, keyEndpoint: ks.url, url: "http://localhost:3000", embeddedIssuer: idp?.issuer });
 */
export function functionEnvironment(i: FunctionEnvInputs): Record<string, string> {
  const { config, url } = i;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(i.extra ?? {})) if (v !== undefined) env[k] = v;
  const audience = env.M2M_AUDIENCE;
  Object.assign(env, {
    LOAD_BALANCER_ARN: config.LoadBalancerArn,
    ISSUER: config.Issuer,
    CLIENT_ID: config.ClientId,
    ALB_PUBLIC_KEY_ENDPOINT: i.keyEndpoint,
    SESSION_COOKIE_NAME: config.SessionCookieName,
  });
  // The function re-verifies what the rule let through (defence in depth), against the same issuer and JWKS.
  if (config.JwtValidation) {
    Object.assign(env, {
      M2M_PATH_PREFIXES: config.JwtValidation.PathPrefixes.join(","),
      M2M_ISSUER: config.JwtValidation.Issuer,
      M2M_JWKS_URI: config.JwtValidation.JwksEndpoint,
    });
    // The embedded provider's machine tokens are for the emulator's URL (their aud); another IdP's audience is the user's to say.
    if (audience === undefined && i.embeddedIssuer !== undefined && config.JwtValidation.Issuer === i.embeddedIssuer)
      env.M2M_AUDIENCE = `${url}/`;
  }
  if (config.EndSessionEndpoint && env.IDP_LOGOUT_URL === undefined) {
    env.IDP_LOGOUT_URL = config.EndSessionEndpoint;
    if (!("POST_LOGOUT_REDIRECT_URI" in env)) env.POST_LOGOUT_REDIRECT_URI = `${url}/`;
  }
  return env;
}
