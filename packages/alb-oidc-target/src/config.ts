// Environment (and withAlbAuth's options) -> typed, validated configuration, read once per cold start; every error names the variable or option.
import { ConfigError } from "./errors.js";
import {
  assertEach,
  assertIntegerInRange,
  assertMatches,
  assertOneOf,
  assertRequired,
  assertUrl,
  reject,
  splitList,
  type Fail,
} from "./rules/config-assert.js";
import { LOOPBACK_HOSTS, isPlainObject } from "./guards.js";

export interface Config {
  /** Load balancer ARNs whose signature (`signer` header field) we accept. */
  readonly albArns: readonly string[];
  /** The IdP issuer exactly as configured on the ALB. */
  readonly issuer: string;
  /** OIDC client ids configured on the ALB (`client` header field). */
  readonly clientIds: readonly string[];
  /** Base URL of the ALB public-key endpoint, without a trailing slash. */
  readonly keyEndpoint: string;
  /** Budget for one key fetch, including its one retry. */
  readonly keyFetchTimeoutMs: number;
  /** Remember accepted ALB tokens until their exp (VERIFIED_TOKEN_CACHE, `on` by default). */
  readonly verifiedTokenCache: boolean;
  /** Machine-to-machine routes (bearer tokens); undefined when M2M_PATH_PREFIXES is unset. */
  readonly machine: MachineConfig | undefined;
  /** Rules an authenticated user must also satisfy; empty rules allow every user. */
  readonly userRules: UserRules;
  /** Path answered to the ALB health checker without authentication. */
  readonly healthCheckPath: string;
  readonly logout: LogoutConfig;
}

/** Bearer-token verification for requests under the machine path prefixes. */
export interface MachineConfig {
  readonly pathPrefixes: readonly string[];
  /** Compare paths with the prefixes case-sensitively (M2M_PATHS_CASE_SENSITIVE=true); by default `/API/` is `/api/`. */
  readonly caseSensitivePaths: boolean;
  readonly issuer: string;
  readonly jwksUri: string;
  /** Accepted `aud` values (one must match); null: `aud` is not checked. */
  readonly audience: readonly string[] | null;
  /** Scopes that must all be in the token's `scope`. */
  readonly requiredScopes: readonly string[];
  /** Accepted `alg` values of the token header. */
  readonly algorithms: readonly string[];
}

/** A claim's accepted values (scalars compared with ===). */
export type ClaimValue = string | number | boolean;

export interface UserRules {
  /** Lower-case domains; empty: any email (or none) is fine. */
  readonly allowedEmailDomains: readonly string[];
  /**
   * With allowed domains, accept an email the IdP does not say it verified (ALLOW_UNVERIFIED_EMAIL=true).
   * Off by default: absent means `email_verified` must be `true` (or "true").
   */
  readonly allowUnverifiedEmail?: boolean;
  /** Claim -> accepted values; a user must satisfy every entry. */
  readonly requiredClaims: Readonly<Record<string, readonly ClaimValue[]>>;
}

export interface LogoutConfig {
  readonly path: string;
  /** The ALB session cookie name; its shards are `<name>-0` to `<name>-3`. */
  readonly cookieName: string;
  /** The IdP end-session endpoint to redirect to; undefined: answer 200 JSON. */
  readonly idpLogoutUrl: string | undefined;
  readonly postLogoutRedirectUri: string | undefined;
  /** Sent as `client_id` with the post-logout redirect (OIDC RP-initiated logout wants it without an id_token_hint). */
  readonly clientId: string | undefined;
}

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * One setting as read from its environment variable or from its option, before validation: the
 * value in the setting's type (undefined when neither gave one), or the error about what was written
 * (raised when validation reaches the setting, so a variable an option overrides is never judged).
 */
export interface Setting<T> {
  /** What an error about the setting names: the option's path (`machine.issuer`) when an option gave it, else the variable. */
  readonly name: string;
  /** An option gave it: its errors show no `VARIABLE=example`. */
  readonly fromOption: boolean;
  readonly value?: T | undefined;
  readonly error?: ConfigError;
}

/** Every setting of the function, keyed by its environment variable. */
export interface Settings {
  readonly LOAD_BALANCER_ARN: Setting<readonly string[]>;
  readonly ISSUER: Setting<string>;
  readonly CLIENT_ID: Setting<readonly string[]>;
  readonly ALB_PUBLIC_KEY_ENDPOINT: Setting<string>;
  /** The variable's text, or the option's number: validated as a whole number either way, quoting what was written. */
  readonly KEY_FETCH_TIMEOUT_MS: Setting<string | number>;
  readonly VERIFIED_TOKEN_CACHE: Setting<boolean>;
  readonly ALLOW_UNVERIFIED_EMAIL: Setting<boolean>;
  readonly ALLOWED_EMAIL_DOMAINS: Setting<readonly string[]>;
  /** The variable's JSON, parsed, or the option's object: validated as claim -> value(s) either way. */
  readonly REQUIRED_USER_CLAIMS: Setting<unknown>;
  readonly HEALTH_CHECK_PATH: Setting<string>;
  readonly LOGOUT_PATH: Setting<string>;
  readonly SESSION_COOKIE_NAME: Setting<string>;
  readonly IDP_LOGOUT_URL: Setting<string>;
  readonly POST_LOGOUT_REDIRECT_URI: Setting<string>;
  readonly M2M_PATH_PREFIXES: Setting<readonly string[]>;
  readonly M2M_PATHS_CASE_SENSITIVE: Setting<boolean>;
  readonly M2M_ISSUER: Setting<string>;
  readonly M2M_JWKS_URI: Setting<string>;
  /** null: `aud` is not checked, on purpose (the variable's `none`, the option's null). */
  readonly M2M_AUDIENCE: Setting<readonly string[] | null>;
  readonly M2M_REQUIRED_SCOPES: Setting<readonly string[]>;
  readonly M2M_ALGORITHMS: Setting<readonly string[]>;
}

/**
 * A setting read by `read`, or the ConfigError it raised, kept for validation to raise in its turn.
 * @example settle("ISSUER", false, () => env.ISSUER?.trim() || undefined)
 */
export function settle<T>(name: string, fromOption: boolean, read: () => T | undefined): Setting<T> {
  try {
    return { name, fromOption, value: read() };
  } catch (err) {
    if (err instanceof ConfigError) return { name, fromOption, error: err };
    throw err;
  }
}

const ARN_EXAMPLE = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/my-alb/50dc6c495c0c9188";
const CLAIMS_EXAMPLE = '{"groups":["admins","staff"],"email_verified":true}';
const AUDIENCE_EXAMPLE = "https://api.example.com";

/** Fails as a ConfigError for an environment variable, showing `example` as a valid value. */
function failWith(example: string): Fail {
  return (name, problem) => {
    throw new ConfigError(name, problem, example);
  };
}

/** Reads a variable: blank is absent; `parse` turns the trimmed text into the setting's type. */
function fromEnv<T>(env: Env, name: keyof Settings, parse: (text: string) => T): Setting<T> {
  const text = env[name]?.trim();
  return settle(name, false, () => (text ? parse(text) : undefined));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ConfigError(
      "REQUIRED_USER_CLAIMS",
      "must be a JSON object of claim -> value or list of values, got invalid JSON",
      CLAIMS_EXAMPLE,
    );
  }
}

/**
 * The settings as the environment gives them (comma-separated lists, `on`/`off`, `true`/`false`,
 * JSON, `none`); nothing is judged yet but how they are written.
 * @example configFrom(readEnv(process.env))
 */
export function readEnv(env: Env): Settings {
  const text = (name: keyof Settings) => fromEnv(env, name, (t) => t);
  const list = (name: keyof Settings) => fromEnv(env, name, splitList);
  const flag = (name: keyof Settings, on: string, off: string, example: string) =>
    fromEnv(env, name, (t) => assertOneOf(failWith(example), name, t, [on, off]) === on);
  return {
    LOAD_BALANCER_ARN: list("LOAD_BALANCER_ARN"),
    ISSUER: text("ISSUER"),
    CLIENT_ID: list("CLIENT_ID"),
    ALB_PUBLIC_KEY_ENDPOINT: text("ALB_PUBLIC_KEY_ENDPOINT"),
    KEY_FETCH_TIMEOUT_MS: text("KEY_FETCH_TIMEOUT_MS"),
    VERIFIED_TOKEN_CACHE: flag("VERIFIED_TOKEN_CACHE", "on", "off", "off"),
    ALLOW_UNVERIFIED_EMAIL: flag("ALLOW_UNVERIFIED_EMAIL", "true", "false", "true"),
    ALLOWED_EMAIL_DOMAINS: list("ALLOWED_EMAIL_DOMAINS"),
    REQUIRED_USER_CLAIMS: fromEnv(env, "REQUIRED_USER_CLAIMS", parseJson),
    HEALTH_CHECK_PATH: text("HEALTH_CHECK_PATH"),
    LOGOUT_PATH: text("LOGOUT_PATH"),
    SESSION_COOKIE_NAME: text("SESSION_COOKIE_NAME"),
    IDP_LOGOUT_URL: text("IDP_LOGOUT_URL"),
    POST_LOGOUT_REDIRECT_URI: text("POST_LOGOUT_REDIRECT_URI"),
    M2M_PATH_PREFIXES: list("M2M_PATH_PREFIXES"),
    M2M_PATHS_CASE_SENSITIVE: flag("M2M_PATHS_CASE_SENSITIVE", "true", "false", "true"),
    M2M_ISSUER: text("M2M_ISSUER"),
    M2M_JWKS_URI: text("M2M_JWKS_URI"),
    M2M_AUDIENCE: fromEnv(env, "M2M_AUDIENCE", (t) => {
      if (t === "none") return null;
      const audience = splitList(t);
      if (audience.includes("none")) {
        throw new ConfigError("M2M_AUDIENCE", `must be "none" alone or a list of audiences, got "${t}"`, AUDIENCE_EXAMPLE);
      }
      return audience;
    }),
    M2M_REQUIRED_SCOPES: fromEnv(env, "M2M_REQUIRED_SCOPES", (t) => t.split(/\s+/).filter((scope) => scope.length > 0)),
    M2M_ALGORITHMS: list("M2M_ALGORITHMS"),
  };
}

/** "127.0.0.1, localhost or [::1]", as the https message lists the loopback hosts. */
const LOOPBACK_HOSTS_TEXT = `${LOOPBACK_HOSTS.slice(0, -1).join(", ")} or ${LOOPBACK_HOSTS[LOOPBACK_HOSTS.length - 1] ?? ""}`;
const ALB_ARN =
  /^arn:(aws|aws-cn|aws-us-gov):elasticloadbalancing:([a-z]{2}(?:-gov)?-[a-z]+-\d):(\d{12}):loadbalancer\/app\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/;

/** GovCloud regions serve ALB public keys from S3, not from public-keys.auth.elb. */
const GOVCLOUD_KEY_ENDPOINTS: Readonly<Record<string, string>> = {
  "us-gov-west-1": "https://s3-us-gov-west-1.amazonaws.com/aws-elb-public-keys-prod-us-gov-west-1",
  "us-gov-east-1": "https://s3-us-gov-east-1.amazonaws.com/aws-elb-public-keys-prod-us-gov-east-1",
};

/** Fails as a ConfigError naming the setting; one from the environment shows `example` as a valid value. */
function failFor(setting: Setting<unknown>, example: string): Fail {
  return (name, problem) => {
    throw new ConfigError(name, problem, setting.fromOption ? undefined : example);
  };
}

/** The setting's value (undefined when not given), or the error about what was written. */
function given<T>(setting: Setting<T>): T | undefined {
  if (setting.error) throw setting.error;
  return setting.value;
}

/** A required setting: absent or blank is a ConfigError that names it. */
function required<T>(setting: Setting<T>, meaning: string, example: string): T {
  return assertRequired(failFor(setting, example), setting.name, given(setting), `is required: ${meaning}`);
}

/** A required list: absent or empty (a variable of only commas) is "is required". */
function requiredList(setting: Setting<readonly string[]>, meaning: string, example: string): readonly string[] {
  const list = required(setting, meaning, example);
  if (list.length === 0) failFor(setting, example)(setting.name, `is required: ${meaning}`);
  return list;
}

/**
 * Checks that a URL is https, or http to a loopback host (local runs and tests),
 * and returns it without a trailing slash.
 */
function secureUrl(setting: Setting<unknown>, value: string, example: string): string {
  const fail = failFor(setting, example);
  const url = assertUrl(fail, setting.name, value, "must be an absolute URL");
  const loopbackHttp = url.protocol === "http:" && LOOPBACK_HOSTS.includes(url.hostname);
  if (url.protocol !== "https:" && !loopbackHttp) {
    reject(fail, setting.name, `must use https:// (http:// only to ${LOOPBACK_HOSTS_TEXT})`, value);
  }
  if (url.search || url.hash) reject(fail, setting.name, "must not have a query or fragment", value);
  return value.replace(/\/+$/, "");
}

function parseAlbArns(setting: Setting<readonly string[]>): { arns: readonly string[]; partition: string; region: string } {
  const arns = requiredList(setting, "the ARN of the load balancer that signs x-amzn-oidc-data", ARN_EXAMPLE);
  const fail: Fail = failFor(setting, ARN_EXAMPLE);
  let partition = "";
  let region = "";
  for (const arn of arns) {
    const m = ALB_ARN.exec(arn);
    if (!m) fail(setting.name, `must hold Application Load Balancer ARNs, got "${arn}"`);
    if (region && (m[2] !== region || m[1] !== partition)) {
      fail(setting.name, `must name load balancers of one region (they share one key endpoint), got ${region} and ${m[2]}`);
    }
    partition = m[1] ?? "";
    region = m[2] ?? "";
  }
  return { arns, partition, region };
}

function defaultKeyEndpoint(setting: Setting<string>, partition: string, region: string): string {
  if (partition === "aws-us-gov") {
    const endpoint = GOVCLOUD_KEY_ENDPOINTS[region];
    if (endpoint) return endpoint;
  }
  if (partition === "aws") return `https://public-keys.auth.elb.${region}.amazonaws.com`;
  // No AWS source states the endpoint for other partitions: make the operator say it.
  return failFor(setting, "https://public-keys.auth.elb.<region>.<domain>")(
    setting.name,
    `is required for load balancers in ${partition} ${region} (no default is documented there)`,
  );
}

/** KEY_FETCH_TIMEOUT_MS: 1.5 s leaves a 3 s Lambda time to answer 503; below 50 ms no fetch succeeds. */
const KEY_FETCH_TIMEOUT_MS = { fallback: 1500, min: 50, max: 30_000 } as const;

/**
 * Builds the validated configuration from the environment.
 * @throws ConfigError naming the first bad variable, with an example of a valid value.
 * @example const config = loadConfig(process.env);
 */
export function loadConfig(env: Env): Config {
  return configFrom(readEnv(env));
}

/**
 * Validates settings, from the environment and options alike, into the configuration: the one
 * validation of both, so an option means exactly what its variable means.
 * @throws ConfigError naming the first bad setting (the option or the variable it came from).
 * @example configFrom({ ...readEnv(process.env), ...settingsFromOptions }) // what resolveConfig does
 */
export function configFrom(s: Settings): Config {
  const { arns, partition, region } = parseAlbArns(s.LOAD_BALANCER_ARN);
  const issuer = required(s.ISSUER, "the IdP issuer exactly as configured on the ALB", "https://access.line.me");
  secureUrl(s.ISSUER, issuer, "https://access.line.me");
  const clientIds = requiredList(s.CLIENT_ID, "the OIDC client id configured on the ALB", "1234567890");
  const endpoint = given(s.ALB_PUBLIC_KEY_ENDPOINT);
  const keyEndpoint =
    endpoint === undefined
      ? defaultKeyEndpoint(s.ALB_PUBLIC_KEY_ENDPOINT, partition, region)
      : secureUrl(s.ALB_PUBLIC_KEY_ENDPOINT, endpoint, `https://public-keys.auth.elb.${region}.amazonaws.com`);
  const timeout = given(s.KEY_FETCH_TIMEOUT_MS);
  const keyFetchTimeoutMs =
    timeout === undefined
      ? KEY_FETCH_TIMEOUT_MS.fallback
      : assertIntegerInRange(
          failFor(s.KEY_FETCH_TIMEOUT_MS, String(KEY_FETCH_TIMEOUT_MS.fallback)),
          s.KEY_FETCH_TIMEOUT_MS.name,
          Number(timeout),
          {
            ...KEY_FETCH_TIMEOUT_MS,
            shown: String(timeout),
          },
        );
  return {
    albArns: arns,
    issuer,
    clientIds,
    keyEndpoint,
    keyFetchTimeoutMs,
    verifiedTokenCache: given(s.VERIFIED_TOKEN_CACHE) ?? true,
    machine: machineConfig(s),
    userRules: userRules(s),
    healthCheckPath: path(s.HEALTH_CHECK_PATH, "/health"),
    logout: logoutConfig(s, clientIds),
  };
}

/** The algorithms aws-jwt-verify can verify: anything else (none, HS256) can never be configured. */
const VERIFIABLE_ALGORITHMS = new Set(["RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "EdDSA"]);

/** An optional absolute path (starting with `/`, no query). */
function path(setting: Setting<string>, fallback: string): string {
  const value = given(setting) ?? fallback;
  return assertMatches(failFor(setting, fallback), setting.name, value, /^\/[^?#\s]*$/, 'must be a path starting with "/"');
}

function machineConfig(s: Settings): MachineConfig | undefined {
  const prefixes = given(s.M2M_PATH_PREFIXES);
  if (prefixes === undefined) {
    // Machine settings without prefixes would leave /api/ on the user flow unnoticed: say so at cold start.
    const others = [s.M2M_ISSUER, s.M2M_JWKS_URI, s.M2M_AUDIENCE, s.M2M_REQUIRED_SCOPES, s.M2M_ALGORITHMS, s.M2M_PATHS_CASE_SENSITIVE];
    const stray = others.find((setting) => setting.value !== undefined || setting.error !== undefined);
    if (stray) {
      failFor(s.M2M_PATH_PREFIXES, "/api/")(s.M2M_PATH_PREFIXES.name, `is required when ${stray.name} is set: the paths of machine routes`);
    }
    return undefined;
  }
  const prefixesFail: Fail = failFor(s.M2M_PATH_PREFIXES, "/api/,/internal/");
  assertEach(prefixesFail, s.M2M_PATH_PREFIXES.name, prefixes, /^\/[^?#\s*]*$/, 'must hold paths starting with "/" (no wildcards)');
  if (prefixes.length === 0) prefixesFail(s.M2M_PATH_PREFIXES.name, "must hold at least one path prefix");
  // Off by default: frameworks such as Express route /API/orders to /api/orders, so it must be a machine path too.
  const caseSensitivePaths = given(s.M2M_PATHS_CASE_SENSITIVE) ?? false;
  const issuer = required(s.M2M_ISSUER, "the expected iss of machine tokens", "https://auth.example.com");
  const jwksExample = "https://auth.example.com/.well-known/jwks.json";
  const jwksUri = secureUrl(s.M2M_JWKS_URI, required(s.M2M_JWKS_URI, "the issuer's JWKS URL", jwksExample), jwksExample);
  // Like aws-jwt-verify's `audience` (given, or null on purpose): without it any token the issuer
  // mints (an ID token for a web client) would pass as a machine. `none` is the explicit way to skip it.
  const audienceFail: Fail = failFor(s.M2M_AUDIENCE, AUDIENCE_EXAMPLE);
  const audience = given(s.M2M_AUDIENCE);
  if (audience === undefined) {
    audienceFail(
      s.M2M_AUDIENCE.name,
      'is required: the accepted aud of machine tokens (comma-separated), or "none" to accept any aud on purpose',
    );
  }
  if (audience?.length === 0) audienceFail(s.M2M_AUDIENCE.name, "must hold at least one audience");
  const requiredScopes = given(s.M2M_REQUIRED_SCOPES) ?? [];
  // RFC 6749 scope-token characters: they also keep the WWW-Authenticate scope="..." attribute well-formed.
  const scopeToken = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
  assertEach(
    failFor(s.M2M_REQUIRED_SCOPES, "orders:read orders:write"),
    s.M2M_REQUIRED_SCOPES.name,
    requiredScopes,
    scopeToken,
    "must hold space-separated scope tokens",
  );
  const algorithms = given(s.M2M_ALGORITHMS) ?? ["RS256"];
  const algorithmsFail: Fail = failFor(s.M2M_ALGORITHMS, "RS256");
  assertEach(
    algorithmsFail,
    s.M2M_ALGORITHMS.name,
    algorithms,
    (alg) => VERIFIABLE_ALGORITHMS.has(alg),
    `must list signature algorithms from ${[...VERIFIABLE_ALGORITHMS].join(", ")}`,
  );
  if (algorithms.length === 0) algorithmsFail(s.M2M_ALGORITHMS.name, "must list at least one algorithm");
  return { pathPrefixes: prefixes, caseSensitivePaths, issuer, jwksUri, audience, requiredScopes, algorithms };
}

const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/;

function userRules(s: Settings): UserRules {
  const allowedEmailDomains = (given(s.ALLOWED_EMAIL_DOMAINS) ?? []).map((d) => d.toLowerCase());
  assertEach(
    failFor(s.ALLOWED_EMAIL_DOMAINS, "example.com,example.org"),
    s.ALLOWED_EMAIL_DOMAINS.name,
    allowedEmailDomains,
    DOMAIN,
    'must hold domain names without "@"',
  );
  const allowUnverifiedEmail = given(s.ALLOW_UNVERIFIED_EMAIL) ?? false;
  const claims = given(s.REQUIRED_USER_CLAIMS);
  return {
    allowedEmailDomains,
    allowUnverifiedEmail,
    requiredClaims: claims === undefined ? {} : requiredClaims(s.REQUIRED_USER_CLAIMS, claims),
  };
}

function isClaimValue(v: unknown): v is ClaimValue {
  return typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v));
}

function requiredClaims(setting: Setting<unknown>, value: unknown): Record<string, readonly ClaimValue[]> {
  const fail: Fail = failFor(setting, CLAIMS_EXAMPLE);
  if (!isPlainObject(value)) fail(setting.name, "must be a JSON object of claim -> value or list of values");
  const rules: Record<string, readonly ClaimValue[]> = {};
  for (const [claim, expected] of Object.entries(value)) {
    const values: unknown[] = Array.isArray(expected) ? expected : [expected];
    if (values.length === 0 || !values.every(isClaimValue)) {
      fail(setting.name, `must map "${claim}" to a string, number or boolean, or a non-empty list of them`);
    }
    rules[claim] = values;
  }
  return rules;
}

function logoutConfig(s: Settings, clientIds: readonly string[]): LogoutConfig {
  const cookieName = given(s.SESSION_COOKIE_NAME) ?? "AWSELBAuthSessionCookie";
  // RFC 6265 cookie-name token: a separator here would let the value rewrite the Set-Cookie header.
  const cookieToken = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,128}$/;
  assertMatches(
    failFor(s.SESSION_COOKIE_NAME, "AWSELBAuthSessionCookie"),
    s.SESSION_COOKIE_NAME.name,
    cookieName,
    cookieToken,
    "must be a cookie name (letters, digits, - _ .)",
  );
  const logoutExample = "https://idp.example.com/logout";
  const idpFail: Fail = failFor(s.IDP_LOGOUT_URL, logoutExample);
  const idpLogoutUrl = given(s.IDP_LOGOUT_URL);
  if (idpLogoutUrl !== undefined) {
    // End-session endpoints often need a fixed query (Cognito's client_id): allow one, check the rest as for key URLs.
    const q = idpLogoutUrl.search(/[?#]/);
    if (idpLogoutUrl.includes("#")) {
      idpFail(s.IDP_LOGOUT_URL.name, `must not have a fragment, got "${idpLogoutUrl}"`);
    }
    secureUrl(s.IDP_LOGOUT_URL, q < 0 ? idpLogoutUrl : idpLogoutUrl.slice(0, q), logoutExample);
  }
  const postLogoutRedirectUri = given(s.POST_LOGOUT_REDIRECT_URI);
  if (postLogoutRedirectUri !== undefined) {
    if (idpLogoutUrl === undefined) {
      idpFail(s.IDP_LOGOUT_URL.name, `is required when ${s.POST_LOGOUT_REDIRECT_URI.name} is set: where to send it`);
    }
    // Validated, but kept exactly as written: the IdP compares it with the registered value character by character.
    secureUrl(s.POST_LOGOUT_REDIRECT_URI, postLogoutRedirectUri, "https://app.example.com/");
  }
  // With several client ids we cannot know which one the session belongs to: the operator can put it in IDP_LOGOUT_URL.
  const clientId = clientIds.length === 1 ? clientIds[0] : undefined;
  return { path: path(s.LOGOUT_PATH, "/logout"), cookieName, idpLogoutUrl, postLogoutRedirectUri, clientId };
}
