// `alb-oidc-target-emulator invoke` / `npm run invoke -- <event.json> [--as-is] [--handler <file>[#export]]`: runs the Lambda handler (the sample function or a module of yours) on a sample ALB event, minting a fresh token (ALB user token or RS256 machine bearer token) with a local key and serving it from a loopback key server.
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import type { ALBEvent, ALBResult } from "aws-lambda";
import {
  DEFAULT_ALB_ARN,
  DEFAULT_CLIENT_ID,
  DEFAULT_ISSUER,
  DEFAULT_M2M_AUDIENCE,
  DEFAULT_M2M_ISSUER,
  createAlbKey,
  createRsaKey,
  mintAlbToken,
  mintMachineToken,
  startKeyServer,
  type KeyServer,
} from "alb-oidc-target/testing";
import { loadHandler, parseHandlerSpec } from "./emulator/targets/handler-module.js";
import { albVerdict, describeVerdict } from "./emulator/targets/lambda-result.js";
import { sampleHandler } from "./sample/whoami.js";
import { runDirectly } from "./run-directly.js";

/**
 * A sample event: an ALB event plus an optional `mint` block describing the user whose token
 * the tool mints. Samples describe claims, never stale tokens.
 */
export interface SampleEvent extends ALBEvent {
  readonly description?: string;
  readonly mint?: {
    /** Userinfo claims of the user (`sub` becomes x-amzn-oidc-identity). */
    readonly claims: Readonly<Record<string, unknown>>;
    /** Seconds until exp; negative for an expired token. Default 60, as the ALB. */
    readonly expiresIn?: number;
    /** Send this x-amzn-oidc-identity instead of the claims' sub. */
    readonly identity?: string;
  };
  /**
   * A machine request: mint an RS256 client-credentials token sent as `Authorization: Bearer`,
   * signed by a local RSA key whose JWKS the key server serves at /jwks.json.
   */
  readonly mintMachine?: {
    /** Space-separated scopes. */
    readonly scope?: string;
    /** Seconds until exp; negative for an expired token. Default 300. */
    readonly expiresIn?: number;
    readonly clientId?: string;
    /** Further claims to add or override. */
    readonly claims?: Readonly<Record<string, unknown>>;
  };
  /** Variables this sample needs (e.g. ALLOWED_EMAIL_DOMAINS); the real environment overrides them. */
  readonly env?: Readonly<Record<string, string>>;
}

/** What a local invocation needs besides the event: env for the handler and whatever must be stopped afterwards. */
export interface Prepared {
  readonly event: ALBEvent;
  readonly env: Record<string, string | undefined>;
  readonly servers: KeyServer[];
}

function setHeader(event: ALBEvent, name: string, value: string): void {
  if (event.multiValueHeaders) event.multiValueHeaders[name] = [value];
  else event.headers = { ...event.headers, [name]: value };
}

/** Mints what the sample asks for and returns the event and env to run it with. */
export async function prepare(sample: SampleEvent, baseEnv: Record<string, string | undefined>): Promise<Prepared> {
  const { mint, mintMachine, env: sampleEnv, description: _description, ...rest } = sample;
  const event: ALBEvent = structuredClone(rest);
  const key = createAlbKey();
  const server = await startKeyServer({ keys: [key] });
  const env: Record<string, string | undefined> & { LOAD_BALANCER_ARN: string; ISSUER: string; CLIENT_ID: string } = {
    ...sampleEnv,
    ...baseEnv,
    LOAD_BALANCER_ARN: baseEnv.LOAD_BALANCER_ARN ?? DEFAULT_ALB_ARN,
    ISSUER: baseEnv.ISSUER ?? DEFAULT_ISSUER,
    CLIENT_ID: baseEnv.CLIENT_ID ?? DEFAULT_CLIENT_ID,
    ALB_PUBLIC_KEY_ENDPOINT: server.url,
  };
  if (mint) {
    const token = mintAlbToken({
      key,
      claims: mint.claims,
      issuer: env.ISSUER,
      clientId: env.CLIENT_ID.split(",")[0]?.trim() ?? DEFAULT_CLIENT_ID,
      signer: env.LOAD_BALANCER_ARN.split(",")[0]?.trim() ?? DEFAULT_ALB_ARN,
      expiresIn: mint.expiresIn ?? 60,
    });
    setHeader(event, "x-amzn-oidc-accesstoken", `local-${randomBytes(16).toString("hex")}`);
    setHeader(event, "x-amzn-oidc-identity", mint.identity ?? String(mint.claims.sub));
    setHeader(event, "x-amzn-oidc-data", token);
  }
  if (mintMachine !== undefined || env.M2M_PATH_PREFIXES !== undefined) {
    env.M2M_PATH_PREFIXES ??= "/api/";
    env.M2M_ISSUER ??= DEFAULT_M2M_ISSUER;
    // Machine routes require an audience (or an explicit "none"): the minted tokens are for this one.
    env.M2M_AUDIENCE ??= DEFAULT_M2M_AUDIENCE;
    env.M2M_JWKS_URI = `${server.url}/jwks.json`;
  }
  if (mintMachine) {
    const rsa = createRsaKey();
    server.addKey(rsa);
    const token = mintMachineToken({
      key: rsa,
      issuer: env.M2M_ISSUER,
      audience: env.M2M_AUDIENCE?.split(",")[0]?.trim() ?? DEFAULT_M2M_AUDIENCE,
      scope: mintMachine.scope ?? null,
      expiresIn: mintMachine.expiresIn ?? 300,
      ...(mintMachine.clientId !== undefined && { clientId: mintMachine.clientId }),
      ...(mintMachine.claims !== undefined && { payload: mintMachine.claims }),
    });
    setHeader(event, "authorization", `Bearer ${token}`);
  }
  return { event, env, servers: [server] };
}

/** Runs one event through the handler built exactly as Lambda builds it; logs go to stderr. */
export async function invoke(event: ALBEvent, env: Record<string, string | undefined>, handlerSpec?: string): Promise<ALBResult> {
  const awsRequestId = `local-${randomBytes(4).toString("hex")}`;
  if (handlerSpec === undefined) {
    const handler = sampleHandler({ env, writeLog: (l) => process.stderr.write(l) });
    return handler(event, { awsRequestId });
  }
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) clean[k] = v;
  // The environment is in place before the module loads: handlers read it at module scope.
  const handler = await loadHandler(parseHandlerSpec(handlerSpec, process.cwd()), clean);
  return (await handler(event, { awsRequestId, functionName: "local", getRemainingTimeInMillis: () => 30_000 })) as ALBResult;
}

/**
 * Prints (to stderr, so stdout stays the result's JSON) what the ALB answers for the result and why,
 * by the emulator's one check of Lambda results; the target group's mode is the event's.
 */
function printAlbVerdict(event: ALBEvent, result: unknown): void {
  process.stderr.write(`${describeVerdict(albVerdict(result, event.multiValueHeaders !== undefined))}\n`);
}

const USAGE = "usage: alb-oidc-target-emulator invoke <event.json> [--as-is] [--handler <file>[#export]]   (npm run invoke -- ...)\n";

/**
 * Runs one sample event and prints the ALB result; returns the exit code.
 * @example process.exitCode = await main(["events/whoami.json", "--handler", "dist/index.js"]);
 */
export async function main(argv: string[]): Promise<number> {
  let values: { "as-is"?: boolean; handler?: string };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: { "as-is": { type: "boolean" }, handler: { type: "string" } },
      allowPositionals: true,
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const file = positionals[0];
  if (!file) {
    process.stderr.write(USAGE);
    return 2;
  }
  const sample = JSON.parse(await readFile(file, "utf8")) as SampleEvent;
  if (values["as-is"]) {
    const result = await invoke(sample, process.env, values.handler);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    printAlbVerdict(sample, result);
    return 0;
  }
  const { event, env, servers } = await prepare(sample, process.env);
  try {
    const result = await invoke(event, env, values.handler);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    printAlbVerdict(event, result);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
  return 0;
}

if (runDirectly(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
