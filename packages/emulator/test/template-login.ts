// CI check: each synthesized template given (e.g. sample/cdk.out/*.template.json) runs in the emulator as a user runs it, `--template <file> --embedded-idp` with no --listener and no --handler, and alice logs in through the listener it picks to the template's own function.
// Usage: tsx test/template-login.ts <template.json>...   (exit 0 when every login ends on the function's 200; a whoami, as the sample's, must name alice)
import { isLambdaTarget, startEmulator } from "../src/emulator/emulator.js";
import { request } from "node:http";
import type { ListenerRule } from "../src/emulator/listener/rules.js";
import { templateListener } from "../src/emulator/listener/template.js";
import { banner } from "../src/emulator/banner.js";
import { Browser } from "alb-oidc-target-test-support/browser";

/**
 * A login rule bound to a host name (an existing listener's rule for notes.example.com) cannot be followed by a
 * client that sends Host: localhost; its first step, with that Host, must be the redirect to the embedded provider.
 */
async function redirectsToLogin(url: string, rule: ListenerRule | undefined, authorizationEndpoint: string): Promise<void> {
  const host =
    rule?.conditions
      .find((c) => c.field === "host-header")
      ?.values[0]?.replace(/\*/g, "x")
      .replace(/\?/g, "x") ?? "";
  const path =
    rule?.conditions
      .find((c) => c.field === "path-pattern")
      ?.values[0]?.replace(/\*/g, "x")
      .replace(/\?/g, "x") ?? "/";
  const { status, location, ruleName } = await new Promise<{ status: number; location: string; ruleName: string }>((done, fail) => {
    const req = request(`${url}${path}`, { headers: { host } }, (res) => {
      res.resume();
      done({ status: res.statusCode ?? 0, location: String(res.headers.location), ruleName: String(res.headers["x-alb-emulator-rule"]) });
    });
    req.on("error", fail);
    req.end();
  });
  if (status !== 302 || !location.startsWith(authorizationEndpoint) || ruleName !== rule?.name)
    throw new Error(
      `GET ${path} with Host ${host} answered ${status} ${location} from ${ruleName}, not ${rule?.name}'s redirect to ${authorizationEndpoint}`,
    );
  process.stdout.write(
    `ok: ${rule.name} (Host ${host}) redirects to the embedded provider's login; the whole login needs that Host name, so it is not followed here\n`,
  );
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === "object" && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

async function loginThrough(path: string): Promise<void> {
  // No listenerId: the emulator picks the listener whose rules authenticate, as `--template` without `--listener` does.
  const source = templateListener({ path, embeddedIdp: true, env: {} });
  let alb = await startEmulator({ listener: source, port: 0, idpPort: 0, keyPort: 0, writeLog: () => undefined });
  // A template synthesized without asset metadata has no code next to it: the sample function stands in, said so.
  const own = [...alb.targets.values()];
  if (own.length > 0 && own.every((t) => isLambdaTarget(t) && t.loadError !== undefined)) {
    await alb.stop();
    process.stdout.write(`note: ${path}: no function of the template can run here (no code next to it): the sample function stands in\n`);
    alb = await startEmulator({ listener: source, target: { kind: "sample" }, port: 0, idpPort: 0, keyPort: 0, writeLog: () => undefined });
  }
  try {
    process.stdout.write(`${banner(alb, source.description)}\n`);
    const logins = alb.listener.rules.filter((r) => r.auth?.type === "authenticate-oidc");
    if (logins.length === 0) throw new Error(`${source.description}: the listener picked has no authenticate-oidc rule`);
    const hostBound = logins.every((r) => r.conditions.some((c) => c.field === "host-header"));
    if (hostBound) {
      await redirectsToLogin(alb.url, logins[0], alb.idp?.authorizationEndpoint ?? "");
      return;
    }
    const { final } = await new Browser().login(`${alb.url}/`, "alice");
    // The template's own function answers where the template has its code; a whoami (the sample's) names the user.
    const own = alb.targets.size > 0;
    const body = parseJson(final.body);
    const whoami = typeof body?.identity === "string";
    if (final.res.status !== 200 || (whoami && body.identity !== "alice") || (!own && !whoami))
      throw new Error(`login through ${source.description} ended with ${final.res.status}: ${final.body.slice(0, 300)}`);
    const by = own
      ? `the template's own function (${[...alb.targets.values()].map((t) => t.description).join("; ")})`
      : "the sample function";
    process.stdout.write(
      `ok: ${source.description}: alice logged in, ${by} answered ${final.res.status}${whoami ? ` "${typeof body.message === "string" ? body.message : ""}" for alice` : ""}\n`,
    );
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
