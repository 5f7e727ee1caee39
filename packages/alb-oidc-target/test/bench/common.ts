// What every part of the bench shares: where the repository and the Lambda bundle are, and the request it sends.
import { join, resolve } from "node:path";
import type { ALBEvent } from "aws-lambda";
import type { FakeAlb } from "../../src/testing/index.js";

export const ROOT = resolve(import.meta.dirname, "../..");
/** The sample function's Lambda bundle, built by `npm run build` (the bench builds it first). */
export const BUNDLE = join(ROOT, "dist/index.js");

/**
 * A user request as Lambda hands it over: the kit's user event, freshly parsed, so that no string or
 * hash is shared between calls.
 */
export function benchEvent(alb: FakeAlb, token: string, identity = "alice"): ALBEvent {
  const event = alb.userEvent({ token, identity, path: "/whoami", accessToken: "opaque-access-token" });
  return JSON.parse(JSON.stringify(event)) as ALBEvent;
}
