// cdk-nag AwsSolutionsChecks over a stack: every finding it reports, for the construct's and the sample app's nag tests.
import { App, type Stack } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";

export interface Finding {
  rule: string;
  severity: string;
  path: string;
}

/** Every finding cdk-nag reports (acknowledged ones are already left out by cdk-nag itself). */
export function findings(stack: Stack): Finding[] {
  // Synthesize first: aspects have run, and CloudFormation's default rules fail the synth on errors.
  const root = stack.node.root;
  if (!App.isApp(root)) throw new Error(`${stack.stackName} is not in an App`);
  root.synth();
  const report = new AwsSolutionsChecks().validateScope(stack);
  return report.violations.flatMap((v) =>
    v.violatingResources.map((r) => ({ rule: v.ruleName, severity: v.severity ?? "error", path: r.constructPath ?? "" })),
  );
}
