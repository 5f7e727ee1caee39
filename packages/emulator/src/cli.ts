// The `alb-oidc-target` bin: dispatches `emulate`, `invoke` and `token` to their modules' main(argv) (a minimal stand-in; the package issue owns the real one).
import { runDirectly } from "./run-directly.js";

const USAGE = `usage: alb-oidc-target <command> [options]

  emulate   the local ALB emulator with the embedded OIDC provider (--help for its options)
  invoke    run a Lambda handler on a sample ALB event
  token     a client-credentials token from the running emulator's provider
`;

/** The emulator's optional peer dependencies (and openid-client, the ALB side of its login flow). */
const PEERS = ["oidc-provider", "openid-client", "jose", "tsx"];

/** A missing optional peer, named with the install line; undefined for any other error. */
function missingPeer(err: unknown): string | undefined {
  if ((err as NodeJS.ErrnoException | undefined)?.code !== "ERR_MODULE_NOT_FOUND") return undefined;
  const name = /Cannot find (?:package|module) '([^']+)'/.exec((err as Error).message)?.[1];
  const peer = PEERS.find((p) => name === p || name?.startsWith(`${p}/`));
  return peer && `the emulator needs ${peer}: npm install --save-dev ${PEERS.join(" ")}`;
}

/**
 * Runs one command; resolves with the exit code.
 * @example process.exitCode = await run(["emulate", "--upstream", "http://127.0.0.1:8080"]);
 */
export async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // Each command is loaded on demand, so `token` never loads the emulator and its optional peers.
  switch (command) {
    case "emulate":
      return (await import("./start.js")).main(rest);
    case "invoke":
      return (await import("./invoke.js")).main(rest);
    case "token":
      return (await import("./token.js")).main(rest);
    case undefined:
    case "--help":
    case "-h":
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`unknown command "${command}"\n${USAGE}`);
      return 2;
  }
}

if (runDirectly(import.meta.url)) {
  run(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${missingPeer(err) ?? (err instanceof Error ? (err.stack ?? err.message) : String(err))}\n`);
      process.exit(1);
    },
  );
}
