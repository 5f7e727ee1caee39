// `npm run package`: builds the bundle and zips it (index.js + source map) into dist/alb-oidc-target.zip for `aws lambda update-function-code`.
import { execFileSync } from "node:child_process";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { zipSync } from "fflate";

execFileSync(process.execPath, ["esbuild.config.mjs"], { stdio: "inherit" });
const mtime = statSync("dist/index.js").mtime;
const zip = zipSync(
  {
    "index.js": [readFileSync("dist/index.js"), { mtime }],
    "index.js.map": [readFileSync("dist/index.js.map"), { mtime }],
  },
  { level: 9 },
);
writeFileSync("dist/alb-oidc-target.zip", zip);
process.stdout.write(`dist/alb-oidc-target.zip ${zip.length} bytes (handler: index.handler, runtime: nodejs22.x or nodejs24.x)\n`);
