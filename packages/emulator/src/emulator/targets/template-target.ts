// A template target group's own function as a Lambda target: its code copied to a directory of its own (as Lambda unpacks it to /var/task), its Handler loaded with its Environment, its Timeout; one it cannot run is a target whose every request is the ALB's 502 LambdaUnhandled.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Logger } from "alb-oidc-target/rules";
import type { TemplateFunction } from "../listener/template-function.js";
import { safeDetail } from "../safe-detail.js";
import { loadHandler } from "./handler-module.js";
import { describeError, lambdaTarget, type LambdaTarget } from "./lambda.js";

export interface TemplateTargetOptions {
  readonly fn: TemplateFunction;
  /** The function's whole environment (its own Environment, resolved, with the emulator's variables). */
  readonly env: Readonly<Record<string, string>>;
  /** --timeout, which wins over the template's Timeout. */
  readonly timeoutS: number | undefined;
  /** The emulator's console: a function that fails to load is named there. */
  readonly logger: Logger;
  /** Registers an undo step (the copied code is removed on stop). */
  readonly defer: (undo: () => Promise<void> | void) => void;
}

/**
 * Builds the target of a template function. Its code is copied out of cdk.out (or SAM's directory) first:
 * at Lambda it runs from its own root, so a `.js` file is CommonJS unless a package.json of the code says
 * otherwise, and nothing outside the code (the project's node_modules) is there to import.
 * @example const t = await templateTarget({ fn, env, timeoutS: undefined, logger, defer: (u) => cleanup.defer(u) });
 */
export async function templateTarget(o: TemplateTargetOptions): Promise<LambdaTarget> {
  const { fn } = o;
  const base = { multiValue: fn.multiValue, functionName: fn.functionId };
  if ("unrunnable" in fn.run) {
    return lambdaTarget({
      ...base,
      handler: () => undefined,
      name: `${fn.functionId}: cannot run here: ${fn.run.unrunnable}`,
      loadError: new Error(`${fn.functionId} cannot run in the emulator: ${fn.run.unrunnable}`),
    });
  }
  const run = fn.run;
  const timeoutS = o.timeoutS ?? run.timeoutS;
  const from = "dir" in run.code ? `${run.code.dir}/` : "inline Code.ZipFile ";
  const name = `${fn.functionId}: ${from}${run.module}, export ${run.exportPath}${timeoutS === undefined ? "" : `, Timeout ${timeoutS} s`}`;
  const root = mkdtempSync(join(tmpdir(), "alb-oidc-target-function-"));
  o.defer(() => rmSync(root, { recursive: true, force: true }));
  try {
    if ("dir" in run.code) cpSync(run.code.dir, root, { recursive: true, dereference: true });
    else writeFileSync(join(root, run.module), run.code.inline);
    const handler = await loadHandler({ file: join(root, run.module), exportName: run.exportPath }, o.env);
    return lambdaTarget({ ...base, handler, name, timeoutS });
  } catch (err) {
    // As at Lambda: a function whose init phase fails makes every request a 502; the cause goes to the console.
    const loadError = err instanceof Error ? err : new Error(String(err));
    o.logger.error("the template's function failed to load", { target: name, reason: safeDetail(describeError(loadError)) });
    return lambdaTarget({ ...base, handler: () => undefined, name, loadError, timeoutS });
  }
}
