// A user's bundle of the package entry, built from source: only our runtime modules and aws-jwt-verify, nothing from the testing kit, the shared rules beyond the asserts, or an integration (the consumer test checks the packed tarball the same way).
import { build } from "esbuild";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");

async function inputsOf(contents: string): Promise<string[]> {
  const result = await build({
    stdin: { contents, resolveDir: ROOT, loader: "ts" },
    bundle: true,
    write: false,
    minify: true,
    platform: "node",
    format: "cjs",
    metafile: true,
    logLevel: "silent",
    absWorkingDir: ROOT,
  });
  const output = Object.values(result.metafile.outputs)[0];
  return Object.entries(output?.inputs ?? {})
    .filter(([, v]) => v.bytesInOutput > 0)
    .map(([k]) => k);
}

describe("a bundle of the package entry", () => {
  it("withAlbAuth alone pulls in no testing, local, integration or sample code", async () => {
    const inputs = await inputsOf(
      'import { withAlbAuth } from "./src/api.ts"; export const handler = withAlbAuth(() => ({ statusCode: 200 }));',
    );
    expect(inputs.length).toBeGreaterThan(10);
    const ours = inputs.filter((i) => i.startsWith("src/"));
    expect(ours.filter((i) => /^src\/(testing|integrations)\/|whoami/.test(i))).toEqual([]);
    // Of the rules shared with the emulator and the construct, only the configuration asserts the configuration reads.
    expect(ours.filter((i) => i.startsWith("src/rules/"))).toEqual(["src/rules/config-assert.ts"]);
    const foreign = inputs.filter((i) => !i.startsWith("src/") && !i.startsWith("<stdin>"));
    expect(foreign.filter((i) => !i.includes("node_modules/aws-jwt-verify/"))).toEqual([]);
  });

  it("the middy entry adds only its own module (middy itself is the user's)", async () => {
    const inputs = await inputsOf('export { albAuth } from "./src/integrations/middy.ts";');
    expect(inputs.filter((i) => i.startsWith("src/integrations/"))).toEqual(["src/integrations/middy.ts"]);
    expect(inputs.some((i) => i.includes("@middy") || i.includes("powertools") || i.includes("src/testing/"))).toBe(false);
  });
});
