// Builds the npm package into lib/: ESM (lib/esm) and CommonJS (lib/cjs) files one per source module, and .d.ts for both (`npm run build`, and `prepack` before every pack).
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { cpSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";

// Paths below are the package's own, wherever the script is started from.
process.chdir(join(import.meta.dirname, ".."));
const SRC = "src";

function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [p] : [];
  });
}

function readdirRecursive(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? readdirRecursive(join(dir, e.name)) : [join(dir, e.name)],
  );
}

rmSync("lib", { recursive: true, force: true });
const all = sources(SRC);
// One output file per module, imports left as written: a user's bundler sees the same module graph as src/.
const common = {
  entryPoints: all,
  bundle: false,
  platform: "node",
  target: ["node20"],
  outbase: SRC,
  logLevel: "warning",
  sourcemap: false,
};
await build({ ...common, outdir: "lib/esm", format: "esm" });
await build({ ...common, outdir: "lib/cjs", format: "cjs" });
// Node decides a .js file's format by the nearest package.json.
writeFileSync("lib/esm/package.json", '{ "type": "module" }\n');
writeFileSync("lib/cjs/package.json", '{ "type": "commonjs" }\n');

// Declarations once, for both trees: under lib/cjs the same text is read as CommonJS types.
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { stdio: "inherit" });
const TYPES = "lib/types";
for (const file of readdirRecursive(TYPES)) {
  for (const format of ["esm", "cjs"]) cpSync(file, join("lib", format, relative(TYPES, file)));
}
rmSync(TYPES, { recursive: true });

process.stdout.write(`lib/ built: ${all.length} modules (ESM and CommonJS), declarations\n`);
