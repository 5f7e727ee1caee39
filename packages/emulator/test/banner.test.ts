// The start-up banner: the four variables a target needs as shell lines a user can paste, the scopes the login asks for, and where the configuration came from (never a file that is not there).
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_ALB_ARN } from "alb-oidc-target/testing";
import { banner, shellQuote } from "../src/emulator/banner.js";
import { templateListener } from "../src/emulator/listener/template.js";
import { emulatorOptions } from "../src/start.js";
import { startCli } from "alb-oidc-target-test-support/emulator-cli";
import { bannerEnv } from "./python-upstream.js";
import { REPOSITORY_ROOT, testEmulator, type TestEmulator } from "./setup.js";

const execFileAsync = promisify(execFile);

let alb: TestEmulator;
let text: string;
beforeAll(async () => {
  alb = await testEmulator();
  text = banner(alb, "test");
});
afterAll(async () => {
  await alb.stop();
});

/** What a shell makes of the banner's lines: each variable as `env` would show it. */
async function throughShell(lines: string): Promise<Record<string, string>> {
  const script = `${lines}\nprintf '%s\\n' "$LOAD_BALANCER_ARN" "$ISSUER" "$CLIENT_ID" "$ALB_PUBLIC_KEY_ENDPOINT"`;
  const { stdout } = await execFileAsync("sh", ["-c", script], { env: { PATH: process.env.PATH ?? "" } });
  const [LOAD_BALANCER_ARN, ISSUER, CLIENT_ID, ALB_PUBLIC_KEY_ENDPOINT] = stdout.split("\n");
  return {
    LOAD_BALANCER_ARN: LOAD_BALANCER_ARN ?? "",
    ISSUER: ISSUER ?? "",
    CLIENT_ID: CLIENT_ID ?? "",
    ALB_PUBLIC_KEY_ENDPOINT: ALB_PUBLIC_KEY_ENDPOINT ?? "",
  };
}

describe("the environment of the target", () => {
  it("is four `export NAME='value'` lines: LOAD_BALANCER_ARN, ISSUER, CLIENT_ID, ALB_PUBLIC_KEY_ENDPOINT", () => {
    const lines = text.split("\n").filter((l) => l.trimStart().startsWith("export "));
    expect(lines).toEqual([
      `    export LOAD_BALANCER_ARN='${DEFAULT_ALB_ARN}'`,
      `    export ISSUER='${alb.idp?.issuer ?? ""}'`,
      "    export CLIENT_ID='alb-oidc-local'",
      `    export ALB_PUBLIC_KEY_ENDPOINT='http://127.0.0.1:${alb.keyServer.port}'`,
    ]);
    expect(text).toContain("  Environment of the target: paste into the shell of an --upstream server or a container");
  });

  it("pasted into a shell, they set exactly the values the emulator gave its own target", async () => {
    const lines = text
      .split("\n")
      .filter((l) => l.trimStart().startsWith("export "))
      .join("\n");
    const { LOAD_BALANCER_ARN, ISSUER, CLIENT_ID, ALB_PUBLIC_KEY_ENDPOINT } = alb.functionEnv;
    expect(await throughShell(lines)).toEqual({ LOAD_BALANCER_ARN, ISSUER, CLIENT_ID, ALB_PUBLIC_KEY_ENDPOINT });
    expect(ALB_PUBLIC_KEY_ENDPOINT).toBe(alb.keyServer.url);
  });

  it("quotes any value so that the shell takes it literally: quotes, $, backticks, spaces", async () => {
    const odd = "it's $HOME `id` a b";
    expect(shellQuote(odd)).toBe(`'it'\\''s $HOME \`id\` a b'`);
    const shell = await throughShell(`export LOAD_BALANCER_ARN=${shellQuote(odd)}`);
    expect(shell.LOAD_BALANCER_ARN).toBe(odd);
    expect(bannerEnv(`    export ISSUER=${shellQuote(odd)}`, "ISSUER")).toBe(odd);
  });
});

describe("the scopes the login asks for", () => {
  it("one line with the Scope of the authenticate-oidc rule", () => {
    expect(text).toContain(`  Scopes asked for at login:   openid profile email\n`);
    expect(text).toContain("authenticate-oidc (authenticate, " + (alb.idp?.issuer ?? "") + ', scope "openid profile email") -> forward');
  });

  it('the ALB\'s default "openid" alone, with what it means for the claims', async () => {
    const bare = await testEmulator({ file: { Scope: "openid" } });
    try {
      expect(banner(bare, "built-in defaults")).toContain(
        `  Scopes asked for at login:   openid (the ALB's default: the claims carry sub and little else; set Scope, e.g. "openid profile email")\n`,
      );
    } finally {
      await bare.stop();
    }
  });

  it("rules with different scopes: each scope with its rules", async () => {
    const template = JSON.parse(readFileSync("test/fixtures/listener.template.json", "utf8")) as {
      Resources: { XhrRule: { Properties: { Actions: { AuthenticateOidcConfig?: { Scope: string } }[] } } };
    };
    const xhr = template.Resources.XhrRule.Properties.Actions[0]?.AuthenticateOidcConfig;
    if (!xhr) throw new Error("the fixture's XhrRule has no authenticate-oidc action");
    xhr.Scope = "openid";
    const path = join(mkdtempSync(join(tmpdir(), "alb-banner-")), "scopes.template.json");
    writeFileSync(path, JSON.stringify(template));
    const e = await testEmulator({ listener: templateListener({ path, embeddedIdp: true, env: {} }) });
    try {
      expect(banner(e, "template")).toContain(
        "  Scopes asked for at login:\n    openid   (XhrRule)\n    openid profile email   (HttpsListener DefaultActions)\n",
      );
    } finally {
      await e.stop();
    }
  });
});

describe("where the configuration came from", () => {
  it("--config <file>: the file", () => {
    const config = `${REPOSITORY_ROOT}/alb.config.json`;
    expect(emulatorOptions(["--config", config], {}).source).toBe(config);
  });

  it("no --config and no alb.config.json in the working directory: built-in defaults, no file named", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "alb-emulator-nofile-"));
    const cli = await startCli(["--handler", resolve("test/fixtures/plain-handler.mjs")], { cwd });
    try {
      const printed = cli.banner;
      expect(printed).toContain("  Listener rules (built-in defaults; first match wins):\n");
      expect(printed).toContain("  Configuration (built-in defaults):\n");
      expect(printed).not.toContain("alb.config.json");
    } finally {
      await cli.stop();
    }
  });
});
