// Wires configuration, key cache, verifiers and logger into a handler: the one place Lambda, tests and local tools build it.
import { createAlbTokenVerifier } from "./auth/alb-token.js";
import { TokenMemo } from "./auth/memo.js";
import { createUserPolicy } from "./auth/authorize.js";
import { createMachineTokenVerifier } from "./auth/machine-token.js";
import { loadConfig, type Config, type Env } from "./config.js";
import { authenticate, createHandler, decide, type AlbHandler, type HandlerDeps, type Outcome } from "./handler.js";
import { AlbKeyCache } from "./keys/alb-keys.js";
import { createJwksCache } from "./keys/jwks.js";
import { createLogger, guardedLogger, type Logger } from "./log.js";
import { createLogout } from "./routes/logout.js";
import type { AlbApp, Principal } from "./principal.js";
import { machinePaths, type RouteTable } from "./routes/route.js";

export interface App {
  readonly handler: AlbHandler;
  readonly config: Config;
  /** The ALB key cache (exposed for tests and tools: fetch counts, size). */
  readonly albKeys: AlbKeyCache;
  /** JWKS fetches for machine tokens so far (0 without machine routes). */
  readonly jwksFetches: () => number;
  /** The verified-token memo in front of the ALB token verifier; undefined with VERIFIED_TOKEN_CACHE=off. */
  readonly tokenMemo: TokenMemo | undefined;
  /** The flow before the app (route, authenticate, authorize), for createAlbAuth and the middlewares; never throws. */
  readonly decide: (event: unknown, requestId: string) => Promise<Outcome>;
  /** Authentication and authorization by path alone (no health check or logout): createAlbAuth's authenticate. */
  readonly authenticate: (event: unknown) => Promise<Principal>;
  /** The logger the handler writes its request lines to. */
  readonly logger: Logger;
}

export interface AppOptions {
  /** Where log lines go (stdout by default). */
  readonly writeLog?: (line: string) => void;
  /** A caller's logger instead of our lines (behind the same redaction); writeLog is then unused. */
  readonly logger?: Logger;
  /** Seconds without a JWKS refetch after an unknown kid (default 10; tests shorten it). */
  readonly jwksCoolDownSeconds?: number;
  /** A browser's 403 is a page with a logout link (default off). */
  readonly forbiddenPage?: boolean;
}

/**
 * Builds everything a cold start builds around `app`, from the environment alone.
 * @throws ConfigError naming the bad variable.
 * @example const { handler, albKeys } = createApp(process.env, { app: myApp });
 */
export function createApp(env: Env, options: AppOptions & { readonly app: AlbApp }): App {
  return buildApp(loadConfig(env), options);
}

/**
 * Builds everything from a validated configuration around `app` (withAlbAuth merges its options in first).
 * @example const app = buildApp(loadConfig(process.env), { app: myApp });
 */
export function buildApp(config: Config, options: AppOptions & { readonly app: AlbApp }): App {
  const albKeys = new AlbKeyCache({ endpoint: config.keyEndpoint, timeoutMs: config.keyFetchTimeoutMs });
  let machine: RouteTable["machine"];
  let jwksFetches = (): number => 0;
  if (config.machine) {
    const jwks = createJwksCache({ timeoutMs: config.keyFetchTimeoutMs, coolDownSeconds: options.jwksCoolDownSeconds });
    const paths = machinePaths(config.machine.pathPrefixes, { caseSensitive: config.machine.caseSensitivePaths });
    machine = { paths, tokens: createMachineTokenVerifier(config.machine, jwks.cache) };
    jwksFetches = () => jwks.fetcher.fetches;
  }
  const albTokens = createAlbTokenVerifier(config, albKeys);
  const tokenMemo = config.verifiedTokenCache ? new TokenMemo(albTokens) : undefined;
  const logger = options.logger ? guardedLogger(options.logger) : createLogger(options.writeLog);
  const deps: HandlerDeps = {
    userTokens: tokenMemo ?? albTokens,
    logger,
    routes: {
      healthCheckPath: config.healthCheckPath,
      logout: { path: config.logout.path, respond: createLogout(config.logout) },
      machine,
    },
    userPolicy: createUserPolicy(config.userRules),
    app: options.app,
    ...(options.forbiddenPage && { forbiddenPageLogoutPath: config.logout.path }),
  };
  const handler = createHandler(deps);
  return {
    handler,
    config,
    albKeys,
    jwksFetches,
    tokenMemo,
    logger,
    decide: (event, requestId) => decide(event, deps, requestId),
    authenticate: (event) => authenticate(event, deps),
  };
}
