// `alb-oidc-target-emulator token` / `npm run token -- --scope "<scopes>"`: a client-credentials access token from the running emulator's embedded provider, printed alone for curl.
import { parseArgs } from "node:util";
import * as client from "openid-client";
import { isUnreachable } from "./unreachable.js";
import { DEMO_MACHINE_CLIENT } from "./oidc/machine-client.js";
import { runDirectly } from "./run-directly.js";

export interface TokenRequest {
  /** The provider's issuer URL; discovery runs against it. */
  readonly issuer: string;
  /** Space-separated scopes; empty asks for none. */
  readonly scope: string;
  readonly clientId?: string;
  readonly clientSecret?: string;
  /** Resource indicator (RFC 8707); the embedded provider defaults it to the emulator's URL. */
  readonly resource?: string;
}

/** A failure with a one-line hint for the terminal (never the secret or a token). */
export class TokenError extends Error {
  override readonly name = "TokenError";
}

/** Seconds to wait for the provider: it runs on loopback, so a slow answer means it is not there. */
const TIMEOUT_S = 5;

/** The OAuth error of a refused request: from the JSON body, or from the WWW-Authenticate challenge of a 401. */
function oauthError(err: unknown): string {
  const e = err as { error?: unknown; error_description?: unknown; cause?: unknown; message?: unknown };
  let code = e.error;
  let description = e.error_description;
  if (code === undefined && Array.isArray(e.cause)) {
    const parameters = (e.cause[0] as { parameters?: Record<string, unknown> } | undefined)?.parameters;
    code = parameters?.error;
    description = parameters?.error_description;
  }
  if (typeof code !== "string") return typeof e.message === "string" ? e.message : "unknown error";
  return typeof description === "string" ? `${code}: ${description}` : code;
}

/**
 * The embedded provider's issuer as `npm start` sets it up: IDP_PORT, else PORT + 1, else 3001.
 * @example defaultIssuer({ PORT: "4000" }) // "http://127.0.0.1:4001"
 */
export function defaultIssuer(env: NodeJS.ProcessEnv): string {
  const idpPort = env.IDP_PORT ? Number(env.IDP_PORT) : (env.PORT ? Number(env.PORT) : 3000) + 1;
  if (!Number.isInteger(idpPort) || idpPort <= 0 || idpPort > 65535)
    throw new TokenError(`IDP_PORT / PORT do not give a port (got IDP_PORT="${env.IDP_PORT ?? ""}", PORT="${env.PORT ?? ""}")`);
  return `http://127.0.0.1:${idpPort}`;
}

/**
 * Runs the client-credentials grant (openid-client) and returns the access token.
 * @throws TokenError with a one-line hint when the provider is not reachable or refuses.
 * @example const token = await fetchMachineToken({ issuer: "http://127.0.0.1:3001", scope: "orders:read" });
 */
export async function fetchMachineToken(r: TokenRequest): Promise<string> {
  const clientId = r.clientId ?? DEMO_MACHINE_CLIENT.clientId;
  const clientSecret = r.clientSecret ?? DEMO_MACHINE_CLIENT.clientSecret;
  let issuer: URL;
  try {
    issuer = new URL(r.issuer);
  } catch {
    throw new TokenError(`--issuer must be a URL, got "${r.issuer}"`);
  }
  let config: client.Configuration;
  try {
    config = await client.discovery(issuer, clientId, undefined, client.ClientSecretBasic(clientSecret), {
      timeout: TIMEOUT_S,
      // Plain http is what the embedded provider speaks on loopback.
      // eslint-disable-next-line @typescript-eslint/no-deprecated
      execute: issuer.protocol === "http:" ? [client.allowInsecureRequests] : [],
    });
  } catch (err) {
    if (isUnreachable(err))
      throw new TokenError(
        `cannot reach the OIDC provider at ${issuer.origin}: start the emulator with \`npm start\` first (or pass --issuer)`,
        { cause: err },
      );
    throw new TokenError(`discovery at ${issuer.href} failed: ${(err as Error).message}`, { cause: err });
  }
  const parameters: Record<string, string> = {};
  if (r.scope.trim() !== "") parameters.scope = r.scope.trim();
  if (r.resource) parameters.resource = r.resource;
  try {
    const tokens = await client.clientCredentialsGrant(config, parameters);
    return tokens.access_token;
  } catch (err) {
    if (isUnreachable(err)) {
      throw new TokenError(`the token endpoint of ${issuer.origin} did not answer: is \`npm start\` still running?`, { cause: err });
    }
    throw new TokenError(`the provider refused the client-credentials request for client "${clientId}" (${oauthError(err)})`, {
      cause: err,
    });
  }
}

/**
 * Prints a client-credentials token from the running emulator's provider; returns the exit code.
 * @example process.exitCode = await main(["--scope", "orders:read"]);
 */
export async function main(argv: string[]): Promise<number> {
  try {
    await printToken(argv);
    return 0;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`npm run token: ${message.split("\n")[0] ?? ""}\n`);
    return 1;
  }
}

const USAGE = `usage: alb-oidc-target-emulator token [--scope "<scopes>"] [--issuer <url>] [--client-id <id>] [--client-secret <secret>] [--resource <url>]
       (in this repository: npm run token -- ...)

Prints a client-credentials access token from the running emulator's embedded provider (the demo
machine client by default), for curl -H "Authorization: Bearer $(...)". The provider is found at
IDP_PORT, else PORT + 1, else http://127.0.0.1:3001.
`;

async function printToken(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      help: { type: "boolean", short: "h" },
      scope: { type: "string", short: "s", default: "" },
      issuer: { type: "string" },
      "client-id": { type: "string" },
      "client-secret": { type: "string" },
      resource: { type: "string" },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const token = await fetchMachineToken({
    issuer: values.issuer ?? defaultIssuer(process.env),
    scope: values.scope,
    clientId: values["client-id"],
    clientSecret: values["client-secret"],
    resource: values.resource,
  });
  process.stdout.write(`${token}\n`);
}

// Tests import fetchMachineToken; only `npm run token` (tsx src/token.ts) runs the command.
if (runDirectly(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    () => (process.exitCode = 1),
  );
}
