// `alb-oidc-target-emulator` / `npm start`: the local ALB emulator (embedded OIDC provider by default) in front of the sample function, a handler module, an HTTP upstream or a template's own functions.
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { ConfigError } from "alb-oidc-target";
import { assertIntegerInRange, type Fail } from "alb-oidc-target/rules";
import { banner } from "./emulator/banner.js";
import { startEmulator, type EmulatorOptions } from "./emulator/emulator.js";
import { EmulatorConfigError, loadEmulatorConfig, withEmbeddedIdp } from "./emulator/listener/config-file.js";
import { templateListener } from "./emulator/listener/template.js";
import { describeSelfCheck, loginProblems, selfCheck } from "./emulator/self-check.js";
import type { TargetOption } from "./emulator/targets/target-group.js";
import { runDirectly } from "./run-directly.js";

const DEFAULT_CONFIG = "alb.config.json";

export const USAGE = `usage: alb-oidc-target-emulator [options]            the local ALB emulator (in this repository: npm start -- [options])
       alb-oidc-target-emulator <command> [options]  (below)

Targets (one; the sample function by default, with --template each target group's own function):
  --handler <file>[#export]   a Lambda handler module (.js, .mjs, .cjs; .ts through tsx); export "handler" by default
  --upstream <http://host:port>
                              an HTTP server (instance/IP target); loopback only unless --allow-remote-upstream
  --allow-remote-upstream     let --upstream be another host (it receives your users' tokens)
  --upstream-timeout <s>      idle timeout before a 504 (default 60, the ALB's)
  --timeout <s>               the function's timeout before a 502 (default 3, Lambda's; wins over a template's Timeout)

Listener (one source):
  --config <file>             the ALB fields as JSON (default alb.config.json when it exists, else built-in defaults)
  --template <file>           a CloudFormation template, JSON or YAML (cdk synth's, sam build's): the listener
                              whose rules authenticate, its target groups' own functions (their code next to
                              the template, Handler, Environment, Timeout) unless --handler or --upstream is given
  --listener <logicalId>      with --template: this listener instead (when several authenticate, or another one)
  --embedded-idp              swap every IdP the rules name for the embedded provider

  -h, --help                  this text

Environment: PORT (3000), IDP_PORT (PORT+1), KEY_PORT (PORT+2), IDP_ACCESS_TOKEN_TTL (seconds the
embedded provider's access tokens live, 3600; sessions refresh when they expire), ALB_CLIENT_SECRET
(a template's {{resolve:secretsmanager:...}} client secret); the rest is passed on to the function.

Commands:
  invoke <event> | <request flags> [--handler <file>[#export]] [--as-is]
                              run a Lambda handler on one ALB event: a sample by name (whoami, expired,
                              machine-orders, ...), a JSON file, or one built from flags (invoke --help)
  token [--scope "<scopes>"]  a client-credentials token from the running emulator's provider (token --help)
  emulate [options]           the same as no command (its older name)

See README.md#run-your-own-app-behind-the-emulator
`;

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new EmulatorConfigError(`${name} must be a port number from 0 to 65535, got "${raw}"`);
  return n;
}

/** The embedded provider's access-token lifetime: whole seconds, at most a day. */
function accessTokenTtl(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env.IDP_ACCESS_TOKEN_TTL;
  if (raw === undefined || raw.trim() === "") return undefined;
  const fail: Fail = (name, problem) => {
    throw new EmulatorConfigError(`${name} ${problem}`);
  };
  return assertIntegerInRange(fail, "IDP_ACCESS_TOKEN_TTL", Number(raw), {
    min: 1,
    max: 86400,
    what: "a whole number of seconds",
    shown: raw,
  });
}

const FLAGS = {
  config: { type: "string", short: "c" },
  handler: { type: "string" },
  upstream: { type: "string" },
  "allow-remote-upstream": { type: "boolean", default: false },
  "upstream-timeout": { type: "string" },
  timeout: { type: "string" },
  template: { type: "string" },
  listener: { type: "string" },
  "embedded-idp": { type: "boolean", default: false },
} as const;

/** The flags, checked for one another: two targets, two listener sources, a flag without the one it needs. */
function parseFlags(argv: string[]) {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: FLAGS, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new EmulatorConfigError(`${(err as Error).message}\n\n${USAGE}`, { cause: err });
  }
  if (values.handler !== undefined && values.upstream !== undefined)
    throw new EmulatorConfigError("--handler and --upstream are two targets: the emulator forwards to one");
  if (values.template !== undefined && values.config !== undefined)
    throw new EmulatorConfigError("--template and --config both describe the listener: give one");
  if (values.listener !== undefined && values.template === undefined) throw new EmulatorConfigError("--listener needs --template");
  if (values["allow-remote-upstream"] && values.upstream === undefined)
    throw new EmulatorConfigError("--allow-remote-upstream needs --upstream");
  return values;
}

/** --timeout: whole seconds in Lambda's range, or undefined (Lambda's default then). */
function functionTimeoutS(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const s = Number(raw);
  if (!Number.isInteger(s) || s < 1 || s > 900)
    throw new EmulatorConfigError(`--timeout must be whole seconds from 1 to 900 (Lambda's range), got "${raw}"`);
  return s;
}

/** The target the flags name: --handler, a template's own functions or the sample function (with the function's timeout), or --upstream (with its own). */
function targetOption(values: ReturnType<typeof parseFlags>): TargetOption {
  if (values.timeout !== undefined && values.upstream !== undefined)
    throw new EmulatorConfigError("--timeout is the function's; an HTTP upstream has --upstream-timeout");
  const timeoutS = functionTimeoutS(values.timeout);
  let timeoutMs: number | undefined;
  if (values["upstream-timeout"] !== undefined) {
    const s = Number(values["upstream-timeout"]);
    if (!(s > 0 && s <= 4000))
      throw new EmulatorConfigError(`--upstream-timeout must be seconds from 1 to 4000, got "${values["upstream-timeout"]}"`);
    timeoutMs = s * 1000;
  }
  const fnTimeout = timeoutS === undefined ? {} : { timeoutS };
  let target: TargetOption = { kind: values.template === undefined ? "sample" : "template", ...fnTimeout };
  if (values.handler !== undefined) target = { kind: "handler", handler: values.handler, ...fnTimeout };
  if (values.upstream !== undefined)
    target = { kind: "upstream", url: values.upstream, allowRemote: values["allow-remote-upstream"], ...(timeoutMs && { timeoutMs }) };
  return target;
}

/**
 * Parses the `emulate` flags into emulator options (env: PORT, IDP_PORT, KEY_PORT, IDP_ACCESS_TOKEN_TTL, ALB_CLIENT_SECRET, the function's own).
 * @throws EmulatorConfigError naming the flag.
 * @example emulatorOptions(["--upstream", "http://127.0.0.1:8080"], process.env)
 */
export function emulatorOptions(argv: string[], env: NodeJS.ProcessEnv): { options: EmulatorOptions; source: string } {
  const values = parseFlags(argv);
  const target = targetOption(values);
  const listenPort = port(env, "PORT", 3000);
  const idpPort = port(env, "IDP_PORT", listenPort === 0 ? 0 : listenPort + 1);
  const keyPort = port(env, "KEY_PORT", listenPort === 0 ? 0 : listenPort + 2);
  const idpAccessTokenTtlS = accessTokenTtl(env);
  const base = { target, port: listenPort, idpPort, keyPort, functionEnv: env, ...(idpAccessTokenTtlS && { idpAccessTokenTtlS }) };
  if (values.template !== undefined) {
    const listener = templateListener({
      path: values.template,
      listenerId: values.listener,
      embeddedIdp: values["embedded-idp"],
      env,
    });
    return { options: { ...base, listener }, source: listener.description };
  }
  const configPath = values.config ?? DEFAULT_CONFIG;
  const loaded = loadEmulatorConfig(configPath, values.config !== undefined);
  const file = values["embedded-idp"] ? withEmbeddedIdp(loaded) : loaded;
  // The banner never names a file that is not there: without alb.config.json, the defaults are the emulator's own.
  const from = values.config !== undefined || existsSync(configPath) ? configPath : "built-in defaults";
  return { options: { ...base, file }, source: `${from}${values["embedded-idp"] ? ", IdPs swapped for the embedded provider" : ""}` };
}

/**
 * Runs the emulator until SIGINT/SIGTERM; resolves with the exit code once stopped.
 * @example process.exitCode = await main(["--handler", "dist/index.js"]);
 */
export async function main(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(USAGE);
    return 0;
  }
  let emulator;
  try {
    const { options, source } = emulatorOptions(argv, process.env);
    emulator = await startEmulator(options);
    if (emulator.app) process.stdout.write(describeSelfCheck(await selfCheck(emulator), await loginProblems(emulator)));
    process.stdout.write(`${banner(emulator, source)}\n`);
  } catch (err) {
    if (emulator) await emulator.stop();
    if (err instanceof EmulatorConfigError || err instanceof ConfigError) process.stderr.write(`Configuration error: ${err.message}\n`);
    else if ((err as NodeJS.ErrnoException).code === "EADDRINUSE")
      process.stderr.write(`Port in use: ${(err as Error).message} (set PORT / IDP_PORT / KEY_PORT)\n`);
    else process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
  const running = emulator;
  return new Promise<number>((resolve) => {
    const stop = (signal: string): void => {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
      process.stdout.write(`\n${signal}: stopping the emulator, the OIDC provider and the key server\n`);
      running.stop().then(
        () => resolve(0),
        () => resolve(1),
      );
    };
    const onInt = (): void => stop("SIGINT");
    const onTerm = (): void => stop("SIGTERM");
    process.on("SIGINT", onInt);
    process.on("SIGTERM", onTerm);
  });
}

if (runDirectly(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
