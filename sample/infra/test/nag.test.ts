// cdk-nag AwsSolutionsChecks over this repository's own stack, with and without machine routes: no unacknowledged finding.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { App, type Stack } from "aws-cdk-lib";
import { findings } from "alb-oidc-target-test-support/nag-findings";
import { createStack } from "../lib/app";
import { EXAMPLE_CONTEXT, MACHINE_CONTEXT, assetPath } from "./helpers";

const projectStacks: Record<string, () => Stack> = {
  "project stack": () => createStack(new App({ context: { ...EXAMPLE_CONTEXT, assetPath: assetPath() } })),
  "project stack with machine routes": () =>
    createStack(new App({ context: { ...EXAMPLE_CONTEXT, ...MACHINE_CONTEXT, assetPath: assetPath() } })),
};

describe("cdk-nag AwsSolutionsChecks", () => {
  for (const [name, build] of Object.entries(projectStacks)) {
    it(`finds no unacknowledged error or warning in ${name}`, () => {
      assert.deepEqual(findings(build()), []);
    });
  }
});
