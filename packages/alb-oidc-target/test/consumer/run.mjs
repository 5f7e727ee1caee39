// `npm run test:consumer`: packs the runtime package, installs the tarball into a fresh project as a user would (registry for the rest), typechecks, bundles and runs a consumer.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { Buffer } from "node:buffer";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const PACKAGE_DIR = resolve(import.meta.dirname, "../..");
const FIXTURE = join(PACKAGE_DIR, "test/consumer/fixture");
// The repository's shared dev tools are the root's devDependencies: the consumer gets the same versions.
const dev = JSON.parse(readFileSync(join(PACKAGE_DIR, "../../package.json"), "utf8")).devDependencies;
const keep = process.argv.includes("--keep");

// The consumer resolves the installed package as a user's tools do: never through this repository's source condition.
const NODE_OPTIONS = (process.env.NODE_OPTIONS ?? "").replace(/--conditions[= ]alb-oidc-target-source/g, "").trim();

function sh(cmd, args, cwd, capture = false) {
  process.stdout.write(`$ ${cmd} ${args.join(" ")}\n`);
  return execFileSync(cmd, args, {
    cwd,
    encoding: "utf8",
    stdio: capture ? ["ignore", "pipe", "inherit"] : "inherit",
    env: { ...process.env, NODE_OPTIONS, npm_config_audit: "false", npm_config_fund: "false" },
  });
}

/** The tarball: packed now, or the one CI packed already (TARBALL=...). */
function tarball(work) {
  if (process.env.TARBALL) return resolve(process.env.TARBALL);
  const out = sh("npm", ["pack", "--silent", "--pack-destination", work], PACKAGE_DIR, true).trim().split("\n").pop();
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

  // Only aws-jwt-verify comes along at run time: nothing of the emulator, no optional peer.
  const installed = readdirSync(join(app, "node_modules"));
  for (const name of ["oidc-provider", "jose", "openid-client", "tsx", "alb-oidc-target-emulator"]) {
    if (installed.includes(name)) throw new Error(`${name} was installed with the package: the runtime depends on aws-jwt-verify alone`);
  }
  if (readdirSync(join(app, "node_modules/.bin")).some((bin) => bin.startsWith("alb-oidc-target")))
    throw new Error("the runtime package installed a bin: the emulator's bin is alb-oidc-target-emulator, in its own package");

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

  process.stdout.write("consumer test passed\n");
} finally {
  if (keep) process.stdout.write(`kept ${work}\n`);
  else rmSync(work, { recursive: true, force: true });
}
