// The emulator's flags (parsed inside start.ts's main) and `invoke --handler`: mistakes are configuration errors naming the flag; the bin dispatches to each main.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { emulatorOptions } from "../src/start.js";
import { REPOSITORY_ROOT } from "./setup.js";

const run = promisify(execFile);
/** The repository's emulator configuration, which `npm start` reads. */
const CONFIG = `${REPOSITORY_ROOT}/alb.config.json`;

describe("the emulator's flags", () => {
  it("reads the target, the ports (KEY_PORT defaults to PORT+2) and the listener source", () => {
    const { options } = emulatorOptions(["--upstream", "http://127.0.0.1:8080", "--upstream-timeout", "5"], { PORT: "4000" });
    expect(options.target).toEqual({ kind: "upstream", url: "http://127.0.0.1:8080", allowRemote: false, timeoutMs: 5000 });
    expect([options.port, options.idpPort, options.keyPort]).toEqual([4000, 4001, 4002]);
    expect(emulatorOptions([], { PORT: "4000", KEY_PORT: "5555" }).options.keyPort).toBe(5555);
    expect(emulatorOptions(["--handler", "test/fixtures/plain-handler.mjs"], {}).options.target).toEqual({
      kind: "handler",
      handler: "test/fixtures/plain-handler.mjs",
    });
  });

  it("--embedded-idp with --config drops the file's IdP fields and keeps the rest", () => {
    const { options, source } = emulatorOptions(["--config", CONFIG, "--embedded-idp"], {});
    expect(source).toBe(`${CONFIG}, IdPs swapped for the embedded provider`);
    expect(options.file).toMatchObject({ Scope: "openid profile email", JwtValidation: { PathPrefixes: ["/api/"] } });
    expect(options.file?.Issuer).toBeUndefined();
  });

  it.each([
    [["--handler", "a.js", "--upstream", "http://127.0.0.1:1"], "--handler and --upstream are two targets: the emulator forwards to one"],
    [["--template", "t.json", "--config", "c.json"], "--template and --config both describe the listener: give one"],
    [["--listener", "Https"], "--listener needs --template"],
    [["--allow-remote-upstream"], "--allow-remote-upstream needs --upstream"],
    [["--upstream", "http://127.0.0.1:1", "--upstream-timeout", "0"], '--upstream-timeout must be seconds from 1 to 4000, got "0"'],
    [["--frobnicate"], "Unknown option '--frobnicate'"],
  ])("%j is refused: %s", (argv, message) => {
    expect(() => emulatorOptions(argv, {})).toThrow(message);
  });

  it("a bad port names the variable and quotes the value", () => {
    expect(() => emulatorOptions([], { KEY_PORT: "70000" })).toThrow('KEY_PORT must be a port number from 0 to 65535, got "70000"');
  });
});

describe("alb-oidc-target-emulator invoke --handler", () => {
  it("runs a sample event through a handler module with a freshly minted token, and prints its ALB result", async () => {
    const { stdout } = await run(process.execPath, [
      "--import",
      "tsx",
      "src/cli.ts",
      "invoke",
      "events/whoami.json",
      "--handler",
      "test/fixtures/my-handler.ts",
    ]);
    const result = JSON.parse(stdout) as { statusCode: number; body: string };
    expect(result.statusCode).toBe(200);
    expect((JSON.parse(result.body) as { identity: string }).identity).toBe("alice");
  });

  it("--help (and `help`) lists every flag of the emulator and every command", async () => {
    for (const args of [["--help"], ["help"]]) {
      const { stdout } = await run(process.execPath, ["--import", "tsx", "src/cli.ts", ...args]);
      const flags = ["--handler", "--upstream", "--allow-remote-upstream", "--upstream-timeout", "--config", "--template", "--listener"];
      for (const flag of [...flags, "--embedded-idp", "--help"]) expect(stdout).toMatch(new RegExp(`^ +(-h, )?${flag} `, "m"));
      for (const command of ["invoke", "token", "emulate"]) expect(stdout).toMatch(new RegExp(`^  ${command} `, "m"));
    }
  });

  it("an unknown command prints the usage and exits 2", async () => {
    await expect(run(process.execPath, ["--import", "tsx", "src/cli.ts", "nope"])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('unknown command "nope"') as unknown,
    });
  });
});
