// CI check of packed tarballs (`node scripts/check-tarballs.mjs <tgz>...`): each holds its package's build, README, LICENSE and CHANGELOG, every file its exports and bin name, and no tests, no sources, no node_modules.
import { execFileSync } from "node:child_process";
import { statSync } from "node:fs";
import { basename } from "node:path";

/** The condition that points at src/ inside this repository: never shipped, so never checked for. */
const SOURCE_CONDITION = "alb-oidc-target-source";

/** Every file path an exports map (or a bin) names, for the conditions a user's tools may set. */
function namedFiles(value) {
  if (typeof value === "string") return [value];
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, v]) => (key === SOURCE_CONDITION ? [] : namedFiles(v)));
}

/** What a file list must not hold: tests, TypeScript sources (declarations aside), installed packages, build leftovers. */
const FORBIDDEN = [
  { what: "a test", re: /(^|\/)(test|tests|__tests__)\/|\.test\.[cm]?[jt]s$/ },
  { what: "a TypeScript source", re: /(?<!\.d)\.[cm]?ts$/ },
  { what: "a source folder", re: /^src\// },
  { what: "node_modules", re: /(^|\/)node_modules\// },
  { what: "a CDK output", re: /(^|\/)cdk\.out/ },
  { what: "a tarball", re: /\.tgz$/ },
];

const problems = [];
for (const tgz of process.argv.slice(2)) {
  const files = execFileSync("tar", ["-tzf", tgz], { encoding: "utf8" })
    .split("\n")
    .filter((line) => line !== "" && !line.endsWith("/"))
    .map((line) => line.replace(/^package\//, ""));
  const pkg = JSON.parse(execFileSync("tar", ["-xzOf", tgz, "package/package.json"], { encoding: "utf8" }));
  const name = `${basename(tgz)} (${pkg.name})`;
  for (const file of files) {
    const bad = FORBIDDEN.find(({ re }) => re.test(file));
    if (bad) problems.push(`${name}: ${file} is ${bad.what}`);
  }
  for (const required of ["package.json", "README.md", "LICENSE", "CHANGELOG.md"]) {
    if (!files.includes(required)) problems.push(`${name}: ${required} is missing`);
  }
  const named = [...namedFiles(pkg.exports), ...namedFiles(pkg.bin), ...namedFiles(pkg.main), ...namedFiles(pkg.types)];
  for (const file of new Set(named.map((f) => f.replace(/^\.\//, "")))) {
    if (!files.includes(file)) problems.push(`${name}: ${file}, named by its package.json, is not in the tarball`);
  }
  // A package's own dependency on a sister package is by exact version: versions move in lockstep.
  // The private test helpers (test-support/) are never published, so no package may need them.
  for (const [dep, range] of Object.entries({ ...pkg.dependencies, ...pkg.peerDependencies })) {
    if (dep === "alb-oidc-target-test-support") problems.push(`${name}: depends on the private ${dep}`);
    if (dep.startsWith("alb-oidc-target") && range !== pkg.version)
      problems.push(`${name}: depends on ${dep}@${range}, not ${pkg.version}`);
  }
  process.stdout.write(`${name}: ${files.length} files, ${statSync(tgz).size} bytes\n`);
}
if (problems.length > 0) {
  process.stderr.write(`${problems.join("\n")}\n`);
  process.exit(1);
}
