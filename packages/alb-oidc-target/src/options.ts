// Programmatic options of withAlbAuth / createAlbAuth: each one stands for an environment variable, wins over it, and a bad one fails naming the option.
import { assertOneOf, reject, type Fail } from "./rules/config-assert.js";
import { configFrom, readEnv, settle, type ClaimValue, type Config, type Env, type Setting, type Settings } from "./config.js";
import { ConfigError } from "./errors.js";
import { isPlainObject } from "./guards.js";
import type { Logger } from "./log.js";

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
  /** Where our log lines go, as text (default stdout, one JSON object a line). Not with `logger`. */
  readonly writeLog?: (line: string) => void;
  /**
   * Your logger instead of our stdout line: any object with `info(message, fields)` and
   * `error(message, fields)`, such as Powertools' `Logger` or `console`. Each request is one call,
   * message "request", with the request line's fields (requestId, method, path, route, status, error,
   * reason, durationMs); tokens, cookies and secrets never reach it. Not with `writeLog`.
   * @example withAlbAuth(app, { logger: new Logger({ serviceName: "notes" }) }) // @aws-lambda-powertools/logger
   */
  readonly logger?: Logger;
  /** Answer a browser's 403 with a small page linking to the logout path (default false: JSON). */
  readonly forbiddenPage?: boolean;
}

/** How an option fails: a ConfigError naming it, quoting the value, without a variable's example. */
const optionFail: Fail = (option, problem) => {
  throw new ConfigError(option, problem);
};

/** An option given (undefined: left out, so its variable is read), read by `parse`; what is wrong with it is kept for validation. */
function option<T>(name: string, value: unknown, parse: (value: unknown) => T): Setting<T> | undefined {
  return value === undefined ? undefined : settle(name, true, () => parse(value));
}

function text(name: string, value: unknown): Setting<string> | undefined {
  return option(name, value, (v) => {
    if (typeof v !== "string") return optionFail(name, `must be a string, got ${typeof v}`);
    if (v.trim() === "") optionFail(name, "must not be empty");
    return v.trim();
  });
}

/** A list given as one string or an array of them: one value per entry, as the variable's separator would split them. */
function parseList(name: string, value: unknown, separator: RegExp): string[] {
  const items: unknown[] = Array.isArray(value) ? value : [value];
  if (items.length === 0) optionFail(name, "must hold at least one value");
  return items.map((item) => {
    if (typeof item !== "string" || item.trim() === "") return reject(optionFail, name, "must hold non-empty strings", item);
    if (separator.test(item)) reject(optionFail, name, "must hold one value per entry", item);
    return item.trim();
  });
}

function list(name: string, value: unknown, separator = /,/): Setting<readonly string[]> | undefined {
  return option(name, value, (v) => parseList(name, v, separator));
}

function flag(name: string, value: unknown): Setting<boolean> | undefined {
  return option(name, value, (v) => assertOneOf(optionFail, name, v, [true, false]));
}

/** A group of options (`logout`, `machine`): an object, or left out. */
function group(name: string, value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) return reject(optionFail, name, "must be an object", value);
  return value;
}

/** The settings the options give, each named after its option; the ones left out are not here. */
function readOptions(o: AlbAuthOptions): Partial<Settings> {
  const logout = group("logout", o.logout);
  const machine = group("machine", o.machine);
  const settings: { readonly [K in keyof Settings]: Settings[K] | undefined } = {
    LOAD_BALANCER_ARN: list("loadBalancerArn", o.loadBalancerArn),
    ISSUER: text("issuer", o.issuer),
    CLIENT_ID: list("clientId", o.clientId),
    ALB_PUBLIC_KEY_ENDPOINT: text("publicKeyEndpoint", o.publicKeyEndpoint),
    KEY_FETCH_TIMEOUT_MS: option("keyFetchTimeoutMs", o.keyFetchTimeoutMs, (v) =>
      typeof v === "number" ? v : reject(optionFail, "keyFetchTimeoutMs", "must be a number", v),
    ),
    VERIFIED_TOKEN_CACHE: flag("verifiedTokenCache", o.verifiedTokenCache),
    ALLOW_UNVERIFIED_EMAIL: flag("allowUnverifiedEmail", o.allowUnverifiedEmail),
    ALLOWED_EMAIL_DOMAINS: list("allowedEmailDomains", o.allowedEmailDomains),
    REQUIRED_USER_CLAIMS: option("requiredUserClaims", o.requiredUserClaims, (v) =>
      isPlainObject(v) ? v : reject(optionFail, "requiredUserClaims", "must be an object", v),
    ),
    HEALTH_CHECK_PATH: text("healthCheckPath", o.healthCheckPath),
    LOGOUT_PATH: text("logout.path", logout.path),
    SESSION_COOKIE_NAME: text("logout.sessionCookieName", logout.sessionCookieName),
    IDP_LOGOUT_URL: text("logout.idpLogoutUrl", logout.idpLogoutUrl),
    POST_LOGOUT_REDIRECT_URI: text("logout.postLogoutRedirectUri", logout.postLogoutRedirectUri),
    M2M_PATH_PREFIXES: list("machine.pathPrefixes", machine.pathPrefixes),
    M2M_PATHS_CASE_SENSITIVE: flag("machine.caseSensitivePaths", machine.caseSensitivePaths),
    M2M_ISSUER: text("machine.issuer", machine.issuer),
    M2M_JWKS_URI: text("machine.jwksUri", machine.jwksUri),
    // null is the explicit "no aud check" (the variable's `none`); "none" in a list is no audience anyone means.
    M2M_AUDIENCE:
      machine.audience === null
        ? { name: "machine.audience", fromOption: true, value: null }
        : option("machine.audience", machine.audience, (v) => {
            const audience = parseList("machine.audience", v, /,/);
            if (audience.includes("none"))
              reject(optionFail, "machine.audience", 'must be null (no aud check) or a list of audiences other than "none"', v);
            return audience;
          }),
    M2M_REQUIRED_SCOPES: list("machine.requiredScopes", machine.requiredScopes, /\s/),
    M2M_ALGORITHMS: list("machine.algorithms", machine.algorithms),
  };
  // Left out: the variable is read instead.
  return Object.fromEntries(Object.entries(settings).filter(([, setting]) => setting !== undefined));
}

/**
 * The configuration from options over the environment: each setting is read from its option, or
 * when that is left out from its variable, then all are validated once, so an option means exactly
 * what its variable means. An error names where the bad value came from: the option
 * (`issuer must use https://...`) or the variable.
 * @throws ConfigError
 * @example resolveConfig({ issuer: "https://idp.example.com" }, process.env)
 */
export function resolveConfig(options: AlbAuthOptions, env: Env): Config {
  return configFrom({ ...readEnv(env), ...readOptions(options) });
}
