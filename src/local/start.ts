// `npm start`: the local ALB emulator with the embedded OIDC provider in front of this repository's function.
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ConfigError } from "../errors.js";
import { banner } from "./emulator/banner.js";
import { EmulatorConfigError, loadEmulatorConfig } from "./emulator/config.js";
import { startEmulator } from "./emulator/emulator.js";
import { describeSelfCheck, selfCheck } from "./emulator/self-check.js";

const DEFAULT_CONFIG = "alb.config.json";

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new EmulatorConfigError(`${name} must be a port number from 0 to 65535, got "${raw}"`);
  return n;
}

async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { config: { type: "string", short: "c" } } });
  const configPath = values.config ?? DEFAULT_CONFIG;
  const file = loadEmulatorConfig(configPath, values.config !== undefined);
  const listenPort = port("PORT", 3000);
  const idpPort = port("IDP_PORT", listenPort === 0 ? 0 : listenPort + 1);
  const emulator = await startEmulator({ file, port: listenPort, idpPort, functionEnv: process.env });
  process.stdout.write(describeSelfCheck(await selfCheck(emulator)));
  process.stdout.write(`${banner(emulator, configPath)}\n`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping the emulator, the OIDC provider and the key server\n`);
    emulator.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", () => stop("SIGINT"));
  process.once("SIGTERM", () => stop("SIGTERM"));
}

/**
 * `alb-oidc-target emulate [--config file]`: starts the emulator and resolves 0 once it listens (its
 * servers keep the process alive until SIGINT/SIGTERM); 1 with a message on a configuration error.
 * @example process.exitCode = await main(["--config", "alb.config.json"]);
 */
export async function main(argv: string[]): Promise<number> {
  try {
    await run(argv);
    return 0;
  } catch (err) {
    if (err instanceof EmulatorConfigError || err instanceof ConfigError) process.stderr.write(`Configuration error: ${err.message}\n`);
    else if ((err as NodeJS.ErrnoException).code === "EADDRINUSE")
      process.stderr.write(`Port in use: ${(err as Error).message} (set PORT / IDP_PORT)\n`);
    else process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}

function runDirectly(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

// The bin (src/local/cli.ts) imports main; `tsx src/local/start.ts` runs it.
if (runDirectly()) {
  void main(process.argv.slice(2)).then((code) => {
    // A half-started emulator may hold sockets open: a failure must still end the process.
    if (code !== 0) process.exit(code);
  });
}
