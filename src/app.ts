// Wires configuration, key cache, verifiers and logger into a handler: the one place Lambda, tests and local tools build it.
import { createAlbTokenVerifier } from "./auth/alb-token.js";
import { loadConfig, type Config, type Env } from "./config.js";
import { createHandler, type AlbHandler } from "./handler.js";
import { AlbKeyCache } from "./keys/alb-keys.js";
import { createLogger } from "./log.js";

export interface App {
  readonly handler: AlbHandler;
  readonly config: Config;
  /** The ALB key cache (exposed for tests and tools: fetch counts, size). */
  readonly albKeys: AlbKeyCache;
}

export interface AppOptions {
  /** Where log lines go (stdout by default). */
  readonly writeLog?: (line: string) => void;
}

/**
 * Builds everything a cold start builds.
 * @throws ConfigError naming the bad variable.
 * @example export const handler = createApp(process.env).handler;
 */
export function createApp(env: Env, options: AppOptions = {}): App {
  const config = loadConfig(env);
  const albKeys = new AlbKeyCache({ endpoint: config.keyEndpoint, timeoutMs: config.keyFetchTimeoutMs });
  const handler = createHandler({
    userTokens: createAlbTokenVerifier(config, albKeys),
    logger: createLogger(options.writeLog),
  });
  return { handler, config, albKeys };
}
