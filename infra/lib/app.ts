// Builds the stack from an App's context; shared by bin/app.ts and the tests.
import * as path from "node:path";
import type { App, Environment } from "aws-cdk-lib";
import { AlbOidcTargetStack } from "./alb-oidc-target-stack";
import { configFromContext } from "./config";

/** The infra folder: a relative `assetPath` context value is resolved against it. */
export const INFRA_DIR = path.resolve(__dirname, "..");

/**
 * Adds the stack described by the app's context (`stackName`, defaulting to `AlbOidcTarget`).
 *
 * @example createStack(new App(), { account: '123456789012', region: 'ap-northeast-1' })
 */
export function createStack(app: App, env?: Environment): AlbOidcTargetStack {
  const stackName = (app.node.tryGetContext("stackName") as string | undefined) ?? "AlbOidcTarget";
  return new AlbOidcTargetStack(app, stackName, {
    ...configFromContext((key) => app.node.tryGetContext(key), INFRA_DIR),
    env,
    description: "alb-oidc-target behind an ALB with authenticate-oidc (and optional jwt-validation) rules",
  });
}
