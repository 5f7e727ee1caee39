// cdk-nag AwsSolutionsChecks over every variant of the construct: no unacknowledged finding (the sample app's stack has its own).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as s3 from "aws-cdk-lib/aws-s3";
import { findings } from "alb-oidc-target-test-support/nag-findings";
import { VARIANTS, defaultsVariant } from "./variants";

describe("cdk-nag AwsSolutionsChecks", () => {
  for (const [name, build] of Object.entries(VARIANTS)) {
    it(`finds no unacknowledged error or warning in ${name}`, () => {
      assert.deepEqual(findings(build().stack), []);
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
