// Bundles the notes API into dist/index.js (CommonJS, handler string `index.handler`) for the Lambda Node.js runtime; the CDK app in infra/ deploys that directory.
import { build } from "esbuild";
import { mkdirSync, writeFileSync } from "node:fs";

const result = await build({
  entryPoints: ["src/index.ts"],
  outfile: "dist/index.js",
  bundle: true,
  minify: true,
  sourcemap: true,
  platform: "node",
  target: ["node22"],
  format: "cjs",
  metafile: true,
  logLevel: "warning",
  // In this repository alb-oidc-target is a workspace, bundled from its sources; with the installed package, leave this out.
  conditions: ["alb-oidc-target-source"],
});
mkdirSync("dist", { recursive: true });
writeFileSync("dist/package.json", '{ "type": "commonjs" }\n');
process.stdout.write(`dist/index.js ${result.metafile.outputs["dist/index.js"]?.bytes ?? 0} bytes\n`);
