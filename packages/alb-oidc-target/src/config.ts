// Environment (and withAlbAuth's options) -> typed, validated configuration, read once per cold start; every error names the variable or option.
import { ConfigError } from "./errors.js";
import {
  assertEach,
  assertIntegerInRange,
  assertMatches,
  assertOneOf,
  assertUrl,
  reject,
  splitList,
  type Fail,
} from "./rules/config-assert.js";
import { LOOPBACK_HOSTS, isPlainObject } from "./guards.js";
import type { AlbAuthOptions } from "./options.js";

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
 * One setting as given: by its option, which wins, or else by its environment variable. Its value is
 * read when validation reaches it, so a variable an option overrides is never judged, and an error
 * names the first bad setting in validation order.
 */
interface Setting<T> {
  /** What an error about the setting names: the option's path (`machine.issuer`) when an option gave it, else the variable. */
  readonly name: string;
  /** An option gave it: its errors show no `VARIABLE=example`. */
  readonly fromOption: boolean;
  /** An option, or a variable that is not blank, gave it. */
  readonly given: boolean;
  /** The value in the setting's type, undefined when not given. @throws ConfigError about what was written */
  read(): T | undefined;
}

/** How a setting of one type is written: as its variable's trimmed text, and as its option's value. */
interface Kind<T> {
  env(text: string, variable: string): T;
  option(value: unknown, option: string): T;
}

const ARN_EXAMPLE = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/my-alb/50dc6c495c0c9188";
const CLAIMS_EXAMPLE = '{"groups":["admins","staff"],"email_verified":true}';
const AUDIENCE_EXAMPLE = "https://api.example.com";

/** How an option fails: a ConfigError naming it, quoting the value, without a variable's example. */
const optionFail: Fail = (option, problem) => {
  throw new ConfigError(option, problem);
};

/** How a variable fails: a ConfigError naming it, showing `example` as a valid value. */
function envFail(example: string): Fail {
  return (variable, problem) => {
    throw new ConfigError(variable, problem, example);
  };
}

/** How a setting fails: as its option, or as its variable with `example`. */
function failFor(setting: Setting<unknown>, example: string): Fail {
  return setting.fromOption ? optionFail : envFail(example);
}

/** A list option: one string or an array of them, one value per entry (as `separator` splits the variable). */
function optionList(name: string, value: unknown, separator: RegExp): string[] {
  const items: unknown[] = Array.isArray(value) ? value : [value];
  if (items.length === 0) optionFail(name, "must hold at least one value");
  return items.map((item) => {
    if (typeof item !== "string" || item.trim() === "") return reject(optionFail, name, "must hold non-empty strings", item);
    if (separator.test(item)) reject(optionFail, name, "must hold one value per entry", item);
    return item.trim();
  });
}

const text: Kind<string> = {
  env: (t) => t,
  option(v, name) {
    if (typeof v !== "string") return optionFail(name, `must be a string, got ${typeof v}`);
    if (v.trim() === "") optionFail(name, "must not be empty");
    return v.trim();
  },
};

/** Comma-separated in a variable. */
const list: Kind<readonly string[]> = { env: splitList, option: (v, name) => optionList(name, v, /,/) };

/** A variable takes `on` or `off` (showing `example`), an option true or false. */
function flag(on: string, off: string, example: string): Kind<boolean> {
  return {
    env: (t, name) => assertOneOf(envFail(example), name, t, [on, off]) === on,
    option: (v, name) => assertOneOf(optionFail, name, v, [true, false]),
  };
}

const trueOrFalse = flag("true", "false", "true");

/** The variable's text, or the option's number: validated as a whole number either way, quoting what was written. */
const timeout: Kind<string | number> = {
  env: (t) => t,
  option: (v, name) => (typeof v === "number" ? v : reject(optionFail, name, "must be a number", v)),
};

/** The variable's JSON, parsed, or the option's object: validated as claim -> value(s) either way. */
const claims: Kind<unknown> = {
  env(t, name) {
    try {
      return JSON.parse(t) as unknown;
    } catch {
      return envFail(CLAIMS_EXAMPLE)(name, "must be a JSON object of claim -> value or list of values, got invalid JSON");
    }
  },
  option: (v, name) => (isPlainObject(v) ? v : reject(optionFail, name, "must be an object", v)),
};

/** null: `aud` is not checked, on purpose (the variable's `none`, the option's null); "none" in a list is no audience anyone means. */
const audience: Kind<readonly string[] | null> = {
  env(t, name) {
    if (t === "none") return null;
    const audiences = splitList(t);
    if (audiences.includes("none")) envFail(AUDIENCE_EXAMPLE)(name, `must be "none" alone or a list of audiences, got "${t}"`);
    return audiences;
  },
  option(v, name) {
    if (v === null) return null;
    const audiences = optionList(name, v, /,/);
    if (audiences.includes("none")) reject(optionFail, name, 'must be null (no aud check) or a list of audiences other than "none"', v);
    return audiences;
  },
};

/** Space-separated in a variable. */
const scopes: Kind<readonly string[]> = {
  env: (t) => t.split(/\s+/).filter((scope) => scope.length > 0),
  option: (v, name) => optionList(name, v, /\s/),
};

/** A group of options (`logout`, `machine`): an object, or left out. */
function group(name: string, value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) return reject(optionFail, name, "must be an object", value);
  return value;
}

/** Every setting of the function, keyed by its environment variable, each from its option (named here) when given. */
function settingsOf(o: AlbAuthOptions, env: Env) {
  const logout = group("logout", o.logout);
  const machine = group("machine", o.machine);
  function setting<T>(variable: string, option: string, value: unknown, kind: Kind<T>): Setting<T> {
    if (value !== undefined) return { name: option, fromOption: true, given: true, read: () => kind.option(value, option) };
    const written = env[variable]?.trim();
    return { name: variable, fromOption: false, given: !!written, read: () => (written ? kind.env(written, variable) : undefined) };
  }
  return {
    LOAD_BALANCER_ARN: setting("LOAD_BALANCER_ARN", "loadBalancerArn", o.loadBalancerArn, list),
    ISSUER: setting("ISSUER", "issuer", o.issuer, text),
    CLIENT_ID: setting("CLIENT_ID", "clientId", o.clientId, list),
    ALB_PUBLIC_KEY_ENDPOINT: setting("ALB_PUBLIC_KEY_ENDPOINT", "publicKeyEndpoint", o.publicKeyEndpoint, text),
    KEY_FETCH_TIMEOUT_MS: setting("KEY_FETCH_TIMEOUT_MS", "keyFetchTimeoutMs", o.keyFetchTimeoutMs, timeout),
    VERIFIED_TOKEN_CACHE: setting("VERIFIED_TOKEN_CACHE", "verifiedTokenCache", o.verifiedTokenCache, flag("on", "off", "off")),
    ALLOW_UNVERIFIED_EMAIL: setting("ALLOW_UNVERIFIED_EMAIL", "allowUnverifiedEmail", o.allowUnverifiedEmail, trueOrFalse),
    ALLOWED_EMAIL_DOMAINS: setting("ALLOWED_EMAIL_DOMAINS", "allowedEmailDomains", o.allowedEmailDomains, list),
    REQUIRED_USER_CLAIMS: setting("REQUIRED_USER_CLAIMS", "requiredUserClaims", o.requiredUserClaims, claims),
    HEALTH_CHECK_PATH: setting("HEALTH_CHECK_PATH", "healthCheckPath", o.healthCheckPath, text),
    LOGOUT_PATH: setting("LOGOUT_PATH", "logout.path", logout.path, text),
    SESSION_COOKIE_NAME: setting("SESSION_COOKIE_NAME", "logout.sessionCookieName", logout.sessionCookieName, text),
    IDP_LOGOUT_URL: setting("IDP_LOGOUT_URL", "logout.idpLogoutUrl", logout.idpLogoutUrl, text),
    POST_LOGOUT_REDIRECT_URI: setting("POST_LOGOUT_REDIRECT_URI", "logout.postLogoutRedirectUri", logout.postLogoutRedirectUri, text),
    M2M_PATH_PREFIXES: setting("M2M_PATH_PREFIXES", "machine.pathPrefixes", machine.pathPrefixes, list),
    M2M_PATHS_CASE_SENSITIVE: setting("M2M_PATHS_CASE_SENSITIVE", "machine.caseSensitivePaths", machine.caseSensitivePaths, trueOrFalse),
    M2M_ISSUER: setting("M2M_ISSUER", "machine.issuer", machine.issuer, text),
    M2M_JWKS_URI: setting("M2M_JWKS_URI", "machine.jwksUri", machine.jwksUri, text),
    M2M_AUDIENCE: setting("M2M_AUDIENCE", "machine.audience", machine.audience, audience),
    M2M_REQUIRED_SCOPES: setting("M2M_REQUIRED_SCOPES", "machine.requiredScopes", machine.requiredScopes, scopes),
    M2M_ALGORITHMS: setting("M2M_ALGORITHMS", "machine.algorithms", machine.algorithms, list),
  };
}

type Settings = ReturnType<typeof settingsOf>;

/** "127.0.0.1, localhost or [::1]", as the https message lists the loopback hosts. */
const LOOPBACK_HOSTS_TEXT = `${LOOPBACK_HOSTS.slice(0, -1).join(", ")} or ${LOOPBACK_HOSTS[LOOPBACK_HOSTS.length - 1] ?? ""}`;
const ALB_ARN =
  /^arn:(aws|aws-cn|aws-us-gov):elasticloadbalancing:([a-z]{2}(?:-gov)?-[a-z]+-\d):(\d{12}):loadbalancer\/app\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/;

/** GovCloud regions serve ALB public keys from S3, not from public-keys.auth.elb. */
const GOVCLOUD_KEY_ENDPOINTS: Readonly<Record<string, string>> = {
  "us-gov-west-1": "https://s3-us-gov-west-1.amazonaws.com/aws-elb-public-keys-prod-us-gov-west-1",
  "us-gov-east-1": "https://s3-us-gov-east-1.amazonaws.com/aws-elb-public-keys-prod-us-gov-east-1",
};

/** A required setting: absent, blank or an empty list (a variable of only commas) is "is required", naming it. */
function required<T extends string | readonly string[]>(setting: Setting<T>, meaning: string, example: string): T {
  const value = setting.read();
  if (value === undefined || value.length === 0) return failFor(setting, example)(setting.name, `is required: ${meaning}`);
  return value;
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
  const arns = required(setting, "the ARN of the load balancer that signs x-amzn-oidc-data", ARN_EXAMPLE);
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

function keyEndpoint(setting: Setting<string>, partition: string, region: string): string {
  const endpoint = setting.read();
  if (endpoint !== undefined) return secureUrl(setting, endpoint, `https://public-keys.auth.elb.${region}.amazonaws.com`);
  const govCloud = partition === "aws-us-gov" ? GOVCLOUD_KEY_ENDPOINTS[region] : undefined;
  if (govCloud) return govCloud;
  if (partition === "aws") return `https://public-keys.auth.elb.${region}.amazonaws.com`;
  // No AWS source states the endpoint for other partitions: make the operator say it.
  return failFor(setting, "https://public-keys.auth.elb.<region>.<domain>")(
    setting.name,
    `is required for load balancers in ${partition} ${region} (no default is documented there)`,
  );
}

/** 1.5 s by default leaves a 3 s Lambda time to answer 503; below 50 ms no fetch succeeds. */
function keyFetchTimeoutMs(setting: Setting<string | number>): number {
  const timeout = setting.read();
  if (timeout === undefined) return 1500;
  return assertIntegerInRange(failFor(setting, "1500"), setting.name, Number(timeout), { min: 50, max: 30_000, shown: String(timeout) });
}

/**
 * Builds the validated configuration from the environment.
 * @throws ConfigError naming the first bad variable, with an example of a valid value.
 * @example const config = loadConfig(process.env);
 */
export function loadConfig(env: Env): Config {
  return resolveConfig({}, env);
}

/**
 * The configuration from options over the environment: each setting is read from its option, or
 * when that is left out from its variable, then all are validated once, so an option means exactly
 * what its variable means. An error names where the bad value came from: the option
 * (`issuer must use https://...`) or the variable.
 * @throws ConfigError naming the first bad setting.
 * @example resolveConfig({ issuer: "https://idp.example.com" }, process.env)
 */
export function resolveConfig(options: AlbAuthOptions, env: Env): Config {
  const s = settingsOf(options, env);
  const { arns, partition, region } = parseAlbArns(s.LOAD_BALANCER_ARN);
  const issuer = secureUrl(
    s.ISSUER,
    required(s.ISSUER, "the IdP issuer exactly as configured on the ALB", "https://access.line.me"),
    "https://access.line.me",
  );
  const clientIds = required(s.CLIENT_ID, "the OIDC client id configured on the ALB", "1234567890");
  return {
    albArns: arns,
    issuer,
    clientIds,
    keyEndpoint: keyEndpoint(s.ALB_PUBLIC_KEY_ENDPOINT, partition, region),
    keyFetchTimeoutMs: keyFetchTimeoutMs(s.KEY_FETCH_TIMEOUT_MS),
    verifiedTokenCache: s.VERIFIED_TOKEN_CACHE.read() ?? true,
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
  const value = setting.read() ?? fallback;
  return assertMatches(failFor(setting, fallback), setting.name, value, /^\/[^?#\s]*$/, 'must be a path starting with "/"');
}

function machineConfig(s: Settings): MachineConfig | undefined {
  const prefixes = s.M2M_PATH_PREFIXES.read();
  if (prefixes === undefined) {
    // Machine settings without prefixes would leave /api/ on the user flow unnoticed: say so at cold start.
    const others = [s.M2M_ISSUER, s.M2M_JWKS_URI, s.M2M_AUDIENCE, s.M2M_REQUIRED_SCOPES, s.M2M_ALGORITHMS, s.M2M_PATHS_CASE_SENSITIVE];
    const stray = others.find((setting) => setting.given);
    if (stray) {
      failFor(s.M2M_PATH_PREFIXES, "/api/")(s.M2M_PATH_PREFIXES.name, `is required when ${stray.name} is set: the paths of machine routes`);
    }
    return undefined;
  }
  const prefixesFail: Fail = failFor(s.M2M_PATH_PREFIXES, "/api/,/internal/");
  assertEach(prefixesFail, s.M2M_PATH_PREFIXES.name, prefixes, /^\/[^?#\s*]*$/, 'must hold paths starting with "/" (no wildcards)');
  if (prefixes.length === 0) prefixesFail(s.M2M_PATH_PREFIXES.name, "must hold at least one path prefix");
  // Off by default: frameworks such as Express route /API/orders to /api/orders, so it must be a machine path too.
  const caseSensitivePaths = s.M2M_PATHS_CASE_SENSITIVE.read() ?? false;
  const issuer = required(s.M2M_ISSUER, "the expected iss of machine tokens", "https://auth.example.com");
  const jwksExample = "https://auth.example.com/.well-known/jwks.json";
  const jwksUri = secureUrl(s.M2M_JWKS_URI, required(s.M2M_JWKS_URI, "the issuer's JWKS URL", jwksExample), jwksExample);
  // Like aws-jwt-verify's `audience` (given, or null on purpose): without it any token the issuer
  // mints (an ID token for a web client) would pass as a machine. `none` is the explicit way to skip it.
  const audienceFail: Fail = failFor(s.M2M_AUDIENCE, AUDIENCE_EXAMPLE);
  const audience = s.M2M_AUDIENCE.read();
  if (audience === undefined) {
    audienceFail(
      s.M2M_AUDIENCE.name,
      'is required: the accepted aud of machine tokens (comma-separated), or "none" to accept any aud on purpose',
    );
  }
  if (audience?.length === 0) audienceFail(s.M2M_AUDIENCE.name, "must hold at least one audience");
  const requiredScopes = s.M2M_REQUIRED_SCOPES.read() ?? [];
  // RFC 6749 scope-token characters: they also keep the WWW-Authenticate scope="..." attribute well-formed.
  const scopeToken = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
  const scopesFail = failFor(s.M2M_REQUIRED_SCOPES, "orders:read orders:write");
  assertEach(scopesFail, s.M2M_REQUIRED_SCOPES.name, requiredScopes, scopeToken, "must hold space-separated scope tokens");
  const algorithms = s.M2M_ALGORITHMS.read() ?? ["RS256"];
  const algorithmsFail: Fail = failFor(s.M2M_ALGORITHMS, "RS256");
  const verifiable = `must list signature algorithms from ${[...VERIFIABLE_ALGORITHMS].join(", ")}`;
  assertEach(algorithmsFail, s.M2M_ALGORITHMS.name, algorithms, (alg) => VERIFIABLE_ALGORITHMS.has(alg), verifiable);
  if (algorithms.length === 0) algorithmsFail(s.M2M_ALGORITHMS.name, "must list at least one algorithm");
  return { pathPrefixes: prefixes, caseSensitivePaths, issuer, jwksUri, audience, requiredScopes, algorithms };
}

const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/;

function userRules(s: Settings): UserRules {
  const allowedEmailDomains = (s.ALLOWED_EMAIL_DOMAINS.read() ?? []).map((d) => d.toLowerCase());
  const domainsFail = failFor(s.ALLOWED_EMAIL_DOMAINS, "example.com,example.org");
  assertEach(domainsFail, s.ALLOWED_EMAIL_DOMAINS.name, allowedEmailDomains, DOMAIN, 'must hold domain names without "@"');
  const allowUnverifiedEmail = s.ALLOW_UNVERIFIED_EMAIL.read() ?? false;
  const claims = s.REQUIRED_USER_CLAIMS.read();
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
  const cookieName = s.SESSION_COOKIE_NAME.read() ?? "AWSELBAuthSessionCookie";
  // RFC 6265 cookie-name token: a separator here would let the value rewrite the Set-Cookie header.
  const cookieToken = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,128}$/;
  const cookieFail = failFor(s.SESSION_COOKIE_NAME, "AWSELBAuthSessionCookie");
  assertMatches(cookieFail, s.SESSION_COOKIE_NAME.name, cookieName, cookieToken, "must be a cookie name (letters, digits, - _ .)");
  const logoutExample = "https://idp.example.com/logout";
  const idpFail: Fail = failFor(s.IDP_LOGOUT_URL, logoutExample);
  const idpLogoutUrl = s.IDP_LOGOUT_URL.read();
  if (idpLogoutUrl !== undefined) {
    // End-session endpoints often need a fixed query (Cognito's client_id): allow one, check the rest as for key URLs.
    const q = idpLogoutUrl.search(/[?#]/);
    if (idpLogoutUrl.includes("#")) idpFail(s.IDP_LOGOUT_URL.name, `must not have a fragment, got "${idpLogoutUrl}"`);
    secureUrl(s.IDP_LOGOUT_URL, q < 0 ? idpLogoutUrl : idpLogoutUrl.slice(0, q), logoutExample);
  }
  const postLogoutRedirectUri = s.POST_LOGOUT_REDIRECT_URI.read();
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
