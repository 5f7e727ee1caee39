// `npm run test:consumer`: a fresh CDK app installs the packed construct (and the runtime it depends on) as a user would, puts its own function on a new ALB and on an imported listener, synthesizes offline; cdk-nag and cfn-lint find no error.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const PACKAGE_DIR = resolve(import.meta.dirname, "../..");
const REPOSITORY_ROOT = resolve(PACKAGE_DIR, "../..");
const FIXTURE = join(PACKAGE_DIR, "test/consumer/fixture");
const keep = process.argv.includes("--keep");

/** What the fixture's app builds (fixture/bin/app.ts). */
const NEW_ALB = "ConsumerNewAlb";
const EXISTING = "ConsumerExistingListener";
const LISTENER_ARN = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/shared/0123456789abcdef/fedcba9876543210";
const LOAD_BALANCER_ARN = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/shared/0123456789abcdef";

/** The versions this repository builds and tests with (the root lock), for everything from the registry. */
const locked = JSON.parse(readFileSync(join(REPOSITORY_ROOT, "package-lock.json"), "utf8")).packages;
const REGISTRY_PACKAGES = ["aws-cdk-lib", "constructs", "aws-cdk", "cdk-nag", "tsx", "typescript", "@types/node"].map((name) => {
  const version = locked[`node_modules/${name}`]?.version;
  if (version === undefined) throw new Error(`${name} is not in the root package-lock.json`);
  return `${name}@${version}`;
});

/**
 * The app runs as a user's does: without this repository's source condition, without AWS credentials
 * or configuration (nothing may be looked up), without the CLI's version check and telemetry.
 */
const ENV = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("AWS_") && !key.startsWith("CDK_")));
ENV.NODE_OPTIONS = (process.env.NODE_OPTIONS ?? "").replace(/--conditions[= ]alb-oidc-target-source/g, "").trim();
Object.assign(ENV, {
  npm_config_audit: "false",
  npm_config_fund: "false",
  AWS_EC2_METADATA_DISABLED: "true",
  CDK_DISABLE_VERSION_CHECK: "1",
  CDK_DISABLE_CLI_TELEMETRY: "1",
});

const started = Date.now();
function sh(cmd, args, cwd, extraEnv = {}) {
  process.stdout.write(`[${Math.round((Date.now() - started) / 1000)}s] $ ${cmd} ${args.join(" ")}\n`);
  return execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], env: { ...ENV, ...extraEnv } });
}

/** The cdk and runtime tarballs: those CI packed already (PACK_DIR=...), or packed now (prepack builds each). */
function tarballs(work) {
  const dir = process.env.PACK_DIR ? resolve(process.env.PACK_DIR) : join(work, "pack");
  if (!process.env.PACK_DIR) {
    mkdirSync(dir);
    for (const workspace of ["alb-oidc-target", "alb-oidc-target-cdk"]) {
      sh("npm", ["pack", "--silent", `--workspace=${workspace}`, "--pack-destination", dir], REPOSITORY_ROOT);
    }
  }
  const find = (re) => {
    const found = readdirSync(dir).filter((name) => re.test(name));
    if (found.length !== 1) throw new Error(`expected one tarball matching ${re} in ${dir}, found ${found.join(", ") || "none"}`);
    return join(dir, found[0]);
  };
  return { cdk: find(/^alb-oidc-target-cdk-\d.*\.tgz$/), runtime: find(/^alb-oidc-target-\d.*\.tgz$/) };
}

/** Resources by type, for the report and the checks. */
function countByType(template) {
  const counts = {};
  for (const { Type } of Object.values(template.Resources)) counts[Type] = (counts[Type] ?? 0) + 1;
  return counts;
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

function checkInstall(app) {
  const lock = JSON.parse(readFileSync(join(app, "package-lock.json"), "utf8")).packages;
  // Neither package is published: the runtime the construct depends on must be the tarball, not a registry namesake.
  for (const name of ["alb-oidc-target", "alb-oidc-target-cdk"]) {
    const entry = lock[`node_modules/${name}`];
    expect(entry?.resolved?.startsWith("file:"), `${name} was not installed from its tarball: ${JSON.stringify(entry)}`);
  }
  // aws-cdk-lib and constructs are peers: the app's own copies, never a second one under the package.
  for (const peer of ["aws-cdk-lib", "constructs"]) {
    expect(!lock[`node_modules/alb-oidc-target-cdk/node_modules/${peer}`], `the package brought its own ${peer}: it must be a peer`);
  }
  expect(!lock["node_modules/alb-oidc-target-emulator"], "the emulator was installed with the construct");

  // The build is there (prepack), declarations included; nothing of this repository's own app or paths.
  const dist = join(app, "node_modules/alb-oidc-target-cdk/dist");
  const files = readdirSync(dist);
  const js = files.filter((f) => f.endsWith(".js"));
  expect(js.includes("index.js") && js.length >= 4, `dist/ holds only ${files.join(", ")}`);
  for (const file of js) expect(files.includes(file.replace(/\.js$/, ".d.ts")), `dist/${file} has no declaration file`);
  const repositoryOnly = [
    /repository root/i,
    /npm run build/,
    /\bsample(Function|\/|-function)/i,
    /\.\.\/\.\.\//,
    /packages\/(cdk|alb-oidc-target)/,
  ];
  for (const file of files) {
    const text = readFileSync(join(dist, file), "utf8");
    const hit = repositoryOnly.find((re) => re.test(text));
    expect(hit === undefined, `dist/${file} speaks of this repository (${hit}): the package's messages are about the user's app`);
  }
  return files.length;
}

/** cdk-nag's findings in a validation report (CDK writes it only when a plugin reported something). */
function nagFindings(outDir) {
  const file = join(outDir, "validation-report.json");
  if (!existsSync(file)) return [];
  const report = JSON.parse(readFileSync(file, "utf8"));
  return report.pluginReports
    .filter((p) => p.pluginName === "AwsSolutions")
    .flatMap((p) =>
      p.violations.map((v) => ({ rule: v.ruleName, severity: v.severity, paths: v.violatingConstructs.map((c) => c.constructPath) })),
    );
}

function checkNewAlb(template) {
  const types = countByType(template);
  for (const [type, count] of Object.entries({
    "AWS::ElasticLoadBalancingV2::LoadBalancer": 1,
    "AWS::ElasticLoadBalancingV2::Listener": 2,
    "AWS::ElasticLoadBalancingV2::TargetGroup": 1,
    "AWS::Lambda::Function": 1,
    "AWS::Lambda::Permission": 1,
  })) {
    expect(types[type] === count, `${NEW_ALB}: expected ${count} ${type}, found ${types[type] ?? 0}`);
  }
  const resources = Object.entries(template.Resources);
  const [lbId] = resources.find(([, r]) => r.Type === "AWS::ElasticLoadBalancingV2::LoadBalancer");
  const [fnId, fn] = resources.find(([, r]) => r.Type === "AWS::Lambda::Function");
  const https = resources
    .map(([, r]) => r)
    .find((r) => r.Type === "AWS::ElasticLoadBalancingV2::Listener" && r.Properties.Protocol === "HTTPS");
  expect(
    JSON.stringify(https.Properties.DefaultActions.map((a) => a.Type)) === '["authenticate-oidc","forward"]',
    `${NEW_ALB}: the HTTPS listener does not log in and forward`,
  );
  const group = resources.map(([, r]) => r).find((r) => r.Type === "AWS::ElasticLoadBalancingV2::TargetGroup");
  expect(group.Properties.Targets[0].Id["Fn::GetAtt"][0] === fnId, `${NEW_ALB}: the target is not the app's own function`);
  const vars = fn.Properties.Environment.Variables;
  expect(
    vars.APP_GREETING === "hello" && vars.NODE_OPTIONS === "--max-semi-space-size=2",
    `${NEW_ALB}: the function's own variables were lost`,
  );
  expect(vars.LOAD_BALANCER_ARN?.Ref === lbId, `${NEW_ALB}: LOAD_BALANCER_ARN is not the new ALB`);
  const redirect = JSON.stringify(template.Outputs?.RedirectUri?.Value);
  expect(redirect.includes(`"${lbId}","DNSName"`), `${NEW_ALB}: no RedirectUri on the ALB's DNS name, got ${redirect}`);
}

function checkExistingListener(template) {
  const types = countByType(template);
  for (const type of ["AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::ElasticLoadBalancingV2::Listener"]) {
    expect(types[type] === undefined, `${EXISTING}: a ${type} was created on an existing listener`);
  }
  const resources = Object.values(template.Resources);
  const rules = resources.filter((r) => r.Type === "AWS::ElasticLoadBalancingV2::ListenerRule");
  expect(rules.length === 1, `${EXISTING}: expected one login rule, found ${rules.length}`);
  const rule = rules[0].Properties;
  expect(rule.ListenerArn === LISTENER_ARN && rule.Priority === 200, `${EXISTING}: the rule is not on the imported listener at 200`);
  expect(
    JSON.stringify(rule.Conditions) === JSON.stringify([{ Field: "host-header", HostHeaderConfig: { Values: ["app.example.org"] } }]),
    `${EXISTING}: conditions`,
  );
  expect(
    JSON.stringify(rule.Actions.map((a) => a.Type)) === '["authenticate-oidc","forward"]',
    `${EXISTING}: the rule does not log in and forward`,
  );
  const fn = resources.find((r) => r.Type === "AWS::Lambda::Function");
  expect(typeof fn.Properties.Code.ZipFile === "string", `${EXISTING}: the inline function is not there`);
  expect(
    fn.Properties.Environment.Variables.LOAD_BALANCER_ARN === LOAD_BALANCER_ARN,
    `${EXISTING}: LOAD_BALANCER_ARN is not the listener's ALB`,
  );
  // Without domainName the construct has no host to report: the README says what to register instead.
  expect(template.Outputs?.RedirectUri === undefined, `${EXISTING}: a RedirectUri output without domainName`);
}

/** cfn-lint's findings by kind; its exit status is a bit mask: 1 fatal, 2 error, 4 warning, 8 informational. */
function cfnLint(template) {
  const run = spawnSync("cfn-lint", ["--format", "parseable", "--", template], { encoding: "utf8" });
  if (run.error) throw new Error(`cfn-lint could not run (${run.error.message}): install it (pip install cfn-lint)`);
  const lines = run.stdout.split("\n").filter((line) => line !== "");
  const kinds = (letter) => lines.filter((line) => line.split(":")[5]?.startsWith(letter)).length;
  if ((run.status & 3) !== 0) throw new Error(`cfn-lint found errors in ${template} (exit ${run.status}):\n${run.stdout}${run.stderr}`);
  return { errors: kinds("E"), warnings: kinds("W"), informational: kinds("I"), status: run.status };
}

// The app's own findings would be its to acknowledge; this one has none, so every finding is the construct's.
expect(
  !/acknowledge\(/.test(readFileSync(join(FIXTURE, "bin/app.ts"), "utf8")),
  "the consumer app acknowledges a finding: it must need none",
);

const work = mkdtempSync(join(tmpdir(), "alb-oidc-cdk-consumer-"));
try {
  const tgz = tarballs(work);
  process.stdout.write(`tarballs: ${tgz.cdk} (${statSync(tgz.cdk).size} bytes), ${tgz.runtime} (${statSync(tgz.runtime).size} bytes)\n`);
  const app = join(work, "app");
  cpSync(FIXTURE, app, { recursive: true });
  writeFileSync(join(app, "package.json"), `${JSON.stringify({ name: "cdk-consumer", private: true, type: "commonjs" }, null, 2)}\n`);
  // One install, as the README says: the two tarballs (neither is published), the registry for the rest.
  sh("npm", ["install", "--save-exact", "--prefer-offline", "--loglevel=error", tgz.cdk, tgz.runtime, ...REGISTRY_PACKAGES], app);
  const distFiles = checkInstall(app);

  // The app typechecks against the package's declarations under a strict user's settings (skipLibCheck off).
  sh(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.json"], app);
  process.stdout.write(sh(process.execPath, ["check-package.mjs"], app));

  // Offline: no credentials, no lookups (a missing context value fails the synth), CDK's default rules on.
  sh(
    process.execPath,
    ["node_modules/aws-cdk/bin/cdk", "synth", "--no-lookups", "--no-notices", "--no-version-reporting", "--quiet"],
    app,
    {
      AWS_CONFIG_FILE: join(work, "no-aws-config"),
      AWS_SHARED_CREDENTIALS_FILE: join(work, "no-aws-credentials"),
    },
  );
  const out = join(app, "cdk.out");
  const findings = nagFindings(out);
  const nagErrors = findings.filter((f) => f.severity === "error");
  const nagWarnings = findings.filter((f) => f.severity !== "error");
  expect(nagErrors.length === 0, `cdk-nag AwsSolutionsChecks: ${JSON.stringify(nagErrors, null, 1)}`);

  // cdk-nag is live: the same app with an unguarded bucket added fails the synth with AwsSolutions-S1.
  const probe = spawnSync(process.execPath, ["--import", "tsx", "bin/app.ts"], {
    cwd: app,
    encoding: "utf8",
    env: {
      ...ENV,
      CDK_OUTDIR: join(work, "probe.out"),
      CDK_CONTEXT_JSON: JSON.stringify({ nagProbe: "true", "@aws-cdk/core:validationReportJson": true }),
    },
  });
  const probed = nagFindings(join(work, "probe.out"));
  expect(
    probe.status !== 0 && probed.some((f) => f.rule === "AwsSolutions-S1" && f.paths.some((p) => p.includes("UnguardedProbe"))),
    `the cdk-nag probe was not reported (exit ${probe.status}): ${JSON.stringify(probed)}\n${probe.stderr}`,
  );

  const summary = [];
  for (const [stack, check] of [
    [NEW_ALB, checkNewAlb],
    [EXISTING, checkExistingListener],
  ]) {
    const file = join(out, `${stack}.template.json`);
    const template = JSON.parse(readFileSync(file, "utf8"));
    check(template);
    const lint = cfnLint(file);
    const types = countByType(template);
    const total = Object.values(types).reduce((a, b) => a + b, 0);
    summary.push(
      `${stack}: ${total} resources (${Object.entries(types)
        .map(([type, n]) => `${type.replace(/^AWS::/, "")} ${n}`)
        .join(", ")}); outputs: ${Object.keys(template.Outputs ?? {}).join(", ") || "none"}; ` +
        `cfn-lint: ${lint.errors} errors, ${lint.warnings} warnings, ${lint.informational} informational (exit ${lint.status})`,
    );
  }
  summary.push(
    `cdk-nag AwsSolutionsChecks: ${nagErrors.length} errors, ${nagWarnings.length} warnings, 0 suppressions in the app ` +
      `(the probe's unguarded bucket: ${probed.map((f) => f.rule).join(", ")})`,
  );
  summary.push(`package: ${distFiles} files in dist/ (JavaScript and declarations)`);
  process.stdout.write(`${summary.join("\n")}\ncdk consumer test passed in ${Math.round((Date.now() - started) / 1000)}s\n`);
} finally {
  if (keep) process.stdout.write(`kept ${work}\n`);
  else rmSync(work, { recursive: true, force: true });
}
