// Wires configuration, key cache, verifiers and logger into a handler: the one place Lambda, tests and local tools build it.
import { createAlbTokenVerifier } from "./auth/alb-token.js";
import { TokenMemo } from "./auth/memo.js";
import { createUserPolicy } from "./auth/authorize.js";
import { createMachineTokenVerifier } from "./auth/machine-token.js";
import { loadConfig, type Config, type Env } from "./config.js";
import { createHandler, type AlbHandler } from "./handler.js";
import { AlbKeyCache } from "./keys/alb-keys.js";
import { createJwksCache } from "./keys/jwks.js";
import { createLogger } from "./log.js";
import { createLogout } from "./routes/logout.js";
import type { RouteTable } from "./routes/route.js";

export interface App {
  readonly handler: AlbHandler;
  readonly config: Config;
  /** The ALB key cache (exposed for tests and tools: fetch counts, size). */
  readonly albKeys: AlbKeyCache;
  /** JWKS fetches for machine tokens so far (0 without machine routes). */
  readonly jwksFetches: () => number;
  /** The verified-token memo in front of the ALB token verifier; undefined with VERIFIED_TOKEN_CACHE=off. */
  readonly tokenMemo: TokenMemo | undefined;
}

export interface AppOptions {
  /** Where log lines go (stdout by default). */
  readonly writeLog?: (line: string) => void;
  /** Seconds without a JWKS refetch after an unknown kid (default 10; tests shorten it). */
  readonly jwksCoolDownSeconds?: number;
}

/**
 * Builds everything a cold start builds.
 * @throws ConfigError naming the bad variable.
 * @example export const handler = createApp(process.env).handler;
 */
export function createApp(env: Env, options: AppOptions = {}): App {
  const config = loadConfig(env);
  const albKeys = new AlbKeyCache({ endpoint: config.keyEndpoint, timeoutMs: config.keyFetchTimeoutMs });
  let machine: RouteTable["machine"];
  let jwksFetches = (): number => 0;
  if (config.machine) {
    const jwks = createJwksCache({ timeoutMs: config.keyFetchTimeoutMs, coolDownSeconds: options.jwksCoolDownSeconds });
    machine = { pathPrefixes: config.machine.pathPrefixes, tokens: createMachineTokenVerifier(config.machine, jwks.cache) };
    jwksFetches = () => jwks.fetcher.fetches;
  }
  const albTokens = createAlbTokenVerifier(config, albKeys);
  const tokenMemo = config.verifiedTokenCache ? new TokenMemo(albTokens) : undefined;
  const handler = createHandler({
    userTokens: tokenMemo ?? albTokens,
    logger: createLogger(options.writeLog),
    routes: {
      healthCheckPath: config.healthCheckPath,
      logout: { path: config.logout.path, respond: createLogout(config.logout) },
      machine,
    },
    userPolicy: createUserPolicy(config.userRules),
  });
  return { handler, config, albKeys, jwksFetches, tokenMemo };
}
