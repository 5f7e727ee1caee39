// The local ALB: a listener with rules (authenticate-oidc, jwt-validation, forward, fixed-response, redirect) in front of one target, with the embedded OIDC provider by default; started in named steps, each undone on stop.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createLogger, type Logger } from "alb-oidc-target/rules";
import { createAlbKey, loopback, startKeyServer, type KeyServer, type TestKey } from "alb-oidc-target/testing";
import type { Env } from "../env.js";
import { DEMO_MACHINE_CLIENT } from "../oidc/machine-client.js";
import { startOidcProvider, type EmbeddedOidcProvider } from "../oidc/provider.js";
import { CALLBACK_PATH, type OidcAction } from "./authenticate-oidc/action.js";
import { ClaimsTokens } from "./authenticate-oidc/claims-token.js";
import { idpConfiguration } from "./authenticate-oidc/idp-client.js";
import { Sealer } from "./authenticate-oidc/session.js";
import { Cleanup } from "./cleanup.js";
import { sendAlbError, sendPlainAlbError } from "./error-page.js";
import { createJwtValidator, type JwtValidator } from "./jwt-validation/validate-request.js";
import type { EmulatorConfig, EmulatorConfigFile } from "./listener/config-file.js";
import { answerParserErrors, LISTENER_SERVER_OPTIONS, listenerRefusal } from "./listener/request-rules.js";
import { route, type RuleRuntime, type RunningListener } from "./listener/route.js";
import type { Listener, ListenerRule } from "./listener/rules.js";
import { listenerInForce, listenerNeedsEmbeddedProvider, type EmbeddedIdp, type ListenerSource } from "./listener/source.js";
import { safeDetail } from "./safe-detail.js";
import { functionEnvironment } from "./targets/function-env.js";
import type { LambdaTarget } from "./targets/lambda.js";
import { buildTarget, type SampleApp, type TargetOption } from "./targets/target-group.js";
import { templateTarget } from "./targets/template-target.js";
import type { TemplateFunction } from "./listener/template-function.js";
import type { Target } from "./targets/target.js";
import { serveUpgrades } from "./targets/upgrade.js";

export interface EmulatorOptions {
  /** The validated config file (fields absent: embedded provider / ALB defaults). Ignored when `listener` is given. */
  readonly file?: EmulatorConfigFile;
  /** The listener from a template instead of the config file. */
  readonly listener?: ListenerSource;
  /**
   * The target group: the sample function (default), a handler module, or an HTTP upstream. With a template
   * `listener` the default is `template`: each target group runs its own function of the template.
   */
  readonly target?: TargetOption;
  /** Listener port on 127.0.0.1; 0 picks a free one (tests). */
  readonly port?: number;
  /** The embedded provider's port on 127.0.0.1; 0 picks a free one. */
  readonly idpPort?: number;
  /** Seconds the embedded provider's access tokens live (IDP_ACCESS_TOKEN_TTL; 3600 by default): sessions refresh when they expire. */
  readonly idpAccessTokenTtlS?: number;
  /** The ALB key endpoint's port on 127.0.0.1; 0 picks a free one. */
  readonly keyPort?: number;
  /** Lifetime of x-amzn-oidc-data tokens in seconds (the ALB's ~60 by default). */
  readonly claimsTokenLifetimeS?: number;
  /** Extra environment for the function (authorization rules, ...); the emulator's own variables win. */
  readonly functionEnv?: Env;
  /**
   * Edits the resolved configuration before anything is built from it: lets tests reproduce a
   * misconfiguration against the embedded provider, whose URLs are only known once it listens.
   */
  readonly adjustConfig?: (c: EmulatorConfig) => EmulatorConfig;
  /** Where the function's and the emulator's log lines go (stdout by default). */
  readonly writeLog?: (line: string) => void;
}

export interface Emulator {
  /** http://localhost:<port> */
  readonly url: string;
  readonly port: number;
  /** The first authenticate-oidc action's configuration (the default rule's, with the config file). */
  readonly config: EmulatorConfig;
  /** The listener in force: its rules and what could not be emulated. */
  readonly listener: Listener;
  /** The embedded provider, when the config does not name another IdP. */
  readonly idp: EmbeddedOidcProvider | undefined;
  /** Serves the emulator's ES256 public key as the ALB key endpoint does. */
  readonly keyServer: KeyServer;
  readonly claimsTokens: ClaimsTokens;
  /** The jwt-validation action of the first such rule, if any. */
  readonly jwtValidation: JwtValidator | undefined;
  /** Where a forward goes unless its target group has its own function in `targets` (the first forward's, when they all have). */
  readonly target: Target;
  /** Each template target group's own function, by the group's logical id. */
  readonly targets: ReadonlyMap<string, Target>;
  /** The sample function as built from the emulator's environment (only with the sample target). */
  readonly app: SampleApp | undefined;
  /** The environment the function was built from (what an upstream or a plain AlbJwtVerifier needs too). */
  readonly functionEnv: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

/** What every start-up step may use: the listener's address, the console, and the undo stack. */
interface StartContext {
  readonly o: EmulatorOptions;
  readonly url: string;
  readonly port: number;
  readonly logger: Logger;
  readonly writeLog: (line: string) => void;
  readonly cleanup: Cleanup;
}

/**
 * Starts the emulator (and the embedded provider unless the rules name other IdPs).
 * @example const alb = await startEmulator({ port: 3000, target: { kind: "upstream", url: "http://127.0.0.1:8080" } });
 */
export async function startEmulator(o: EmulatorOptions = {}): Promise<Emulator> {
  const writeLog = o.writeLog ?? ((l: string) => process.stdout.write(l));
  const logger = createLogger(writeLog);
  // Filled once the port is known and the provider and target are built; requests before that get a 503.
  const ready: { running?: RunningListener } = {};
  const lb = loopback(listenerServer(ready, logger));
  const port = await lb.listen(o.port ?? 0);
  // Every step below pushes its undo as soon as what it started exists: stop() and a failed start undo them all.
  const cleanup = new Cleanup();
  cleanup.defer(() => lb.close());
  try {
    const { running, emulator } = await startBehindListener({ o, url: `http://localhost:${port}`, port, logger, writeLog, cleanup });
    ready.running = running;
    return { ...emulator, stop: () => cleanup.run() };
  } catch (err) {
    // The step's own error is what the caller needs; a failed undo is only reported.
    await cleanup.run().catch((undoErr: unknown) => logger.error("emulator cleanup failed", { reason: safeDetail(String(undoErr)) }));
    throw err;
  }
}

/**
 * The listener's HTTP server: a 503 until start-up has finished; then what the load balancer refuses
 * outright (its header limits, TRACE, too many X-Forwarded-For addresses), else each request (an
 * upgrade too) through the rules; what they throw is the ALB's 500.
 */
function listenerServer(ready: { readonly running?: RunningListener }, logger: Logger): Server {
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const running = ready.running;
    if (!running) {
      res.writeHead(503, { "retry-after": "1" }).end();
      return;
    }
    const refusal = listenerRefusal(req);
    if (refusal) {
      logger.error("the load balancer refused the request", { status: refusal.status, detail: refusal.why });
      sendPlainAlbError(res, refusal.status);
      return;
    }
    route(running, req, res).catch((err: unknown) => {
      logger.error("emulator error", { reason: safeDetail(String(err)) });
      if (!res.headersSent) sendAlbError(res, 500, "EmulatorError");
      else res.destroy();
    });
  };
  const server = createServer(LISTENER_SERVER_OPTIONS, handle);
  answerParserErrors(server, logger);
  serveUpgrades(server, handle);
  return server;
}

/** Everything behind the listening socket, in order: the provider, the listener in force, the key endpoint, the function's environment, the target, the rules' actions. */
async function startBehindListener(s: StartContext): Promise<{ running: RunningListener; emulator: Omit<Emulator, "stop"> }> {
  const { o, url, port, logger, cleanup } = s;
  const { idp, embedded } = await startEmbeddedIdp(s);
  const { listener, config, functions } = listenerInForce(
    { file: o.file ?? {}, source: o.listener, adjustConfig: o.adjustConfig },
    embedded,
  );
  const key = createAlbKey();
  const keyServer = await startKeyServer({ keys: [key], port: o.keyPort ?? 0 });
  cleanup.defer(() => keyServer.stop());
  const functionEnv = functionEnvironment({ extra: o.functionEnv, config, keyEndpoint: keyServer.url, url, embeddedIssuer: idp?.issuer });
  if ((o.target?.kind ?? "sample") === "handler") restoreProcessEnvOnCleanup(functionEnv, cleanup);
  const kind = o.target?.kind ?? (o.listener ? "template" : "sample");
  const timeoutS = o.target && "timeoutS" in o.target ? o.target.timeoutS : undefined;
  const targets =
    kind === "template"
      ? await templateTargets(s, functions, { config, keyEndpoint: keyServer.url, idp, timeoutS })
      : new Map<string, Target>();
  // A forward whose target group has no function of the template goes to the option's target (the sample function by default).
  const forwards = listener.rules.flatMap((r) => (r.action.type === "forward" ? [r.action.targetGroup] : []));
  const ownTargets = forwards.map((g) => (g === undefined ? undefined : targets.get(g)));
  const first = ownTargets[0];
  const { target, app } =
    first !== undefined && ownTargets.every((t) => t !== undefined)
      ? { target: first, app: undefined }
      : await buildTarget(o.target, config.MultiValueHeaders, functionEnv, s.writeLog);
  cleanup.defer(() => target.stop());
  const { runtimes, oidc, jwtValidation } = ruleRuntimes(listener, config, key, s);
  const claimsTokens =
    oidc[0]?.tokens ??
    new ClaimsTokens({ key, issuer: config.Issuer, clientId: config.ClientId, signer: config.LoadBalancerArn, lifetimeS: 60 });
  return {
    running: { listener, runtimes, oidc, target, targets, logger, port },
    emulator: { url, port, config, listener, idp, keyServer, claimsTokens, jwtValidation, target, targets, app, functionEnv },
  };
}

/**
 * Step (template listeners): each target group's own function, with its own Environment (references to the load
 * balancer resolved to the emulator's) under the emulator's variables, which win, as they do for every function.
 */
async function templateTargets(
  s: StartContext,
  functions: readonly TemplateFunction[],
  c: { config: EmulatorConfig; keyEndpoint: string; idp: EmbeddedOidcProvider | undefined; timeoutS: number | undefined },
): Promise<Map<string, Target>> {
  const targets = new Map<string, Target>();
  for (const fn of functions) {
    const own = fn.environment({ loadBalancerArn: c.config.LoadBalancerArn, url: s.url });
    // The embedded provider's machine tokens are for the emulator's URL: the template's audience is the real IdP's.
    if (c.idp !== undefined && c.config.JwtValidation?.Issuer === c.idp.issuer) Reflect.deleteProperty(own, "M2M_AUDIENCE");
    const env = functionEnvironment({
      extra: { ...s.o.functionEnv, ...own },
      config: c.config,
      keyEndpoint: c.keyEndpoint,
      url: s.url,
      embeddedIssuer: c.idp?.issuer,
    });
    if (!("unrunnable" in fn.run)) restoreProcessEnvOnCleanup(env, s.cleanup);
    const target = await templateTarget({ fn, env, timeoutS: c.timeoutS, logger: s.logger, defer: (u) => s.cleanup.defer(u) });
    s.cleanup.defer(() => target.stop());
    targets.set(fn.targetGroup, target);
  }
  return targets;
}

/** Step: the embedded OpenID Provider, when the listener's actions need it, registered for this emulator's callback and logout URLs. */
async function startEmbeddedIdp(s: StartContext): Promise<{ idp: EmbeddedOidcProvider | undefined; embedded: EmbeddedIdp | undefined }> {
  const { o, url } = s;
  const file = o.file ?? {};
  const needsIdp = listenerNeedsEmbeddedProvider({ file, source: o.listener });
  const clientId = (!o.listener && file.ClientId) || "alb-oidc-local";
  const clientSecret = (!o.listener && file.ClientSecret) || randomBytes(24).toString("base64url");
  if (!needsIdp) return { idp: undefined, embedded: undefined };
  const idp = await startOidcProvider({
    port: o.idpPort ?? 0,
    clientId,
    clientSecret,
    redirectUris: [`${url}${CALLBACK_PATH}`],
    postLogoutRedirectUris: [`${url}/`],
    machineClient: { ...DEMO_MACHINE_CLIENT, resource: `${url}/` },
    accessTokenTtlS: o.idpAccessTokenTtlS,
  });
  s.cleanup.defer(() => idp.stop());
  const oidc = {
    Issuer: idp.issuer,
    AuthorizationEndpoint: idp.authorizationEndpoint,
    TokenEndpoint: idp.tokenEndpoint,
    UserInfoEndpoint: idp.userInfoEndpoint,
    EndSessionEndpoint: idp.endSessionEndpoint,
    ClientId: clientId,
    ClientSecret: clientSecret,
  };
  return { idp, embedded: { oidc, machine: { Issuer: idp.issuer, JwksEndpoint: idp.jwksUri } } };
}

/** Step (handler modules only): the module reads its environment from process.env, written before it loads; stop puts the process back as it was. */
function restoreProcessEnvOnCleanup(functionEnv: Readonly<Record<string, string>>, cleanup: Cleanup): void {
  const previousEnv = new Map(Object.keys(functionEnv).map((k) => [k, process.env[k]]));
  cleanup.defer(() => {
    for (const [k, v] of previousEnv) {
      if (v === undefined) Reflect.deleteProperty(process.env, k);
      else process.env[k] = v;
    }
  });
}

/** Step: each rule's authenticate action, built once: a validator per jwt-validation rule, an IdP client and a claims-token minter per authenticate-oidc rule. */
function ruleRuntimes(
  listener: Listener,
  config: EmulatorConfig,
  key: TestKey,
  s: StartContext,
): { runtimes: Map<ListenerRule, RuleRuntime>; oidc: OidcAction[]; jwtValidation: JwtValidator | undefined } {
  const sealer = new Sealer();
  const runtimes = new Map<ListenerRule, RuleRuntime>();
  const oidc: OidcAction[] = [];
  let jwtValidation: JwtValidator | undefined;
  for (const rule of listener.rules) {
    const auth = rule.auth;
    if (!auth) continue;
    if (auth.type === "jwt-validation") {
      const validator = createJwtValidator({ ...auth.config, PathPrefixes: [] });
      jwtValidation ??= validator;
      runtimes.set(rule, { kind: "jwt", validator });
      continue;
    }
    // The config file's default rule carries the (possibly adjusted) config in force.
    const c = s.o.listener ? auth.config : config;
    const lifetimeS = s.o.claimsTokenLifetimeS ?? 60;
    const tokens = new ClaimsTokens({ key, issuer: c.Issuer, clientId: c.ClientId, signer: config.LoadBalancerArn, lifetimeS });
    const action: OidcAction = { index: oidc.length, deps: { config: c, idp: idpConfiguration(c), sealer, logger: s.logger }, tokens };
    oidc.push(action);
    runtimes.set(rule, { kind: "oidc", action });
  }
  return { runtimes, oidc, jwtValidation };
}

/** Is the target a Lambda target whose handler a test may swap? */
export function isLambdaTarget(t: Target): t is LambdaTarget {
  return t.kind === "lambda";
}
