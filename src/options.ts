// Programmatic options of withAlbAuth / createAlbAuth: each one stands for an environment variable, wins over it, and a bad one fails naming the option.
import { assertOneOf, type Fail } from "../infra/lib/config-assert.mjs";
import { loadConfig, type ClaimValue, type Config, type Env } from "./config.js";
import { ConfigError } from "./errors.js";
import { isPlainObject } from "./guards.js";

/**
 * Every setting of the function, as typed options. Each one left out falls back to its environment
 * variable (read once, when withAlbAuth or createAlbAuth runs); security checks are never switched
 * off by leaving something out.
 * @example withAlbAuth(app, { issuer: "https://access.line.me", clientId: "1234567890", machine: { pathPrefixes: ["/api/"], issuer: "https://auth.example.com", jwksUri: "https://auth.example.com/jwks.json", audience: null } })
 */
export interface AlbAuthOptions {
  /** LOAD_BALANCER_ARN: the ARN(s) of the load balancer(s) whose signature is accepted. */
  readonly loadBalancerArn?: string | readonly string[];
  /** ISSUER: the IdP issuer exactly as configured on the ALB. */
  readonly issuer?: string;
  /** CLIENT_ID: the OIDC client id(s) configured on the ALB. */
  readonly clientId?: string | readonly string[];
  /** ALB_PUBLIC_KEY_ENDPOINT: the key endpoint (default: the region's public-keys.auth.elb). */
  readonly publicKeyEndpoint?: string;
  /** KEY_FETCH_TIMEOUT_MS: budget of one key fetch with its retry (50 to 30000, default 1500). */
  readonly keyFetchTimeoutMs?: number;
  /** VERIFIED_TOKEN_CACHE: remember accepted ALB tokens until their exp (default true). */
  readonly verifiedTokenCache?: boolean;
  /** ALLOW_UNVERIFIED_EMAIL: accept users whose `email_verified` is false (default false). */
  readonly allowUnverifiedEmail?: boolean;
  /** ALLOWED_EMAIL_DOMAINS: users must have an email in one of these domains. */
  readonly allowedEmailDomains?: readonly string[];
  /** REQUIRED_USER_CLAIMS: claim -> accepted value(s); a user must satisfy every entry. */
  readonly requiredUserClaims?: Readonly<Record<string, ClaimValue | readonly ClaimValue[]>>;
  /** HEALTH_CHECK_PATH (default /health). */
  readonly healthCheckPath?: string;
  readonly logout?: {
    /** LOGOUT_PATH (default /logout). */
    readonly path?: string;
    /** SESSION_COOKIE_NAME (default AWSELBAuthSessionCookie). */
    readonly sessionCookieName?: string;
    /** IDP_LOGOUT_URL: the IdP's end-session endpoint. */
    readonly idpLogoutUrl?: string;
    /** POST_LOGOUT_REDIRECT_URI. */
    readonly postLogoutRedirectUri?: string;
  };
  /** Machine routes (bearer tokens from the ALB's jwt-validation action). */
  readonly machine?: {
    /** M2M_PATH_PREFIXES: paths under which requests are machine requests. */
    readonly pathPrefixes?: readonly string[];
    /** M2M_PATHS_CASE_SENSITIVE: compare paths with the prefixes case-sensitively (default false: `/API/` is `/api/`). */
    readonly caseSensitivePaths?: boolean;
    /** M2M_ISSUER. */
    readonly issuer?: string;
    /** M2M_JWKS_URI. */
    readonly jwksUri?: string;
    /** M2M_AUDIENCE: accepted `aud` values; `null` says explicitly that `aud` is not checked (the variable's `none`). */
    readonly audience?: string | readonly string[] | null;
    /** M2M_REQUIRED_SCOPES: scopes every machine token must have. */
    readonly requiredScopes?: readonly string[];
    /** M2M_ALGORITHMS (default RS256). */
    readonly algorithms?: readonly string[];
  };
  /** The environment to read the variables from (default `process.env`). */
  readonly env?: Env;
  /** Where log lines go (default stdout, one JSON object a line). */
  readonly writeLog?: (line: string) => void;
  /** Answer a browser's 403 with a small page linking to the logout path (default false: JSON). */
  readonly forbiddenPage?: boolean;
}

/** Option path -> the variable it stands for. */
type Serialized = Map<string, { option: string; value: string }>;

/** A config error about an option: same class and shape as the variable's, naming the option instead. */
function optionError(option: string, problem: string): ConfigError {
  const err = new ConfigError(option, problem, "");
  err.message = `${option} ${problem}`;
  return err;
}

/** The shared asserts' way to fail for an option. */
const optionFail: Fail = (option, problem) => {
  throw optionError(option, problem);
};

function text(out: Serialized, variable: string, option: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== "string") throw optionError(option, `must be a string, got ${typeof value}`);
  if (value.trim() === "") throw optionError(option, "must not be empty");
  out.set(variable, { option, value });
}

function list(out: Serialized, variable: string, option: string, value: unknown, separator: "," | " "): void {
  if (value === undefined) return;
  const items: unknown[] = typeof value === "string" ? [value] : Array.isArray(value) ? value : [value];
  if (items.length === 0) throw optionError(option, "must hold at least one value");
  for (const item of items) {
    if (typeof item !== "string" || item.trim() === "")
      throw optionError(option, `must hold non-empty strings, got ${JSON.stringify(item)}`);
    if (item.includes(separator)) throw optionError(option, `must hold one value per entry, got "${item}"`);
  }
  out.set(variable, { option, value: items.join(separator) });
}

function flag(out: Serialized, variable: string, option: string, value: unknown, on: string, off: string): void {
  if (value === undefined) return;
  out.set(variable, { option, value: assertOneOf(optionFail, option, value, [true, false]) ? on : off });
}

function object(option: string, value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) throw optionError(option, "must be an object");
  return value;
}

function serialize(o: AlbAuthOptions): Serialized {
  const out: Serialized = new Map();
  list(out, "LOAD_BALANCER_ARN", "loadBalancerArn", o.loadBalancerArn, ",");
  text(out, "ISSUER", "issuer", o.issuer);
  list(out, "CLIENT_ID", "clientId", o.clientId, ",");
  text(out, "ALB_PUBLIC_KEY_ENDPOINT", "publicKeyEndpoint", o.publicKeyEndpoint);
  if (o.keyFetchTimeoutMs !== undefined) {
    if (typeof o.keyFetchTimeoutMs !== "number") throw optionError("keyFetchTimeoutMs", "must be a number");
    out.set("KEY_FETCH_TIMEOUT_MS", { option: "keyFetchTimeoutMs", value: String(o.keyFetchTimeoutMs) });
  }
  flag(out, "VERIFIED_TOKEN_CACHE", "verifiedTokenCache", o.verifiedTokenCache, "on", "off");
  flag(out, "ALLOW_UNVERIFIED_EMAIL", "allowUnverifiedEmail", o.allowUnverifiedEmail, "true", "false");
  list(out, "ALLOWED_EMAIL_DOMAINS", "allowedEmailDomains", o.allowedEmailDomains, ",");
  if (o.requiredUserClaims !== undefined) {
    out.set("REQUIRED_USER_CLAIMS", {
      option: "requiredUserClaims",
      value: JSON.stringify(object("requiredUserClaims", o.requiredUserClaims)),
    });
  }
  text(out, "HEALTH_CHECK_PATH", "healthCheckPath", o.healthCheckPath);
  const logout = object("logout", o.logout);
  text(out, "LOGOUT_PATH", "logout.path", logout.path);
  text(out, "SESSION_COOKIE_NAME", "logout.sessionCookieName", logout.sessionCookieName);
  text(out, "IDP_LOGOUT_URL", "logout.idpLogoutUrl", logout.idpLogoutUrl);
  text(out, "POST_LOGOUT_REDIRECT_URI", "logout.postLogoutRedirectUri", logout.postLogoutRedirectUri);
  const machine = object("machine", o.machine);
  list(out, "M2M_PATH_PREFIXES", "machine.pathPrefixes", machine.pathPrefixes, ",");
  flag(out, "M2M_PATHS_CASE_SENSITIVE", "machine.caseSensitivePaths", machine.caseSensitivePaths, "true", "false");
  text(out, "M2M_ISSUER", "machine.issuer", machine.issuer);
  text(out, "M2M_JWKS_URI", "machine.jwksUri", machine.jwksUri);
  if (machine.audience === null) out.set("M2M_AUDIENCE", { option: "machine.audience", value: "none" });
  else list(out, "M2M_AUDIENCE", "machine.audience", machine.audience, ",");
  list(out, "M2M_REQUIRED_SCOPES", "machine.requiredScopes", machine.requiredScopes, " ");
  list(out, "M2M_ALGORITHMS", "machine.algorithms", machine.algorithms, ",");
  return out;
}

/**
 * The configuration from options over the environment: one validation for both, so an option
 * means exactly what its variable means. An error about a value that came from an option names
 * the option (`issuer must use https://...`), one from the environment names the variable.
 * @throws ConfigError
 * @example resolveConfig({ issuer: "https://idp.example.com" }, process.env)
 */
export function resolveConfig(options: AlbAuthOptions, env: Env): Config {
  const serialized = serialize(options);
  const merged: Record<string, string | undefined> = { ...env };
  for (const [variable, { value }] of serialized) merged[variable] = value;
  try {
    return loadConfig(merged);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    let message = err.message;
    let named: string | undefined;
    for (const [variable, { option }] of serialized) {
      const name = new RegExp(`\\b${variable}\\b`, "g");
      if (!name.test(message)) continue;
      message = message.replace(name, option);
      if (variable === err.variable) named = option;
    }
    if (named === undefined && message === err.message) throw err;
    const e = optionError(named ?? err.variable, "");
    e.message = message;
    throw e;
  }
}
