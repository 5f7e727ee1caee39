// A Lambda function as the target (the sample or a user's handler module): the ALB event built from the request, the handler run, its result answered as the ALB does.
import { randomUUID } from "node:crypto";
import { albEventFromWire } from "alb-oidc-target/testing";
import { sendAlbError, sendPlainAlbError } from "../error-page.js";
import { safeDetail } from "../safe-detail.js";
import { albVerdict, sendAnswer } from "./lambda-result.js";
import type { Target } from "./target.js";
import { upgradeOf } from "./upgrade.js";
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

/** Lambda's default function timeout, in seconds. */
export const DEFAULT_FUNCTION_TIMEOUT_S = 3;

/** A context object with the fields handlers read most; getRemainingTimeInMillis counts down to the invocation's deadline. */
function context(functionName: string, deadline: number): Record<string, unknown> {
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

/** The handler's outcome, or "timeout" when it has not settled by the deadline (the handler is left running: it cannot be stopped in-process). */
async function runUntil(
  fn: LambdaFunction,
  event: unknown,
  ctx: Record<string, unknown>,
  deadline: number,
): Promise<{ result: unknown } | "timeout"> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), Math.max(0, deadline - Date.now()))));
  try {
    // race handles the loser too: a handler failing after its timeout is no unhandled rejection.
    return await Promise.race([run(fn, event, ctx).then((result) => ({ result })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export interface LambdaTargetOptions {
  readonly handler: LambdaFunction;
  readonly multiValue: boolean;
  readonly name: string;
  /** context.functionName (the name by default). */
  readonly functionName?: string;
  readonly loadError?: Error;
  /** The function's timeout in seconds (the template's `Timeout`, or --timeout); Lambda's 3 by default. */
  readonly timeoutS?: number;
}

/**
 * A Lambda target group for `handler` (multi-value mode as the target group attribute says).
 * A handler that throws, does not settle within its timeout, or returns a result the ALB refuses is a
 * 502 naming the ALB's reason, with the cause on the console; other requests are served meanwhile.
 * @example const t = lambdaTarget({ handler, multiValue: false, name: "sample function", timeoutS: 10 });
 */
export function lambdaTarget(o: LambdaTargetOptions): LambdaTarget {
  const timeoutS = o.timeoutS ?? DEFAULT_FUNCTION_TIMEOUT_S;
  const target: LambdaTarget = {
    kind: "lambda",
    description: `Lambda (${o.name})${o.multiValue ? " (multi-value headers)" : ""}`,
    handler: o.handler,
    loadError: o.loadError,
    async deliver({ req, res, listenerPort, oidc, logger }) {
      // "WebSockets are not supported. Upgrade requests are rejected with an HTTP 400 code." (lambda-functions.html)
      if (upgradeOf(req)) {
        logger.error("the load balancer refused the request", {
          target: o.name,
          status: 400,
          detail: "Lambda targets do not support WebSockets",
        });
        return sendPlainAlbError(res, 400);
      }
      const body = await readBody(req);
      if (body === undefined) return sendAlbError(res, 413, "LambdaRequestTooLarge");
      if (target.loadError) {
        logger.error("the function could not be loaded", { target: o.name, reason: safeDetail(describeError(target.loadError)) });
        return sendAlbError(res, 502, "LambdaInitError");
      }
      const event = albEventFromWire(wireRequest(req, body, { listenerPort, multiValue: o.multiValue, oidc }));
      const deadline = Date.now() + timeoutS * 1000;
      let outcome: { result: unknown } | "timeout";
      try {
        outcome = await runUntil(target.handler, event, context(o.functionName ?? o.name, deadline), deadline);
      } catch (err) {
        logger.error("function threw", { target: o.name, status: 502, reason: "LambdaUnhandled", detail: safeDetail(describeError(err)) });
        return sendAlbError(res, 502, "LambdaUnhandled");
      }
      if (outcome === "timeout") {
        // Lambda's own words for it; Lambda reports a timeout to its caller as an unhandled function error.
        const detail = `Task timed out after ${timeoutS.toFixed(2)} seconds`;
        logger.error("function timed out", { target: o.name, status: 502, reason: "LambdaUnhandled", detail });
        return sendAlbError(res, 502, "LambdaUnhandled", detail);
      }
      const verdict = albVerdict(outcome.result, o.multiValue);
      if (!verdict.ok) {
        logger.error("the ALB refuses the function's result", {
          target: o.name,
          status: 502,
          reason: verdict.reason,
          detail: verdict.detail,
        });
        return sendAlbError(res, 502, verdict.reason, verdict.detail);
      }
      sendAnswer(res, verdict.answer);
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
