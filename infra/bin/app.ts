// CDK app entry point: `npx cdk synth` / `npx cdk deploy` run this (see cdk.json).
import { App } from "aws-cdk-lib";
import { createStack } from "../lib/app";

const app = new App();
const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;
// Without credentials (offline synth) the stack is environment-agnostic; a vpcId lookup needs both.
createStack(app, account !== undefined && region !== undefined ? { account, region } : undefined);
