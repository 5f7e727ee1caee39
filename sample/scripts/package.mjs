// `npm run package`: builds the sample function's bundle and zips it (index.js + source map) into dist/alb-oidc-target.zip at the repository root, for `aws lambda update-function-code`.
import { execFileSync } from "node:child_process";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { zipSync } from "fflate";

const SAMPLE = join(import.meta.dirname, "..");
const DIST = join(SAMPLE, "..", "dist");
execFileSync(process.execPath, [join(SAMPLE, "esbuild.config.mjs")], { stdio: "inherit" });
const mtime = statSync(join(DIST, "index.js")).mtime;
const zip = zipSync(
  {
    "index.js": [readFileSync(join(DIST, "index.js")), { mtime }],
    "index.js.map": [readFileSync(join(DIST, "index.js.map")), { mtime }],
  },
  { level: 9 },
);
writeFileSync(join(DIST, "alb-oidc-target.zip"), zip);
process.stdout.write(`dist/alb-oidc-target.zip ${zip.length} bytes (handler: index.handler, runtime: nodejs22.x or nodejs24.x)\n`);
