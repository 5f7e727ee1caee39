// CDK app entry point: `npx cdk synth` / `npx cdk deploy` run this (see cdk.json).
import { App } from "aws-cdk-lib";
import { createStack } from "../lib/app";
import { ConfigError } from "../lib/config";
import { AlbOidcTargetError } from "alb-oidc-target-cdk";

const app = new App();
const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;
try {
  // Without credentials (offline synth) the stack is environment-agnostic; a vpcId lookup needs both.
  createStack(app, account !== undefined && region !== undefined ? { account, region } : undefined);
} catch (error) {
  // A configuration mistake: the message names the context value or prop; a stack trace adds nothing.
  if (error instanceof ConfigError || error instanceof AlbOidcTargetError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
