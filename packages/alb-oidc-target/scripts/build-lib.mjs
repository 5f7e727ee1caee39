// Builds the npm package into lib/: ESM (lib/esm, with the bin) and CommonJS (lib/cjs) files one per source module, and .d.ts for both; dist/ stays the sample Lambda bundle.
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { cpSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";

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

// Rules shared with infra/ (one implementation: the config asserts, the AdditionalClaims checks) live in
// infra/lib/*.mts, and infra/ is not in the package. Each one a format needs is built once into that tree's
// root (infra/lib/config-assert.mts -> lib/<format>/config-assert.js), and the modules that import it are
// rebuilt to import that file instead; everything else they import stays an import, as written.
const INFRA_LIB = resolve("infra/lib");
const sharedBuilt = [];
const sharedOut = (format, infraFile) => join("lib", format, basename(infraFile).replace(/\.mts$/, ".js"));
for (const format of ["esm", "cjs"]) {
  const entries = format === "esm" ? all : all.filter((f) => !ESM_ONLY.test(f));
  const shared = new Set();
  for (const file of entries.filter((f) => readFileSync(f, "utf8").includes("/infra/lib/"))) {
    const outfile = join("lib", format, relative(SRC, file)).replace(/\.ts$/, ".js");
    const toShared = {
      name: "shared-from-infra",
      setup(b) {
        b.onResolve({ filter: /.*/ }, (a) => {
          if (a.kind === "entry-point") return undefined;
          const target = resolve(a.resolveDir, a.path);
          if (!target.startsWith(INFRA_LIB + sep)) return { path: a.path, external: true };
          const infraFile = target.replace(/\.mjs$/, ".mts");
          shared.add(infraFile);
          const path = relative(dirname(outfile), sharedOut(format, infraFile)).split(sep).join("/");
          return { path: path.startsWith(".") ? path : `./${path}`, external: true };
        });
      },
    };
    await build({ ...common, bundle: true, entryPoints: [file], outfile, format, allowOverwrite: true, plugins: [toShared] });
  }
  for (const infraFile of shared) {
    const twin = join(SRC, relative(join("lib", format), sharedOut(format, infraFile))).replace(/\.js$/, ".ts");
    if (all.includes(twin)) throw new Error(`${infraFile} and ${twin} would both build to ${sharedOut(format, infraFile)}`);
    // No imports of their own (they are loaded by both packages), so nothing else comes along.
    await build({ ...common, bundle: true, entryPoints: [infraFile], outfile: sharedOut(format, infraFile), format });
    sharedBuilt.push(sharedOut(format, infraFile));
  }
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

// Declarations once, for both trees: under lib/cjs the same text is read as CommonJS types. tsc sees the
// shared infra/lib modules too, so its root is the repository; only the declarations of src/ are kept.
execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" });
const TYPES = "lib/types/src";
for (const file of readdirRecursive(TYPES)) {
  for (const format of ["esm", "cjs"]) cpSync(file, join("lib", format, relative(TYPES, file)));
}
rmSync("lib/types", { recursive: true });

// An installed package has no infra/: nothing in lib/ may import from it.
const LEAVES_LIB = /(?:from\s*|import\s*\(\s*|require\(\s*)["'][^"']*infra\/lib\//;
const leaking = readdirRecursive("lib").filter((f) => /\.(?:js|d\.ts)$/.test(f) && LEAVES_LIB.test(readFileSync(f, "utf8")));
if (leaking.length > 0) throw new Error(`lib/ imports from infra/, which the package does not ship: ${leaking.join(", ")}`);

function readdirRecursive(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? readdirRecursive(join(dir, e.name)) : [join(dir, e.name)],
  );
}
process.stdout.write(
  `lib/ built: ${all.length} modules (ESM), ${all.filter((f) => !ESM_ONLY.test(f)).length} (CommonJS), declarations; from infra/lib: ${sharedBuilt.join(", ")}\n`,
);
