// Bundles the sample function (sample/src/index.ts) into dist/index.js at the repository root (CommonJS, minified, with a source map) for the Lambda Node.js runtime; handler string `index.handler`.
import { build } from "esbuild";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** The repository root's dist/: where `npm run build` has always put the function's bundle. */
const DIST = join(import.meta.dirname, "..", "dist");
/**
 * This repository's packages are resolved from their sources (their export condition alb-oidc-target-source),
 * as the tests run them: the bundle is what the tests test.
 */
const SOURCE_CONDITION = "alb-oidc-target-source";

/**
 * aws-jwt-verify's modules only define classes, functions and constants, but its package.json does
 * not say so. Marking them side-effect free lets esbuild drop what nothing uses. (the runtime imports the
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
  absWorkingDir: import.meta.dirname,
  entryPoints: ["src/index.ts"],
  outfile: join(DIST, "index.js"),
  conditions: [SOURCE_CONDITION],
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
await mkdir(DIST, { recursive: true });
await writeFile(join(DIST, "package.json"), '{ "type": "commonjs" }\n');

const bytes = result.metafile.outputs["../dist/index.js"]?.bytes ?? 0;
process.stdout.write(`dist/index.js ${bytes} bytes\n`);
