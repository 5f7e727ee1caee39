// CI check: for each synthesized template given (e.g. sample/cdk.out/*.template.json), every listener with an authenticate action runs in the emulator with --embedded-idp and alice logs in through it.
// Usage: tsx test/template-login.ts <template.json>...   (exit 0 when every login ends on a 200 with her verified claims)
import { readFileSync } from "node:fs";
import { startEmulator } from "../src/emulator/emulator.js";
import { listenerIds, templateListener } from "../src/emulator/listener/template.js";
import { banner } from "../src/emulator/banner.js";
import { Browser } from "./browser.js";

/** Listeners (found by type, never by logical id) whose default action or rules authenticate. */
function authenticatingListeners(path: string): string[] {
  const resources = (
    JSON.parse(readFileSync(path, "utf8")) as { Resources?: Record<string, { Type?: string; Properties?: Record<string, unknown> }> }
  ).Resources;
  if (!resources) return [];
  return listenerIds(resources).filter((id) => {
    const rules = Object.values(resources).filter(
      (r) => r.Type === "AWS::ElasticLoadBalancingV2::ListenerRule" && JSON.stringify(r.Properties).includes(`"Ref":"${id}"`),
    );
    return /"authenticate-(oidc|cognito)"/.test(JSON.stringify([resources[id]?.Properties, ...rules]));
  });
}

async function loginThrough(path: string, listenerId: string): Promise<void> {
  const alb = await startEmulator({
    listener: templateListener({ path, listenerId, embeddedIdp: true, env: {} }),
    port: 0,
    idpPort: 0,
    keyPort: 0,
    writeLog: () => undefined,
  });
  try {
    process.stdout.write(`${banner(alb, `${path} ${listenerId}`)}\n`);
    const { final } = await new Browser().login(`${alb.url}/`, "alice");
    const body = JSON.parse(final.body) as { message?: string; identity?: string };
    if (final.res.status !== 200 || body.identity !== "alice")
      throw new Error(`login through ${path} ${listenerId} ended with ${final.res.status}: ${final.body.slice(0, 300)}`);
    process.stdout.write(`ok: ${path} ${listenerId}: alice logged in, the function answered ${final.res.status} "${body.message ?? ""}"\n`);
  } finally {
    await alb.stop();
  }
}

async function main(paths: string[]): Promise<number> {
  if (paths.length === 0) {
    process.stderr.write("usage: tsx test/template-login.ts <template.json>...\n");
    return 2;
  }
  let checked = 0;
  for (const path of paths) {
    for (const id of authenticatingListeners(path)) {
      await loginThrough(path, id);
      checked++;
    }
  }
  if (checked === 0) {
    process.stderr.write(`no listener with authenticate-oidc in ${paths.join(", ")}\n`);
    return 1;
  }
  process.stdout.write(`${checked} listener(s) checked\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
