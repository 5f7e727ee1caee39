// Bundles src/index.ts into dist/index.js (CommonJS, minified, with a source map) for the Lambda Node.js runtime; handler string `index.handler`.
import { build } from "esbuild";
import { mkdir, writeFile } from "node:fs/promises";

const result = await build({
  entryPoints: ["src/index.ts"],
  outfile: "dist/index.js",
  bundle: true,
  minify: true,
  sourcemap: true,
  platform: "node",
  target: ["node22"],
  format: "cjs",
  legalComments: "none",
  metafile: true,
  logLevel: "warning",
});

// dist/ sits inside a "type": "module" package: mark it CommonJS so node loads it as Lambda does.
await mkdir("dist", { recursive: true });
await writeFile("dist/package.json", '{ "type": "commonjs" }\n');

const bytes = result.metafile.outputs["dist/index.js"]?.bytes ?? 0;
process.stdout.write(`dist/index.js ${bytes} bytes\n`);
