// End to end: this repository's stack synthesized in-process to a temporary cdk.out, the emulator started on its template with `--template <file> --embedded-idp` and no other flag, alice logged in: the answer is the sample function's own, from the bundle CDK packaged next to the template.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { App } from "aws-cdk-lib";
import { build } from "esbuild";
import { Browser } from "alb-oidc-target-test-support/browser";
import { startCli, type CliProcess } from "alb-oidc-target-test-support/emulator-cli";
import { APP_DIR, createStack } from "../lib/app";
import { EXAMPLE_CONTEXT } from "./helpers";

describe("cdk synth, then alb-oidc-target-emulator --template <stack>.template.json --embedded-idp", () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "alb-oidc-target-sample-e2e-"));
  const outdir = path.join(work, "cdk.out");
  let templatePath = "";
  let emulator: CliProcess | undefined;

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
    emulator = await startCli(["--template", templatePath, "--embedded-idp"], { cwd: APP_DIR });
  });

  after(async () => {
    await emulator?.stop();
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
    const url = emulator?.url;
    assert.ok(url, "the banner names no listener URL");
    const {
      final: { res, body },
    } = await new Browser().login(`${url}/`, "alice");
    assert.equal(res.status, 200);
    const answer = JSON.parse(body) as { identity?: string; message?: string };
    assert.equal(answer.identity, "alice");
    assert.equal(answer.message, "Token is valid");
  });
});
