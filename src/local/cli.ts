// The `alb-oidc-target` bin: dispatches `emulate`, `invoke` and `token` to their modules, loading each (and its optional peer packages) only when asked.

const USAGE = `usage: alb-oidc-target <command> [options]

commands:
  emulate [--config alb.config.json]   the local ALB emulator with its embedded OIDC provider
  invoke <event.json> [--as-is]        run one ALB event through the function, print the ALB result
  token --scope "<scopes>"             a client-credentials token from the running emulator's provider
`;

type Main = (argv: string[]) => Promise<number>;

/** The optional peer packages each command needs (they are not installed with the package). */
const PEERS: Readonly<Record<string, readonly string[]>> = {
  emulate: ["oidc-provider", "openid-client", "jose"],
  invoke: [],
  token: ["openid-client"],
};

const COMMANDS: Readonly<Record<string, () => Promise<{ main: Main }>>> = {
  emulate: () => import("./start.js"),
  invoke: () => import("./invoke.js"),
  token: () => import("./token.js"),
};

/** The package a failed import was looking for, if it is one of ours to tell the user about. */
function missingPeer(err: unknown, peers: readonly string[]): string | undefined {
  const e = err as { code?: unknown; message?: unknown };
  if (e.code !== "ERR_MODULE_NOT_FOUND" || typeof e.message !== "string") return undefined;
  const message = e.message;
  return peers.find((p) => message.includes(`'${p}'`) || message.includes(`"${p}"`));
}

/**
 * Runs one command and resolves its exit code (2 for a usage error).
 * @example process.exitCode = await run(["invoke", "events/whoami.json"]);
 */
export async function run(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(USAGE);
    return command === undefined ? 2 : 0;
  }
  const load = COMMANDS[command];
  if (!load) {
    process.stderr.write(`alb-oidc-target: unknown command "${command}"\n${USAGE}`);
    return 2;
  }
  const peers = PEERS[command] ?? [];
  let main: Main;
  try {
    ({ main } = await load());
  } catch (err) {
    const peer = missingPeer(err, peers);
    if (peer === undefined) throw err;
    process.stderr.write(
      `alb-oidc-target ${command} needs ${peers.join(", ")} (optional peer dependencies, not installed: ${peer}).\n` +
        `Install them with: npm install --save-dev ${peers.join(" ")}\n`,
    );
    return 1;
  }
  return main(rest);
}

run(process.argv.slice(2)).then(
  (code) => {
    // emulate resolves 0 while its servers run: only a failure ends the process here.
    if (code !== 0) process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(`alb-oidc-target: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
