// The listener's target group, built from the option that names it: the sample function (default), a user's handler module, or an HTTP upstream; a template's own functions are template-target.ts.
import type { AlbHandler } from "alb-oidc-target";
import { sampleHandler } from "../../sample/whoami.js";
import { safeDetail } from "../safe-detail.js";
import { loadHandler, parseHandlerSpec, type HandlerSpec } from "./handler-module.js";
import { describeError, lambdaTarget } from "./lambda.js";
import type { Target } from "./target.js";
import { upstreamTarget } from "./upstream.js";

/**
 * What the listener forwards to; a function's `timeoutS` is its Lambda timeout (3 s when left out). `template`: each
 * target group of the template runs its own function (its `Timeout`, unless `timeoutS` is given), the sample function
 * the groups without one.
 */
export type TargetOption =
  | { readonly kind: "sample"; readonly timeoutS?: number }
  | { readonly kind: "template"; readonly timeoutS?: number }
  | { readonly kind: "handler"; readonly handler: string | HandlerSpec; readonly timeoutS?: number }
  | { readonly kind: "upstream"; readonly url: string; readonly allowRemote?: boolean; readonly timeoutMs?: number };

/** The sample function as the emulator runs it; `handler` may be swapped (tests answer with their own). */
export interface SampleApp {
  handler: AlbHandler;
}

/** The target, and the sample function when the target is the sample (the self-check calls it). */
export interface BuiltTarget {
  readonly target: Target;
  readonly app: SampleApp | undefined;
}

/**
 * Builds the target group. A handler module that fails to load is still a target, as a function whose
 * init phase fails is at Lambda: every request is a 502, and the cause goes to the console.
 * @example const { target } = await buildTarget({ kind: "upstream", url: "http://127.0.0.1:8080" }, false, env, (l) => process.stdout.write(l));
 */
export async function buildTarget(
  option: TargetOption | undefined,
  multiValue: boolean,
  functionEnv: Record<string, string>,
  writeLog: (l: string) => void,
): Promise<BuiltTarget> {
  const t = option ?? { kind: "sample" };
  if (t.kind === "upstream") return { target: upstreamTarget(t), app: undefined };
  if (t.kind === "sample" || t.kind === "template") {
    const app: SampleApp = { handler: sampleHandler({ env: functionEnv, writeLog }) };
    // Called through the app object so that tests can swap app.handler.
    return {
      target: lambdaTarget({
        handler: (ev) => app.handler(ev as never),
        multiValue,
        name: "the sample function, whoami",
        timeoutS: t.timeoutS,
      }),
      app,
    };
  }
  const spec = typeof t.handler === "string" ? parseHandlerSpec(t.handler, process.cwd()) : t.handler;
  const name = `${spec.file}#${spec.exportName}`;
  try {
    const handler = await loadHandler(spec, functionEnv);
    return { target: lambdaTarget({ handler, multiValue, name, timeoutS: t.timeoutS }), app: undefined };
  } catch (err) {
    // As at Lambda: a module that fails its init phase makes every request a 502; the cause goes to the console.
    const loadError = err instanceof Error ? err : new Error(String(err));
    writeLog(
      `${JSON.stringify({ level: "error", msg: "the handler module failed to load", target: name, reason: safeDetail(describeError(loadError)) })}\n`,
    );
    return { target: lambdaTarget({ handler: () => undefined, multiValue, name, loadError }), app: undefined };
  }
}
