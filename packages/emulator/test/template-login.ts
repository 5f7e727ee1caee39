// CI check: each synthesized template given (e.g. sample/cdk.out/*.template.json) runs in the emulator as a user runs it, `--template <file> --embedded-idp` with no --listener, and alice logs in through the listener it picks.
// Usage: tsx test/template-login.ts <template.json>...   (exit 0 when every login ends on a 200 with her verified claims)
import { startEmulator } from "../src/emulator/emulator.js";
import { templateListener } from "../src/emulator/listener/template.js";
import { banner } from "../src/emulator/banner.js";
import { Browser } from "./browser.js";

async function loginThrough(path: string): Promise<void> {
  // No listenerId: the emulator picks the listener whose rules authenticate, as `--template` without `--listener` does.
  const source = templateListener({ path, embeddedIdp: true, env: {} });
  const alb = await startEmulator({ listener: source, port: 0, idpPort: 0, keyPort: 0, writeLog: () => undefined });
  try {
    process.stdout.write(`${banner(alb, source.description)}\n`);
    if (!alb.listener.rules.some((r) => r.auth?.type === "authenticate-oidc"))
      throw new Error(`${source.description}: the listener picked has no authenticate-oidc rule`);
    const { final } = await new Browser().login(`${alb.url}/`, "alice");
    const body = JSON.parse(final.body) as { message?: string; identity?: string };
    if (final.res.status !== 200 || body.identity !== "alice")
      throw new Error(`login through ${source.description} ended with ${final.res.status}: ${final.body.slice(0, 300)}`);
    process.stdout.write(`ok: ${source.description}: alice logged in, the function answered ${final.res.status} "${body.message ?? ""}"\n`);
  } finally {
    await alb.stop();
  }
}

async function main(paths: string[]): Promise<number> {
  if (paths.length === 0) {
    process.stderr.write("usage: tsx test/template-login.ts <template.json>...\n");
    return 2;
  }
  for (const path of paths) await loginThrough(path);
  process.stdout.write(`${paths.length} template(s) checked\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
