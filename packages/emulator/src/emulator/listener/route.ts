// One request through the listener: the load balancer's own callback path, else the first matching rule, its authenticate action (authenticate-oidc or jwt-validation), then its final action.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "alb-oidc-target/rules";
import { authenticate, CALLBACK_PATH, handleCallback, type OidcAction } from "../authenticate-oidc/action.js";
import { parseCookies } from "../authenticate-oidc/cookies.js";
import { sendAlbError } from "../error-page.js";
import { validateRequest, type JwtValidator } from "../jwt-validation/validate-request.js";
import type { Target } from "../targets/target.js";
import { splitTarget } from "../targets/wire.js";
import { runFinalAction } from "./final-actions.js";
import { hostName, requestHost } from "./host.js";
import { matchRule, type Listener, type ListenerRule } from "./rules.js";

/** A rule's authenticate action as it runs, built once at start. */
export type RuleRuntime =
  { readonly kind: "oidc"; readonly action: OidcAction } | { readonly kind: "jwt"; readonly validator: JwtValidator };

/** The listener as it runs: its rules with their authenticate actions, the targets, the console. */
export interface RunningListener {
  readonly listener: Listener;
  /** The authenticate action of each rule that has one. */
  readonly runtimes: ReadonlyMap<ListenerRule, RuleRuntime>;
  /** The authenticate-oidc actions in listener order: a login's nonce names the one that started it by index. */
  readonly oidc: readonly OidcAction[];
  /** The target of a forward whose target group has none of its own in `targets`. */
  readonly target: Target;
  /** Each template target group's own function, by logical id. */
  readonly targets: ReadonlyMap<string, Target>;
  readonly logger: Logger;
  /** The port the listener listens on. */
  readonly port: number;
}

/**
 * Answers one request as the listener does. Never answers twice; an error it throws is the caller's
 * to turn into the ALB's 500.
 */
export async function route(r: RunningListener, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const host = requestHost(req, r.port);
  const { path, rawQuery } = splitTarget(req.url ?? "/");
  const cookies = parseCookies(req.headersDistinct.cookie);
  // The callback path belongs to the load balancer: it never reaches the target.
  if (path === CALLBACK_PATH && r.oidc.length > 0) return handleCallback((i) => r.oidc[i]?.deps, req, res, host, rawQuery, cookies);
  const rule = matchRule(r.listener, { path, host: hostName(host), method: req.method ?? "GET" });
  if (!rule) return sendAlbError(res, 500, "EmulatorError", "no rule matched and the listener has no default action");
  // Which rule answered: the emulator's own debugging aid, like x-alb-emulator-error.
  res.setHeader("x-alb-emulator-rule", rule.name);
  const runtime = r.runtimes.get(rule);
  if (runtime === undefined) return runFinalAction(rule.action, r, req, res, undefined);
  if (runtime.kind === "jwt") {
    if (await validateRequest(runtime.validator, req, res, r.logger)) return runFinalAction(rule.action, r, req, res, undefined);
    return;
  }
  const outcome = await authenticate(runtime.action, req, res, host, cookies);
  if (outcome.pass) return runFinalAction(rule.action, r, req, res, outcome.oidc);
}
