// The `alb-oidc-target-emulator` bin: with no command it starts the local ALB emulator (the flags `npm start` takes); `invoke` and `token` are commands, `emulate` the old name of the default.
import { runDirectly } from "./run-directly.js";

const COMMANDS = `Commands:
  (none)    the local ALB emulator with the embedded OIDC provider (alb-oidc-target-emulator --help for its options)
  invoke    run a Lambda handler on one ALB event: a sample by name, a JSON file, or built from flags (invoke --help)
  token     a client-credentials token from the running emulator's provider (token --help)
  emulate   the same as no command (its older name)
`;

/**
 * Runs the emulator or one command; resolves with the exit code.
 * @example process.exitCode = await run(["--upstream", "http://127.0.0.1:8080"]);
 */
export async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // Each command is loaded on demand, so `token` never loads the emulator and its provider.
  switch (command) {
    case "invoke":
      return (await import("./invoke.js")).main(rest);
    case "token":
      return (await import("./token.js")).main(rest);
    case "emulate":
      return (await import("./start.js")).main(rest);
    case "help":
      return (await import("./start.js")).main(["--help"]);
    default:
      if (command === undefined || command.startsWith("-")) return (await import("./start.js")).main(argv);
      process.stderr.write(`unknown command "${command}"\n\n${COMMANDS}`);
      return 2;
  }
}

if (runDirectly(import.meta.url)) {
  run(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
