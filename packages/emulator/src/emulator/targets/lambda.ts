// A Lambda function as the target (the sample or a user's handler module): the ALB event built from the request, the handler run, its result answered as the ALB does.
import { randomUUID } from "node:crypto";
import { albEventFromWire } from "alb-oidc-target/testing";
import { sendAlbError } from "../error-page.js";
import { safeDetail } from "../safe-detail.js";
import { convertResult, sendAnswer } from "./lambda-result.js";
import type { Target } from "./target.js";
import { readBody, wireRequest } from "./wire.js";

/** A Lambda handler: async, or the older callback style. */
export type LambdaFunction = (
  event: unknown,
  context: Record<string, unknown>,
  callback?: (err: unknown, result?: unknown) => void,
) => unknown;

/** A Lambda target group; `handler` may be swapped (tests record events through it). */
export interface LambdaTarget extends Target {
  readonly kind: "lambda";
  handler: LambdaFunction;
  /** Why the module could not be loaded: every request is a 502 while it is set. */
  readonly loadError: Error | undefined;
}

/** A context object with the fields handlers read most. */
function context(functionName: string): Record<string, unknown> {
  const deadline = Date.now() + 30_000;
  const awsRequestId = randomUUID();
  return {
    awsRequestId,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: "128",
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "local",
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

/** Runs the handler; a callback-style handler (three parameters) is adapted to a promise. */
function run(fn: LambdaFunction, event: unknown, ctx: Record<string, unknown>): Promise<unknown> {
  if (fn.length >= 3) {
    return new Promise((resolve, reject) => {
      const out = fn(event, ctx, (err, result) =>
        err ? reject(err instanceof Error ? err : new Error(JSON.stringify(err))) : resolve(result),
      );
      if (out instanceof Promise) out.then(resolve, reject);
    });
  }
  return Promise.resolve().then(() => fn(event, ctx));
}

/**
 * A Lambda target group for `handler` (multi-value mode as the target group attribute says).
 * A handler that throws or returns a malformed result is a 502, with the cause on the console.
 * @example const t = lambdaTarget({ handler, multiValue: false, name: "sample function" });
 */
export function lambdaTarget(o: {
  readonly handler: LambdaFunction;
  readonly multiValue: boolean;
  readonly name: string;
  readonly loadError?: Error;
}): LambdaTarget {
  const target: LambdaTarget = {
    kind: "lambda",
    description: `Lambda (${o.name})${o.multiValue ? " (multi-value headers)" : ""}`,
    handler: o.handler,
    loadError: o.loadError,
    async deliver({ req, res, listenerPort, oidc, logger }) {
      const body = await readBody(req);
      if (body === undefined) return sendAlbError(res, 413, "RequestTooLarge");
      if (target.loadError) {
        logger.error("the function could not be loaded", { target: o.name, reason: safeDetail(describeError(target.loadError)) });
        return sendAlbError(res, 502, "LambdaInitError");
      }
      const event = albEventFromWire(wireRequest(req, body, { listenerPort, multiValue: o.multiValue, oidc }));
      let result: unknown;
      try {
        result = await run(target.handler, event, context(o.name));
      } catch (err) {
        logger.error("function threw", { target: o.name, reason: safeDetail(describeError(err)) });
        return sendAlbError(res, 502, "LambdaUnhandled");
      }
      const answer = convertResult(result, o.multiValue);
      if (typeof answer === "string") {
        logger.error("invalid function result", { target: o.name, reason: answer });
        return sendAlbError(res, 502, "LambdaInvalidResponse", answer);
      }
      sendAnswer(res, answer);
    },
    stop: () => Promise.resolve(),
  };
  return target;
}

/** An error with its stack's first frames (where in the user's code it failed), or the value as text. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const frames = (err.stack ?? "")
    .split("\n")
    .slice(1, 4)
    .map((l) => l.trim());
  const cause = err.cause === undefined ? "" : ` (cause: ${describeError(err.cause)})`;
  return [`${err.name}: ${err.message}${cause}`, ...frames].join(" | ");
}
