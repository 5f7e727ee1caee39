// Builds the emulator package into lib/: one ESM file per source module, the bin (lib/cli.js) with its shebang, and the declarations of the documented subpath ./whoami (`npm run build`, and `prepack` before every pack).
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { chmodSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

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

rmSync("lib", { recursive: true, force: true });
const all = sources(SRC);
const common = { bundle: false, platform: "node", target: ["node20"], outbase: SRC, outdir: "lib", format: "esm", logLevel: "warning" };
// Imports stay as written: alb-oidc-target and the provider are the installed dependencies.
await build({ ...common, entryPoints: all.filter((f) => f !== join(SRC, "cli.ts")) });
// The bin: a shebang on the built file (the source's first line is its description).
await build({ ...common, entryPoints: [join(SRC, "cli.ts")], banner: { js: "#!/usr/bin/env node" } });
chmodSync("lib/cli.js", 0o755);

const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { stdio: "inherit" });
process.stdout.write(`lib/ built: ${all.length} modules (ESM), the bin lib/cli.js, declarations of ./whoami\n`);
