// End to end: this repository's stack synthesized in-process to a temporary cdk.out, the emulator started on its template with `--template <file> --embedded-idp` and no other flag, alice logged in: the answer is the sample function's own, from the bundle CDK packaged next to the template.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createInterface } from "node:readline";
import { after, before, describe, it } from "node:test";
import { App } from "aws-cdk-lib";
import { build } from "esbuild";
import { CookieJar } from "tough-cookie";
import { APP_DIR, createStack } from "../lib/app";
import { EXAMPLE_CONTEXT } from "./helpers";

/** A cookie-keeping client that follows redirects as a browser does (302/303 become GET). */
class Client {
  readonly jar = new CookieJar();

  async follow(url: string, init: RequestInit = {}): Promise<{ res: Response; url: string; body: string }> {
    let current = url;
    let req = init;
    for (let hop = 0; hop < 12; hop++) {
      const headers = new Headers(req.headers);
      const cookie = await this.jar.getCookieString(current);
      if (cookie) headers.set("cookie", cookie);
      const res = await fetch(current, { ...req, headers, redirect: "manual" });
      for (const c of res.headers.getSetCookie()) await this.jar.setCookie(c, current, { ignoreError: true });
      const location = res.headers.get("location");
      if (res.status < 300 || res.status > 399 || location === null) return { res, url: current, body: await res.text() };
      await res.arrayBuffer();
      current = new URL(location, current).href;
      req = {};
    }
    throw new Error(`more than 12 redirects from ${url}`);
  }

  /** Opens `url`, fills the embedded provider's login form with `login`, and follows back to the application. */
  async login(url: string, login: string): Promise<{ res: Response; body: string }> {
    const page = await this.follow(url);
    const form = /<form[^>]*method="post"[^>]*action="([^"]+)"/i.exec(page.body);
    if (!form?.[1] || !page.body.includes('name="login"'))
      throw new Error(`expected the login page, got ${page.res.status} at ${page.url}`);
    const hidden = [...page.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m): [string, string] => [
      m[1] ?? "",
      m[2] ?? "",
    ]);
    const action = new URL(form[1].replace(/&amp;/g, "&"), page.url).href;
    return this.follow(action, {
      method: "POST",
      body: new URLSearchParams([...hidden, ["login", login]]),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
  }
}

/** Starts `alb-oidc-target-emulator` (from its sources, as `npm start` does) and resolves with its banner once it is ready. */
async function startEmulator(args: string[]): Promise<{ child: ChildProcess; banner: string }> {
  const emulatorDir = path.dirname(require.resolve("alb-oidc-target-emulator/package.json"));
  const child = spawn(
    process.execPath,
    ["--conditions=alb-oidc-target-source", "--import", "tsx", path.join(emulatorDir, "src/cli.ts"), ...args],
    {
      cwd: APP_DIR,
      env: { ...process.env, PORT: "0", IDP_PORT: "0", KEY_PORT: "0" },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const banner = await new Promise<string>((done, fail) => {
    let out = "";
    child.once("exit", (code) => fail(new Error(`the emulator exited with ${String(code)}: ${out}`)));
    createInterface({ input: child.stdout }).on("line", (line) => {
      out += `${line}\n`;
      if (line.includes("Ctrl-C stops everything.")) done(out);
    });
  });
  return { child, banner };
}

describe("cdk synth, then alb-oidc-target-emulator --template <stack>.template.json --embedded-idp", () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "alb-oidc-target-sample-e2e-"));
  const outdir = path.join(work, "cdk.out");
  let templatePath = "";
  let emulator: { child: ChildProcess; banner: string } | undefined;

  before(async () => {
    // The sample function's bundle, built from the current sources as `npm run build` builds dist/.
    const bundleDir = path.join(work, "bundle");
    await build({
      entryPoints: [path.join(APP_DIR, "src", "index.ts")],
      outfile: path.join(bundleDir, "index.js"),
      conditions: ["alb-oidc-target-source"],
      bundle: true,
      platform: "node",
      target: ["node22"],
      format: "cjs",
      logLevel: "warning",
    });
    // The asset metadata (aws:asset:path) is what `cdk synth` adds by default; an App synthesized in-process needs it asked for.
    const app = new App({ outdir, context: { ...EXAMPLE_CONTEXT, assetPath: bundleDir, "aws:cdk:enable-asset-metadata": true } });
    const stack = createStack(app);
    app.synth();
    templatePath = path.join(outdir, stack.templateFile);
    emulator = await startEmulator(["--template", templatePath, "--embedded-idp"]);
  });

  after(async () => {
    const child = emulator?.child;
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGINT");
      await exited;
    }
    fs.rmSync(work, { recursive: true, force: true });
  });

  it("runs the stack's own function from the asset directory CDK wrote next to the template, with its Timeout", () => {
    const banner = emulator?.banner ?? "";
    assert.match(banner, /Targets \(the template's own functions, by target group\):/);
    const line = banner.split("\n").find((l) => l.includes("SampleFunction")) ?? "";
    assert.ok(line.includes(`${outdir}${path.sep}asset.`), `the function's code is not from ${outdir}: ${line}`);
    assert.match(line, /index\.js, export handler, Timeout 10 s/);
  });

  it("alice logs in and the sample function answers with her verified claims", async () => {
    const url = /Application \(ALB listener\): +(http:\/\/localhost:\d+)\//.exec(emulator?.banner ?? "")?.[1];
    assert.ok(url, "the banner names no listener URL");
    const { res, body } = await new Client().login(`${url}/`, "alice");
    assert.equal(res.status, 200);
    const answer = JSON.parse(body) as { identity?: string; message?: string };
    assert.equal(answer.identity, "alice");
    assert.equal(answer.message, "Token is valid");
  });
});
