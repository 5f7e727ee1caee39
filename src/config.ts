// Environment -> typed, validated configuration, read once per cold start; every error names its variable.
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
} from "../infra/lib/config-assert.mjs";
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

const ARN_EXAMPLE = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/my-alb/50dc6c495c0c9188";
/** "127.0.0.1, localhost or [::1]", as the https message lists the loopback hosts. */
const LOOPBACK_HOSTS_TEXT = `${LOOPBACK_HOSTS.slice(0, -1).join(", ")} or ${LOOPBACK_HOSTS[LOOPBACK_HOSTS.length - 1] ?? ""}`;
const ALB_ARN =
  /^arn:(aws|aws-cn|aws-us-gov):elasticloadbalancing:([a-z]{2}(?:-gov)?-[a-z]+-\d):(\d{12}):loadbalancer\/app\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/;

/** GovCloud regions serve ALB public keys from S3, not from public-keys.auth.elb. */
const GOVCLOUD_KEY_ENDPOINTS: Readonly<Record<string, string>> = {
  "us-gov-west-1": "https://s3-us-gov-west-1.amazonaws.com/aws-elb-public-keys-prod-us-gov-west-1",
  "us-gov-east-1": "https://s3-us-gov-east-1.amazonaws.com/aws-elb-public-keys-prod-us-gov-east-1",
};

/** Fails as a ConfigError for an environment variable, showing `example` as a valid value. */
function failWith(example: string): Fail {
  return (name, problem) => {
    throw new ConfigError(name, problem, example);
  };
}

/** Reads a required variable: absent or blank is a ConfigError that names it. */
function required(env: Env, name: string, meaning: string, example: string): string {
  return assertRequired(failWith(example), name, env[name]?.trim(), `is required: ${meaning}`);
}

/** Reads a required comma-separated list: absent, blank or only commas is "is required". */
function requiredList(env: Env, name: string, meaning: string, example: string): string[] {
  const list = splitList(required(env, name, meaning, example));
  if (list.length === 0) throw new ConfigError(name, `is required: ${meaning}`, example);
  return list;
}

/** Reads an optional variable: absent or blank gives undefined. */
function optional(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/**
 * Checks that a URL is https, or http to a loopback host (local runs and tests),
 * and returns it without a trailing slash.
 */
function secureUrl(name: string, value: string, example: string): string {
  const fail = failWith(example);
  const url = assertUrl(fail, name, value, "must be an absolute URL");
  const loopbackHttp = url.protocol === "http:" && LOOPBACK_HOSTS.includes(url.hostname);
  if (url.protocol !== "https:" && !loopbackHttp) reject(fail, name, `must use https:// (http:// only to ${LOOPBACK_HOSTS_TEXT})`, value);
  if (url.search || url.hash) reject(fail, name, "must not have a query or fragment", value);
  return value.replace(/\/+$/, "");
}

/** Reads an optional integer within bounds. */
function integer(env: Env, name: string, range: { readonly fallback: number; readonly min: number; readonly max: number }): number {
  const raw = optional(env, name);
  if (raw === undefined) return range.fallback;
  return assertIntegerInRange(failWith(String(range.fallback)), name, Number(raw), { ...range, shown: raw });
}

/** Reads an optional boolean written `true` or `false`. */
function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  return assertOneOf(failWith(String(!fallback)), name, raw, ["true", "false"]) === "true";
}

function parseAlbArns(env: Env): { arns: string[]; partition: string; region: string } {
  const arns = requiredList(env, "LOAD_BALANCER_ARN", "the ARN of the load balancer that signs x-amzn-oidc-data", ARN_EXAMPLE);
  let partition = "";
  let region = "";
  for (const arn of arns) {
    const m = ALB_ARN.exec(arn);
    if (!m) {
      throw new ConfigError("LOAD_BALANCER_ARN", `must hold Application Load Balancer ARNs, got "${arn}"`, ARN_EXAMPLE);
    }
    if (region && (m[2] !== region || m[1] !== partition)) {
      throw new ConfigError(
        "LOAD_BALANCER_ARN",
        `must name load balancers of one region (they share one key endpoint), got ${region} and ${m[2]}`,
        ARN_EXAMPLE,
      );
    }
    partition = m[1] ?? "";
    region = m[2] ?? "";
  }
  return { arns, partition, region };
}

function defaultKeyEndpoint(partition: string, region: string): string {
  if (partition === "aws-us-gov") {
    const endpoint = GOVCLOUD_KEY_ENDPOINTS[region];
    if (endpoint) return endpoint;
  }
  if (partition === "aws") return `https://public-keys.auth.elb.${region}.amazonaws.com`;
  // No AWS source states the endpoint for other partitions: make the operator say it.
  throw new ConfigError(
    "ALB_PUBLIC_KEY_ENDPOINT",
    `is required for load balancers in ${partition} ${region} (no default is documented there)`,
    "https://public-keys.auth.elb.<region>.<domain>",
  );
}

/** KEY_FETCH_TIMEOUT_MS: 1.5 s leaves a 3 s Lambda time to answer 503; below 50 ms no fetch succeeds. */
const KEY_FETCH_TIMEOUT_MS = { fallback: 1500, min: 50, max: 30_000 } as const;

/**
 * Builds the validated configuration from the environment.
 * @throws ConfigError naming the first bad variable, with an example of a valid value.
 */
export function loadConfig(env: Env): Config {
  const { arns, partition, region } = parseAlbArns(env);
  const issuer = required(env, "ISSUER", "the IdP issuer exactly as configured on the ALB", "https://access.line.me");
  secureUrl("ISSUER", issuer, "https://access.line.me");
  const clientIds = requiredList(env, "CLIENT_ID", "the OIDC client id configured on the ALB", "1234567890");
  const endpointRaw = optional(env, "ALB_PUBLIC_KEY_ENDPOINT");
  const keyEndpoint =
    endpointRaw === undefined
      ? defaultKeyEndpoint(partition, region)
      : secureUrl("ALB_PUBLIC_KEY_ENDPOINT", endpointRaw, `https://public-keys.auth.elb.${region}.amazonaws.com`);
  const keyFetchTimeoutMs = integer(env, "KEY_FETCH_TIMEOUT_MS", KEY_FETCH_TIMEOUT_MS);
  const cache = assertOneOf(failWith("off"), "VERIFIED_TOKEN_CACHE", optional(env, "VERIFIED_TOKEN_CACHE") ?? "on", ["on", "off"]);
  return {
    albArns: arns,
    issuer,
    clientIds,
    keyEndpoint,
    keyFetchTimeoutMs,
    verifiedTokenCache: cache === "on",
    machine: loadMachineConfig(env),
    userRules: loadUserRules(env),
    healthCheckPath: path(env, "HEALTH_CHECK_PATH", "/health"),
    logout: loadLogoutConfig(env, clientIds),
  };
}

/** The algorithms aws-jwt-verify can verify: anything else (none, HS256) can never be configured. */
const VERIFIABLE_ALGORITHMS = new Set(["RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "EdDSA"]);
const M2M_VARIABLES = [
  "M2M_ISSUER",
  "M2M_JWKS_URI",
  "M2M_AUDIENCE",
  "M2M_REQUIRED_SCOPES",
  "M2M_ALGORITHMS",
  "M2M_PATHS_CASE_SENSITIVE",
] as const;

/** Reads an optional absolute path (starting with `/`, no query). */
function path(env: Env, name: string, fallback: string): string {
  return assertMatches(failWith(fallback), name, optional(env, name) ?? fallback, /^\/[^?#\s]*$/, 'must be a path starting with "/"');
}

function loadMachineConfig(env: Env): MachineConfig | undefined {
  const prefixesRaw = optional(env, "M2M_PATH_PREFIXES");
  if (prefixesRaw === undefined) {
    // Machine settings without prefixes would leave /api/ on the user flow unnoticed: say so at cold start.
    const stray = M2M_VARIABLES.find((name) => optional(env, name) !== undefined);
    if (stray) throw new ConfigError("M2M_PATH_PREFIXES", `is required when ${stray} is set: the paths of machine routes`, "/api/");
    return undefined;
  }
  const pathPrefixes = splitList(prefixesRaw);
  assertEach(
    failWith("/api/,/internal/"),
    "M2M_PATH_PREFIXES",
    pathPrefixes,
    /^\/[^?#\s*]*$/,
    'must hold paths starting with "/" (no wildcards)',
  );
  if (pathPrefixes.length === 0) throw new ConfigError("M2M_PATH_PREFIXES", "must hold at least one path prefix", "/api/,/internal/");
  // Off by default: frameworks such as Express route /API/orders to /api/orders, so it must be a machine path too.
  const caseSensitivePaths = boolean(env, "M2M_PATHS_CASE_SENSITIVE", false);
  const issuer = required(env, "M2M_ISSUER", "the expected iss of machine tokens", "https://auth.example.com");
  const jwksExample = "https://auth.example.com/.well-known/jwks.json";
  const jwksUri = secureUrl("M2M_JWKS_URI", required(env, "M2M_JWKS_URI", "the issuer's JWKS URL", jwksExample), jwksExample);
  // Like aws-jwt-verify's `audience` (given, or null on purpose): without it any token the issuer
  // mints (an ID token for a web client) would pass as a machine. `none` is the explicit way to skip it.
  const audienceRaw = required(
    env,
    "M2M_AUDIENCE",
    'the accepted aud of machine tokens (comma-separated), or "none" to accept any aud on purpose',
    "https://api.example.com",
  );
  const audience = audienceRaw === "none" ? null : splitList(audienceRaw);
  if (audience?.length === 0) throw new ConfigError("M2M_AUDIENCE", "must hold at least one audience", "https://api.example.com");
  if (audience?.includes("none")) {
    throw new ConfigError("M2M_AUDIENCE", `must be "none" alone or a list of audiences, got "${audienceRaw}"`, "https://api.example.com");
  }
  const requiredScopes = (optional(env, "M2M_REQUIRED_SCOPES") ?? "").split(/\s+/).filter((s) => s.length > 0);
  // RFC 6749 scope-token characters: they also keep the WWW-Authenticate scope="..." attribute well-formed.
  const scopeToken = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
  assertEach(
    failWith("orders:read orders:write"),
    "M2M_REQUIRED_SCOPES",
    requiredScopes,
    scopeToken,
    "must hold space-separated scope tokens",
  );
  const algorithms = splitList(optional(env, "M2M_ALGORITHMS") ?? "RS256");
  assertEach(
    failWith("RS256"),
    "M2M_ALGORITHMS",
    algorithms,
    (alg) => VERIFIABLE_ALGORITHMS.has(alg),
    `must list signature algorithms from ${[...VERIFIABLE_ALGORITHMS].join(", ")}`,
  );
  if (algorithms.length === 0) throw new ConfigError("M2M_ALGORITHMS", "must list at least one algorithm", "RS256");
  return { pathPrefixes, caseSensitivePaths, issuer, jwksUri, audience, requiredScopes, algorithms };
}

const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/;
const CLAIMS_EXAMPLE = '{"groups":["admins","staff"],"email_verified":true}';

function loadUserRules(env: Env): UserRules {
  const allowedEmailDomains = splitList(optional(env, "ALLOWED_EMAIL_DOMAINS") ?? "").map((d) => d.toLowerCase());
  assertEach(
    failWith("example.com,example.org"),
    "ALLOWED_EMAIL_DOMAINS",
    allowedEmailDomains,
    DOMAIN,
    'must hold domain names without "@"',
  );
  const claimsRaw = optional(env, "REQUIRED_USER_CLAIMS");
  return {
    allowedEmailDomains,
    allowUnverifiedEmail: boolean(env, "ALLOW_UNVERIFIED_EMAIL", false),
    requiredClaims: claimsRaw === undefined ? {} : parseRequiredClaims(claimsRaw),
  };
}

function isClaimValue(v: unknown): v is ClaimValue {
  return typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v));
}

function parseRequiredClaims(raw: string): Record<string, readonly ClaimValue[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError(
      "REQUIRED_USER_CLAIMS",
      "must be a JSON object of claim -> value or list of values, got invalid JSON",
      CLAIMS_EXAMPLE,
    );
  }
  if (!isPlainObject(parsed)) {
    throw new ConfigError("REQUIRED_USER_CLAIMS", "must be a JSON object of claim -> value or list of values", CLAIMS_EXAMPLE);
  }
  const rules: Record<string, readonly ClaimValue[]> = {};
  for (const [claim, expected] of Object.entries(parsed)) {
    const values: unknown[] = Array.isArray(expected) ? expected : [expected];
    if (values.length === 0 || !values.every(isClaimValue)) {
      throw new ConfigError(
        "REQUIRED_USER_CLAIMS",
        `must map "${claim}" to a string, number or boolean, or a non-empty list of them`,
        CLAIMS_EXAMPLE,
      );
    }
    rules[claim] = values;
  }
  return rules;
}

function loadLogoutConfig(env: Env, clientIds: readonly string[]): LogoutConfig {
  const cookieName = optional(env, "SESSION_COOKIE_NAME") ?? "AWSELBAuthSessionCookie";
  // RFC 6265 cookie-name token: a separator here would let the value rewrite the Set-Cookie header.
  const cookieToken = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,128}$/;
  assertMatches(
    failWith("AWSELBAuthSessionCookie"),
    "SESSION_COOKIE_NAME",
    cookieName,
    cookieToken,
    "must be a cookie name (letters, digits, - _ .)",
  );
  const logoutExample = "https://idp.example.com/logout";
  const idpRaw = optional(env, "IDP_LOGOUT_URL");
  let idpLogoutUrl: string | undefined;
  if (idpRaw !== undefined) {
    // End-session endpoints often need a fixed query (Cognito's client_id): allow one, check the rest as for key URLs.
    const q = idpRaw.search(/[?#]/);
    if (idpRaw.includes("#")) throw new ConfigError("IDP_LOGOUT_URL", `must not have a fragment, got "${idpRaw}"`, logoutExample);
    secureUrl("IDP_LOGOUT_URL", q < 0 ? idpRaw : idpRaw.slice(0, q), logoutExample);
    idpLogoutUrl = idpRaw;
  }
  const postRaw = optional(env, "POST_LOGOUT_REDIRECT_URI");
  if (postRaw !== undefined) {
    if (idpLogoutUrl === undefined) {
      throw new ConfigError("IDP_LOGOUT_URL", "is required when POST_LOGOUT_REDIRECT_URI is set: where to send it", logoutExample);
    }
    // Validated, but kept exactly as written: the IdP compares it with the registered value character by character.
    secureUrl("POST_LOGOUT_REDIRECT_URI", postRaw, "https://app.example.com/");
  }
  // With several client ids we cannot know which one the session belongs to: the operator can put it in IDP_LOGOUT_URL.
  const clientId = clientIds.length === 1 ? clientIds[0] : undefined;
  return { path: path(env, "LOGOUT_PATH", "/logout"), cookieName, idpLogoutUrl, postLogoutRedirectUri: postRaw, clientId };
}
