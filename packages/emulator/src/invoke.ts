// `alb-oidc-target-emulator invoke <event> | <flags>` (`npm run invoke -- ...`): runs the Lambda handler (the sample function or a module of yours) on a sample ALB event or one built from flags, minting a fresh token (ALB user token or RS256 machine bearer token) with a local key and serving it from a loopback key server.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
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
import { EmulatorConfigError } from "./emulator/errors.js";
import { loadHandler, parseHandlerSpec } from "./emulator/targets/handler-module.js";
import {
  EVENT_FLAGS,
  EVENTS_DIR,
  eventFromFlags,
  givenEventFlags,
  readEvent,
  sampleEventNames,
  type EventFlags,
  type SampleEvent,
} from "./invoke-event.js";
import { albVerdict, describeVerdict } from "./emulator/targets/lambda-result.js";
import { sampleHandler } from "./sample/whoami.js";
import { runDirectly } from "./run-directly.js";

export type { SampleEvent } from "./invoke-event.js";

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

/** Runs one event through the handler built exactly as Lambda builds it; its logs go to stderr (stdout carries the result alone). */
export async function invoke(event: ALBEvent, env: Record<string, string | undefined>, handlerSpec?: string): Promise<ALBResult> {
  const awsRequestId = `local-${randomBytes(4).toString("hex")}`;
  if (handlerSpec === undefined) {
    const handler = sampleHandler({ env, writeLog: (l) => process.stderr.write(l) });
    return handler(event, { awsRequestId });
  }
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) clean[k] = v;
  // A module logs to stdout (console.log, the runtime's log lines), as in Lambda; stdout is for the result alone, so it can be piped.
  const stdoutWrite = process.stdout.write.bind(process.stdout);
  process.stdout.write = process.stderr.write.bind(process.stderr);
  try {
    // The environment is in place before the module loads: handlers read it at module scope.
    const handler = await loadHandler(parseHandlerSpec(handlerSpec, process.cwd()), clean);
    return (await handler(event, { awsRequestId, functionName: "local", getRemainingTimeInMillis: () => 30_000 })) as ALBResult;
  } finally {
    process.stdout.write = stdoutWrite;
  }
}

/**
 * Prints (to stderr, so stdout stays the result's JSON) what the ALB answers for the result and why,
 * by the emulator's one check of Lambda results; the target group's mode is the event's.
 */
function printAlbVerdict(event: ALBEvent, result: unknown): void {
  process.stderr.write(`${describeVerdict(albVerdict(result, event.multiValueHeaders !== undefined))}\n`);
}

const USAGE_HEAD = `usage: alb-oidc-target-emulator invoke <event> [--handler <file>[#export]] [--as-is]
       alb-oidc-target-emulator invoke [request flags] [--handler <file>[#export]]
       (in this repository: npm run invoke -- ...)

Runs one ALB event through the Lambda handler (the sample function, or --handler) and prints the
ALB result; the function's log goes to stderr. A fresh token is minted for the event with a local
key served on loopback (ALB_PUBLIC_KEY_ENDPOINT); LOAD_BALANCER_ARN, ISSUER, CLIENT_ID from your
environment are used when set.

<event>: a sample event's name (below), or a path to a JSON file (an ALB event, with an optional
"mint" / "mintMachine" block describing the token to mint).

Request flags (instead of <event>):
  --path <path>               default /; with --machine the first of M2M_PATH_PREFIXES (/api/)
  --method <method>           default GET
  --query <name=value>        a query parameter; repeat for more
  --header <"name: value">    a request header; repeat for more
  --body <text>               the request body (base64-encoded in the event unless a text content-type)
  --multi-value               a target group with lambda.multi_value_headers.enabled
  --user <name>               a user authenticate-oidc let through: the x-amzn-oidc-* headers for a
                              demo user (alice, bob) or any other login name
  --machine                   a machine request: an RS256 client-credentials bearer token
  --scope "<scopes>"          the machine token's scopes (with --machine)
  --client-id <id>            the machine token's client_id (with --machine; default orders-service)
  --expires-in=<seconds>      the minted token's lifetime; negative for an expired token: --expires-in=-120

Options:
  --handler <file>[#export]   your Lambda handler module (.js, .mjs, .cjs; .ts through tsx), export "handler" by default
  --as-is                     run the event exactly as given: no token minted (events captured from a real ALB)
  -h, --help                  this text
`;

/** The usage with every sample event by name and what it shows. */
export function usage(): string {
  const names = sampleEventNames();
  const width = Math.max(...names.map((n) => n.length)) + 2;
  const lines = names.map((name) => {
    let description = "";
    try {
      description = (JSON.parse(readFileSync(`${EVENTS_DIR}${name}.json`, "utf8")) as SampleEvent).description ?? "";
    } catch {
      // A sample that cannot be read is still listed by name; invoking it names the problem.
    }
    return `  ${name.padEnd(width)}${description}`;
  });
  return `${USAGE_HEAD}\nSample events (${EVENTS_DIR}):\n${lines.join("\n")}\n`;
}

/** The event the arguments name or describe. */
function eventOf(positionals: string[], flags: EventFlags, env: Readonly<Record<string, string | undefined>>): SampleEvent {
  const given = givenEventFlags(flags);
  if (positionals.length > 1) throw new EmulatorConfigError(`one event at a time, got ${positionals.length}: ${positionals.join(" ")}`);
  const [nameOrPath] = positionals;
  if (nameOrPath !== undefined) {
    if (given.length > 0)
      throw new EmulatorConfigError(`give an event (${nameOrPath}) or build one with flags (${given.join(", ")}), not both`);
    return readEvent(nameOrPath);
  }
  if (given.length === 0)
    throw new EmulatorConfigError(
      `no event: name one (${sampleEventNames().slice(0, 3).join(", ")}, ...), give a JSON file, or build one with --path, --user, --machine`,
    );
  return eventFromFlags(flags, env);
}

/**
 * Runs one event and prints the ALB result; returns the exit code (2 for a usage mistake, printed as one line).
 * @example process.exitCode = await main(["whoami", "--handler", "dist/index.js"]);
 * @example process.exitCode = await main(["--path", "/api/orders", "--machine", "--scope", "orders:read"]);
 */
export async function main(argv: string[]): Promise<number> {
  let run: () => Promise<void>;
  try {
    const values = parseFlags(argv);
    if (values.help) {
      process.stdout.write(usage());
      return 0;
    }
    const sample = eventOf(values.positionals, values, process.env);
    // A missing or misnamed handler file is a usage mistake too: named before anything starts.
    if (values.handler !== undefined) parseHandlerSpec(values.handler, process.cwd());
    run = () => runEvent(sample, values["as-is"] ?? false, values.handler);
  } catch (err) {
    if (!(err instanceof EmulatorConfigError)) throw err;
    process.stderr.write(`invoke: ${err.message} (alb-oidc-target-emulator invoke --help)\n`);
    return 2;
  }
  try {
    await run();
  } catch (err) {
    // The function's configuration error (its cold start failing, as in Lambda): one line naming the variable.
    // By name: a handler module of yours brings its own copy of alb-oidc-target.
    if ((err as Error | undefined)?.name !== "ConfigError") throw err;
    process.stderr.write(`invoke: the function's configuration: ${(err as Error).message}\n`);
    return 1;
  }
  return 0;
}

/** The command line, parsed; an unknown flag or a missing value is an EmulatorConfigError (one line). */
function parseFlags(argv: string[]) {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...EVENT_FLAGS, "as-is": { type: "boolean" }, handler: { type: "string" }, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
    return { ...values, positionals };
  } catch (err) {
    // Node's message goes on about positionals after "--": the first sentence says what is wrong.
    throw new EmulatorConfigError((err as Error).message.split(/\.\s/)[0] ?? "", { cause: err });
  }
}

async function runEvent(sample: SampleEvent, asIs: boolean, handlerSpec: string | undefined): Promise<void> {
  if (asIs) {
    const { mint: _mint, mintMachine: _machine, env: _env, description: _description, ...event } = sample;
    const result = await invoke(event, process.env, handlerSpec);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    printAlbVerdict(event, result);
    return;
  }
  const { event, env, servers } = await prepare(sample, process.env);
  try {
    const result = await invoke(event, env, handlerSpec);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    printAlbVerdict(event, result);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
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
