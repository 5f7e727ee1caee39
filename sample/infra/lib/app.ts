// Builds the stack from an App's context; shared by bin/app.ts and the tests.
import * as path from "node:path";
import type { App, Environment } from "aws-cdk-lib";
import { AlbOidcTargetStack } from "./alb-oidc-target-stack";
import { configFromContext } from "./config";

/** The CDK app's folder (sample/, where cdk.json is): a relative `assetPath` context value is resolved against it. */
export const APP_DIR = path.resolve(__dirname, "..", "..");

/**
 * Adds the stack described by the app's context (`stackName`, defaulting to `AlbOidcTarget`).
 * Without an environment the stack takes the certificate's region (the ALB must be there anyway,
 * and its access-log bucket policy names the region's log delivery principal) and stays
 * account-agnostic, so an offline synth needs no credentials.
 *
 * @example createStack(new App(), { account: '123456789012', region: 'ap-northeast-1' })
 */
export function createStack(app: App, env?: Environment): AlbOidcTargetStack {
  const stackName = (app.node.tryGetContext("stackName") as string | undefined) ?? "AlbOidcTarget";
  const config = configFromContext((key) => app.node.tryGetContext(key), APP_DIR);
  return new AlbOidcTargetStack(app, stackName, {
    ...config,
    env: env ?? { region: config.certificateArn.split(":")[3] },
    description: "alb-oidc-target behind an ALB with authenticate-oidc (and optional jwt-validation) rules",
  });
}
