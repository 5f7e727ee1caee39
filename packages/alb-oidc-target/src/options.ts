// Programmatic options of withAlbAuth / createAlbAuth: each one stands for an environment variable, wins over it, and a bad one fails naming the option.
import type { ClaimValue, Env } from "./config.js";
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

// Options become configuration in config.ts, read into the same typed settings as the variables and validated with them.
export { resolveConfig } from "./config.js";
