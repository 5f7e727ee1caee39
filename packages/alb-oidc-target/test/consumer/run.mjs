// `npm run test:consumer`: packs the package, installs the tarball into a fresh project as a user would (registry for the rest), typechecks, bundles and runs a consumer, and runs the bin from the install.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { Buffer } from "node:buffer";
import { tmpdir } from "node:os";
import { clearTimeout, setTimeout } from "node:timers";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");
const FIXTURE = join(ROOT, "test/consumer/fixture");
const rootPkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
const dev = rootPkg.devDependencies;
const keep = process.argv.includes("--keep");

function sh(cmd, args, cwd, capture = false) {
  process.stdout.write(`$ ${cmd} ${args.join(" ")}\n`);
  return execFileSync(cmd, args, {
    cwd,
    encoding: "utf8",
    stdio: capture ? ["ignore", "pipe", "inherit"] : "inherit",
    env: { ...process.env, npm_config_audit: "false", npm_config_fund: "false" },
  });
}

/** The tarball: packed now, or the one CI packed already (TARBALL=...). */
function tarball(work) {
  if (process.env.TARBALL) return resolve(process.env.TARBALL);
  const out = sh("npm", ["pack", "--silent", "--pack-destination", work], ROOT, true).trim().split("\n").pop();
  return join(work, out);
}

const work = mkdtempSync(join(tmpdir(), "alb-oidc-consumer-"));
try {
  const tgz = tarball(work);
  process.stdout.write(`tarball: ${tgz} (${statSync(tgz).size} bytes)\n`);
  const app = join(work, "app");
  mkdirSync(app);
  cpSync(FIXTURE, app, { recursive: true });
  writeFileSync(
    join(app, "package.json"),
    `${JSON.stringify(
      {
        name: "consumer",
        private: true,
        type: "module",
        dependencies: { "alb-oidc-target": `file:${tgz}` },
        devDependencies: {
          "@aws-lambda-powertools/event-handler": dev["@aws-lambda-powertools/event-handler"],
          "@middy/core": dev["@middy/core"],
          "@types/aws-lambda": dev["@types/aws-lambda"],
          "@types/node": dev["@types/node"],
          esbuild: dev.esbuild,
          typescript: dev.typescript,
        },
      },
      null,
      2,
    )}\n`,
  );
  sh("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], app);

  // Only aws-jwt-verify comes along at run time: no optional peer got installed by the package.
  const installed = readdirSync(join(app, "node_modules"));
  for (const peer of ["oidc-provider", "jose", "openid-client", "tsx"]) {
    if (installed.includes(peer)) throw new Error(`${peer} was installed with the package: it must stay an optional peer`);
  }

  sh(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.json"], app);
  sh(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.bundler.json"], app);

  sh(process.execPath, ["bundle.mjs"], app);
  const bundle = readFileSync(join(app, "out/handler.js"), "utf8");
  const meta = JSON.parse(readFileSync(join(app, "out/meta.json"), "utf8"));
  // What ended up in the output (an input tree-shaken to nothing is listed with 0 bytes).
  const inputs = Object.entries(meta.outputs["out/handler.js"].inputs)
    .filter(([, v]) => v.bytesInOutput > 0)
    .map(([k]) => k);
  const forbidden = [
    /oidc-provider/,
    /node_modules\/jose\//,
    /openid-client/,
    /\/testing\//,
    /\/local\//,
    /\/integrations\//,
    /whoami/,
    /tsx/,
    /esbuild\//,
  ];
  for (const input of inputs) {
    const bad = forbidden.find((re) => re.test(input));
    if (bad) throw new Error(`the consumer bundle holds ${input} (matched ${bad})`);
  }
  for (const marker of ["generateKeyPair", "createFakeAlb", "startKeyServer", "mintAlbToken", "koa", "oidc-provider"]) {
    if (bundle.includes(marker)) throw new Error(`the consumer bundle contains "${marker}": dev code shipped`);
  }
  const ours = inputs.filter((i) => i.includes("node_modules/alb-oidc-target/"));
  const library = inputs.filter((i) => i.includes("node_modules/aws-jwt-verify/"));
  const others = inputs.filter((i) => !ours.includes(i) && !library.includes(i) && !i.startsWith("src/"));
  if (others.length > 0) throw new Error(`the consumer bundle holds modules beyond the package and aws-jwt-verify: ${others.join(", ")}`);
  process.stdout.write(
    `minimal consumer bundle: ${Buffer.byteLength(bundle)} bytes (${ours.length} package modules, ${library.length} aws-jwt-verify modules)\n`,
  );

  sh(process.execPath, ["run.mjs"], app);

  // The bin from the installed tarball: invoke needs no optional peer.
  cpSync(join(ROOT, "events/whoami.json"), join(app, "whoami.json"));
  const out = sh("npx", ["--no-install", "alb-oidc-target", "invoke", "whoami.json"], app, true);
  const result = JSON.parse(out);
  if (result.statusCode !== 200 || JSON.parse(result.body).identity !== "alice") throw new Error(`alb-oidc-target invoke answered ${out}`);
  process.stdout.write("npx alb-oidc-target invoke whoami.json: 200 for alice\n");
  // emulate needs its optional peers: without them, exit 1 and say what to install (never a stack trace).
  const emulate = spawnSync("npx", ["--no-install", "alb-oidc-target", "emulate"], { cwd: app, encoding: "utf8", timeout: 60_000 });
  if (emulate.status !== 1 || !emulate.stderr.includes("npm install --save-dev oidc-provider openid-client jose")) {
    throw new Error(`alb-oidc-target emulate without its peers: exit ${emulate.status}, stderr ${emulate.stderr}`);
  }
  process.stdout.write("npx alb-oidc-target emulate without its peers: exit 1 with the install hint\n");
  // With its peers installed, emulate runs the sample function behind the emulator from the installed package.
  sh(
    "npm",
    [
      "install",
      "--no-save",
      "--no-audit",
      "--no-fund",
      "--prefer-offline",
      "--loglevel=error",
      ...["oidc-provider", "openid-client", "jose"].map((p) => `${p}@${dev[p]}`),
    ],
    app,
  );
  await new Promise((done, fail) => {
    // The installed bin itself (its shebang runs node), not through npx: SIGTERM must reach the emulator's own process.
    const child = spawn(join(app, "node_modules/.bin/alb-oidc-target"), ["emulate"], {
      cwd: app,
      env: { ...process.env, PORT: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let seen = "";
    const timer = setTimeout(() => {
      child.kill("SIGTERM");
      fail(new Error(`alb-oidc-target emulate did not pass its self-check in 60 s:\n${seen}`));
    }, 60_000);
    const watch = (chunk) => {
      seen += String(chunk);
      if (seen.includes('"requestId":"npm-start-self-check"') && seen.includes('"statusCode": 200')) {
        clearTimeout(timer);
        child.kill("SIGTERM");
      }
    };
    child.stdout.on("data", watch);
    child.stderr.on("data", watch);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (signal === "SIGTERM" || code === 0) done();
      else fail(new Error(`alb-oidc-target emulate exited ${code}:\n${seen}`));
    });
  });
  process.stdout.write("npx alb-oidc-target emulate with its peers: the sample's self-check answered 200\n");
  process.stdout.write("consumer test passed\n");
} finally {
  if (keep) process.stdout.write(`kept ${work}\n`);
  else rmSync(work, { recursive: true, force: true });
}
