// Bundles src/index.ts into dist/index.js (CommonJS, minified, with a source map) for the Lambda Node.js runtime; handler string `index.handler`.
import { build } from "esbuild";
import { mkdir, writeFile } from "node:fs/promises";

/**
 * aws-jwt-verify's modules only define classes, functions and constants, but its package.json does
 * not say so. Marking them side-effect free lets esbuild drop what nothing uses. (src imports the
 * library through its subpaths, alb-verifier and jwt-verifier, so a user's bundler, without this
 * plugin, leaves the Cognito verifier out too; here the plugin is a guard, worth a few bytes.)
 */
const awsJwtVerifyHasNoSideEffects = {
  name: "aws-jwt-verify-side-effect-free",
  setup(b) {
    b.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData === "resolving") return undefined;
      const fromPackage = args.importer.includes("/node_modules/aws-jwt-verify/") && !args.path.startsWith("node:");
      if (!args.path.startsWith("aws-jwt-verify") && !fromPackage) return undefined;
      const resolved = await b.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: "resolving",
      });
      if (!resolved.path.includes("/node_modules/aws-jwt-verify/")) return resolved;
      return { ...resolved, sideEffects: false };
    });
  },
};

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
  plugins: [awsJwtVerifyHasNoSideEffects],
});

// dist/ sits inside a "type": "module" package: mark it CommonJS so node loads it as Lambda does.
await mkdir("dist", { recursive: true });
await writeFile("dist/package.json", '{ "type": "commonjs" }\n');

const bytes = result.metafile.outputs["dist/index.js"]?.bytes ?? 0;
process.stdout.write(`dist/index.js ${bytes} bytes\n`);
