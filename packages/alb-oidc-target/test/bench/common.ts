// What every part of the bench shares: where the repository, this package and the Lambda bundle are, and the request it sends.
import { resolve } from "node:path";
import type { ALBEvent } from "aws-lambda";
import type { FakeAlb } from "../../src/testing/index.js";

/** The repository's root (its node_modules, scripts/ci-node.sh, .bench/); the sample function's Lambda bundle, built by `npm run build` (the bench builds it first). */
export { BUNDLE, REPOSITORY_ROOT as ROOT } from "../dist-bundle.js";
/** This package's folder (packages/alb-oidc-target). */
export const PACKAGE_DIR = resolve(import.meta.dirname, "../..");

/**
 * A user request as Lambda hands it over: the kit's user event, freshly parsed, so that no string or
 * hash is shared between calls.
 */
export function benchEvent(alb: FakeAlb, token: string, identity = "alice"): ALBEvent {
  const event = alb.userEvent({ token, identity, path: "/whoami", accessToken: "opaque-access-token" });
  return JSON.parse(JSON.stringify(event)) as ALBEvent;
}
