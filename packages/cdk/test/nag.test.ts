// cdk-nag AwsSolutionsChecks over every variant and the project's own stack: no unacknowledged finding.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { App, type Stack } from "aws-cdk-lib";
import * as s3 from "aws-cdk-lib/aws-s3";
import { AwsSolutionsChecks } from "cdk-nag";
import { createStack } from "../lib/app";
import { EXAMPLE_CONTEXT, MACHINE_CONTEXT, assetPath } from "./helpers";
import { VARIANTS, defaultsVariant } from "./variants";

interface Finding {
  rule: string;
  severity: string;
  path: string;
}

/** Every finding cdk-nag reports (acknowledged ones are already left out by cdk-nag itself). */
function findings(stack: Stack): Finding[] {
  // Synthesize first: aspects have run, and CloudFormation's default rules fail the synth on errors.
  const root = stack.node.root;
  if (!App.isApp(root)) throw new Error(`${stack.stackName} is not in an App`);
  root.synth();
  const report = new AwsSolutionsChecks().validateScope(stack);
  return report.violations.flatMap((v) =>
    v.violatingResources.map((r) => ({ rule: v.ruleName, severity: v.severity ?? "error", path: r.constructPath ?? "" })),
  );
}

const projectStacks: Record<string, () => Stack> = {
  "project stack": () => createStack(new App({ context: { ...EXAMPLE_CONTEXT, assetPath: assetPath() } })),
  "project stack with machine routes": () =>
    createStack(new App({ context: { ...EXAMPLE_CONTEXT, ...MACHINE_CONTEXT, assetPath: assetPath() } })),
};

describe("cdk-nag AwsSolutionsChecks", () => {
  for (const [name, build] of [
    ...Object.entries(VARIANTS).map(([n, b]) => [n, () => b().stack] as const),
    ...Object.entries(projectStacks),
  ]) {
    it(`finds no unacknowledged error or warning in ${name}`, () => {
      assert.deepEqual(findings(build()), []);
    });
  }

  it("does find what the acknowledgements do not cover (the check is live)", () => {
    // A bucket outside the construct, with none of its guards: cdk-nag must report it.
    const { stack } = defaultsVariant();
    new s3.Bucket(stack, "Unguarded");
    const rules = findings(stack).map((f) => f.rule);
    assert.ok(rules.includes("AwsSolutions-S1"), `expected S1 on the unguarded bucket, got ${rules.join(", ")}`);
    assert.ok(rules.includes("AwsSolutions-S10"), `expected S10 on the unguarded bucket, got ${rules.join(", ")}`);
  });
});
