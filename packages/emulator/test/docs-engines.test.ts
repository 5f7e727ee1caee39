// The Node.js versions the READMEs state are the ones the packages' `engines` ask for, and the bundle targets the Lambda runtimes they name.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { onDisk } from "./markdown.js";

/** Each package's folder, and the README that is its front page. */
const PACKAGES = ["packages/alb-oidc-target", "packages/emulator", "packages/cdk"];

const enginesOf = (dir: string): unknown =>
  (JSON.parse(readFileSync(onDisk(`${dir}/package.json`), "utf8")) as { engines?: { node?: unknown } }).engines?.node;

describe("Node.js versions", () => {
  const range = enginesOf(PACKAGES[0] ?? "");

  it("are one range across the three packages and the repository root (they are installed together)", () => {
    expect(typeof range).toBe("string");
    expect(PACKAGES.map(enginesOf)).toEqual(PACKAGES.map(() => range));
    expect(enginesOf(".")).toBe(range);
  });

  it("are stated as engines has them, in the root README and in each package's README", () => {
    for (const file of ["README.md", ...PACKAGES.map((dir) => `${dir}/README.md`)]) {
      expect(readFileSync(onDisk(file), "utf8"), file).toContain(`\`${String(range)}\``);
    }
  });

  it("on Lambda are 22 and 24, the runtimes the sample bundle targets", () => {
    const readme = readFileSync(onDisk("README.md"), "utf8");
    expect(readme).toContain("Lambda's Node.js 22 or 24 (`nodejs22.x`, `nodejs24.x`");
    expect(readFileSync(onDisk("sample/esbuild.config.mjs"), "utf8")).toContain('target: ["node22"]');
  });
});
