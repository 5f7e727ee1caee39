// Builds the npm package into lib/: ESM (lib/esm, with the bin) and CommonJS (lib/cjs) files one per source module, and .d.ts for both; dist/ stays the sample Lambda bundle.
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { cpSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";

const SRC = "src";
/** The bin and the emulator behind it run as ESM only; the package entries never reach them. */
const ESM_ONLY = /^src\/local\//;

function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [p] : [];
  });
}

rmSync("lib", { recursive: true, force: true });
// src/index.ts is the sample Lambda's entry (dist/index.js): not part of the package.
const all = sources(SRC).filter((f) => f !== join(SRC, "index.ts"));
const common = { bundle: false, platform: "node", target: ["node20"], outbase: SRC, logLevel: "warning", sourcemap: false };
await build({ ...common, entryPoints: all, outdir: "lib/esm", format: "esm" });
await build({ ...common, entryPoints: all.filter((f) => !ESM_ONLY.test(f)), outdir: "lib/cjs", format: "cjs" });
// Node decides a .js file's format by the nearest package.json.
writeFileSync("lib/esm/package.json", '{ "type": "module" }\n');
writeFileSync("lib/cjs/package.json", '{ "type": "commonjs" }\n');

// Rules shared with infra/ (one implementation, e.g. the AdditionalClaims checks) are inlined into the
// modules that import them: infra/ is not in the package. Everything else those modules import stays an import.
const INFRA_LIB = resolve("infra/lib");
const inlineInfra = {
  name: "inline-infra",
  setup(b) {
    b.onResolve({ filter: /.*/ }, (a) =>
      a.kind === "entry-point" || resolve(a.resolveDir, a.path).startsWith(INFRA_LIB) ? undefined : { path: a.path, external: true },
    );
  },
};
const sharing = all.filter((f) => readFileSync(f, "utf8").includes("/infra/lib/"));
for (const file of sharing) {
  const outfile = join("lib/esm", relative(SRC, file)).replace(/\.ts$/, ".js");
  await build({ ...common, bundle: true, entryPoints: [file], outfile, format: "esm", allowOverwrite: true, plugins: [inlineInfra] });
}

// The bin: a shebang on the built file (the source's first line is its description).
const cli = "lib/esm/local/cli.js";
await build({
  ...common,
  entryPoints: ["src/local/cli.ts"],
  outfile: cli,
  format: "esm",
  banner: { js: "#!/usr/bin/env node" },
  allowOverwrite: true,
});

// Declarations once, for both trees: under lib/cjs the same text is read as CommonJS types.
execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" });
for (const file of readdirRecursive("lib/esm")) {
  if (file.endsWith(".d.ts")) cpSync(file, join("lib/cjs", relative("lib/esm", file)));
}

function readdirRecursive(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? readdirRecursive(join(dir, e.name)) : [join(dir, e.name)],
  );
}
process.stdout.write(`lib/ built: ${all.length} modules (ESM), ${all.filter((f) => !ESM_ONLY.test(f)).length} (CommonJS), declarations\n`);
