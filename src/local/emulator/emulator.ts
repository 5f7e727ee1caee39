// The local ALB: a listener with rules (authenticate-oidc, jwt-validation, forward, fixed-response, redirect) in front of one target, with the embedded OIDC provider by default.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createApp, type App } from "../../app.js";
import type { Env } from "../../config.js";
import { createLogger, type Logger } from "../../log.js";
import { startKeyServer, type KeyServer } from "../../testing/key-server.js";
import { loopback } from "../../testing/loopback.js";
import { createAlbKey } from "../../testing/keys.js";
import { startOidcProvider, type EmbeddedOidcProvider } from "../oidc/provider.js";
import { CALLBACK_PATH, handleCallback, redirectToIdp, requestHost, type AuthenticateDeps } from "./authenticate-oidc/action.js";
import { ClaimsTokens } from "./authenticate-oidc/claims-token.js";
import { Cleanup } from "./cleanup.js";
import {
  needsEmbeddedProvider,
  resolveConfig,
  type EmulatorConfig,
  type EmulatorConfigFile,
  type IdpFields,
} from "./listener/config-file.js";
import { parseCookies } from "./authenticate-oidc/cookies.js";
import { sendAlbError } from "./error-page.js";
import { functionEnvironment } from "./targets/function-env.js";
import { loadHandler, parseHandlerSpec, type HandlerSpec } from "./targets/handler-module.js";
import { idpConfiguration } from "./authenticate-oidc/idp-client.js";
import { DEMO_MACHINE_CLIENT } from "../oidc/machine-client.js";
import { jwtValidationNeedsEmbeddedProvider } from "./jwt-validation/rule-config.js";
import { createJwtValidator, type JwtValidator } from "./jwt-validation/validate-request.js";
import { listenerFromConfig, matchRule, prefixOf, type FinalAction, type Listener, type ListenerRule } from "./listener/rules.js";
import { safeDetail } from "./safe-detail.js";
import { readSession, Sealer } from "./authenticate-oidc/session.js";
import { describeError, lambdaTarget, type LambdaTarget } from "./targets/lambda.js";
import type { Target } from "./targets/target.js";
import { upstreamTarget } from "./targets/upstream.js";
import { splitTarget, type OidcHeaders } from "./targets/wire.js";

/** The embedded provider's side of a listener: what `--embedded-idp` puts in place of every IdP the rules name. */
export interface EmbeddedIdp {
  readonly oidc: IdpFields;
  readonly machine: { readonly Issuer: string; readonly JwksEndpoint: string };
}

/** A listener read from somewhere else (a CloudFormation template); built once the embedded provider's URLs are known. */
export interface ListenerSource {
  /** Where it came from, for the banner. */
  readonly description: string;
  readonly needsEmbeddedProvider: boolean;
  build(embedded: EmbeddedIdp | undefined): Listener & {
    /** lambda.multi_value_headers.enabled of the target group. */
    readonly multiValue?: boolean;
    /** The ARN the emulator signs as. */
    readonly loadBalancerArn?: string;
  };
}

/** What the listener forwards to. */
export type TargetOption =
  | { readonly kind: "sample" }
  | { readonly kind: "handler"; readonly handler: string | HandlerSpec }
  | { readonly kind: "upstream"; readonly url: string; readonly allowRemote?: boolean; readonly timeoutMs?: number };

export interface EmulatorOptions {
  /** The validated config file (fields absent: embedded provider / ALB defaults). Ignored when `listener` is given. */
  readonly file?: EmulatorConfigFile;
  /** The listener from a template instead of the config file. */
  readonly listener?: ListenerSource;
  /** The target group: the sample function (default), a handler module, or an HTTP upstream. */
  readonly target?: TargetOption;
  /** Listener port on 127.0.0.1; 0 picks a free one (tests). */
  readonly port?: number;
  /** The embedded provider's port on 127.0.0.1; 0 picks a free one. */
  readonly idpPort?: number;
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
  readonly target: Target;
  /** The sample function as built from the emulator's environment (only with the sample target). */
  readonly app: App | undefined;
  /** The environment the function was built from (what an upstream or a plain AlbJwtVerifier needs too). */
  readonly functionEnv: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

interface OidcRuntime {
  readonly kind: "oidc";
  readonly index: number;
  readonly deps: AuthenticateDeps;
  readonly tokens: ClaimsTokens;
}

interface JwtRuntime {
  readonly kind: "jwt";
  readonly validator: JwtValidator;
}

interface Running {
  readonly listener: Listener;
  readonly runtimes: ReadonlyMap<ListenerRule, OidcRuntime | JwtRuntime>;
  readonly oidc: readonly OidcRuntime[];
  readonly target: Target;
  readonly sealer: Sealer;
  readonly logger: Logger;
  readonly port: number;
}

function hostName(host: string): string {
  return host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.replace(/:\d+$/, "");
}

/** The ALB's redirect action: each part defaults to the request's own (#{protocol}, #{host}, #{port}, #{path}, #{query}). */
function redirectLocation(
  a: Extract<FinalAction, { type: "redirect" }>,
  port: number,
  host: string,
  path: string,
  rawQuery: string,
): string {
  const fill = (template: string): string =>
    template
      .replace(/#\{protocol\}/g, "http")
      .replace(/#\{host\}/g, hostName(host))
      .replace(/#\{port\}/g, String(port))
      .replace(/#\{path\}/g, path.slice(1))
      .replace(/#\{query\}/g, rawQuery);
  const protocol = fill(a.protocol ?? "#{protocol}").toLowerCase();
  const h = fill(a.host ?? "#{host}");
  const p = fill(a.port ?? "#{port}");
  let target = fill(a.path ?? "/#{path}");
  if (!target.startsWith("/")) target = `/${target}`;
  const q = fill(a.query ?? "#{query}");
  const defaultPort = (protocol === "https" && p === "443") || (protocol === "http" && p === "80");
  return `${protocol}://${h}${defaultPort ? "" : `:${p}`}${target}${q ? `?${q}` : ""}`;
}

async function finish(
  r: Running,
  rule: ListenerRule,
  req: IncomingMessage,
  res: ServerResponse,
  oidc: OidcHeaders | undefined,
): Promise<void> {
  const a = rule.action;
  if (a.type === "forward") return r.target.deliver({ req, res, listenerPort: r.port, oidc, logger: r.logger });
  if (a.type === "fixed-response") {
    const body = Buffer.from(a.messageBody ?? "");
    res.writeHead(a.statusCode, { "content-type": a.contentType ?? "text/plain; charset=utf-8", "content-length": body.length });
    res.end(body);
    return;
  }
  const { path, rawQuery } = splitTarget(req.url ?? "/");
  res.writeHead(a.statusCode, { location: redirectLocation(a, r.port, requestHost(req, r.port), path, rawQuery), "content-length": 0 });
  res.end();
}

/**
 * The jwt-validation action: a valid bearer token goes on unchanged (no session, no claims headers);
 * anything else is answered here, before the target is called, as the ALB does.
 */
async function validateJwt(r: Running, jwt: JwtValidator, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const outcome = await jwt.check(req.headersDistinct.authorization);
  if (outcome.ok) return true;
  const detail = safeDetail(outcome.detail);
  r.logger.error("jwt-validation rejected the request", { status: outcome.status, reason: outcome.reason, detail });
  // RFC 6750: no error attribute when the request simply had no credentials.
  if (outcome.status === 401)
    res.setHeader("www-authenticate", outcome.reason === "AuthMissingJwt" ? "Bearer" : 'Bearer error="invalid_token"');
  sendAlbError(res, outcome.status, outcome.reason, detail);
  return false;
}

/** One request through the listener: the callback path, then the first matching rule's actions. */
async function route(r: Running, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const host = requestHost(req, r.port);
  const { path, rawQuery } = splitTarget(req.url ?? "/");
  const cookies = parseCookies(req.headersDistinct.cookie);
  // The callback path belongs to the load balancer: it never reaches the target.
  if (path === CALLBACK_PATH && r.oidc.length > 0) return handleCallback((i) => r.oidc[i]?.deps, res, host, rawQuery, cookies);
  const rule = matchRule(r.listener, { path, host: hostName(host), method: req.method ?? "GET" });
  if (!rule) return sendAlbError(res, 500, "LambdaUnhandled", "no rule matched and the listener has no default action");
  // Which rule answered: the emulator's own debugging aid, like x-alb-emulator-error.
  res.setHeader("x-alb-emulator-rule", rule.name);
  const runtime = r.runtimes.get(rule);
  if (runtime === undefined) return finish(r, rule, req, res, undefined);
  if (runtime.kind !== "oidc") {
    if (await validateJwt(r, runtime.validator, req, res)) return finish(r, rule, req, res, undefined);
    return;
  }
  const config = runtime.deps.config;
  const state = readSession(r.sealer, cookies, config.SessionCookieName, Math.floor(Date.now() / 1000));
  if (state.kind === "valid") {
    const s = state.session;
    return finish(r, rule, req, res, {
      accessToken: s.accessToken,
      identity: String(s.claims.sub),
      data: runtime.tokens.tokenFor(s.sid, s.claims),
    });
  }
  const mode = config.OnUnauthenticatedRequest;
  if (mode === "allow") return finish(r, rule, req, res, undefined);
  // deny answers 401, but a session that has expired still goes back to the IdP (ALB docs).
  if (mode === "deny" && state.kind === "none") return sendAlbError(res, 401, "AuthUnauthenticatedRequest");
  redirectToIdp(runtime.deps, req, res, host, runtime.index);
}

/** The IdP fields of the config file with every IdP swapped for the embedded provider (`--embedded-idp`). */
export function withEmbeddedIdp(file: EmulatorConfigFile): EmulatorConfigFile {
  const {
    Issuer: _i,
    AuthorizationEndpoint: _a,
    TokenEndpoint: _t,
    UserInfoEndpoint: _u,
    EndSessionEndpoint: _e,
    ClientId: _c,
    ClientSecret: _s,
    JwtValidation,
    ...rest
  } = file;
  if (!JwtValidation) return rest;
  const { Issuer: _ji, JwksEndpoint: _jj, ...block } = JwtValidation;
  return { ...rest, JwtValidation: block };
}

async function buildTarget(o: EmulatorOptions, multiValue: boolean, functionEnv: Record<string, string>, writeLog: (l: string) => void) {
  const t = o.target ?? { kind: "sample" };
  if (t.kind === "upstream") return { target: upstreamTarget(t), app: undefined };
  if (t.kind === "sample") {
    const app = createApp(functionEnv, { writeLog });
    // Called through the app object so that tests can swap app.handler.
    return {
      target: lambdaTarget({ handler: (ev) => app.handler(ev as never), multiValue, name: "the sample function, src/index.ts" }),
      app,
    };
  }
  const spec = typeof t.handler === "string" ? parseHandlerSpec(t.handler, process.cwd()) : t.handler;
  const name = `${spec.file}#${spec.exportName}`;
  try {
    const handler = await loadHandler(spec, functionEnv);
    return { target: lambdaTarget({ handler, multiValue, name }), app: undefined };
  } catch (err) {
    // As at Lambda: a module that fails its init phase makes every request a 502; the cause goes to the console.
    const loadError = err instanceof Error ? err : new Error(String(err));
    writeLog(
      `${JSON.stringify({ level: "error", msg: "the handler module failed to load", target: name, reason: safeDetail(describeError(loadError)) })}\n`,
    );
    return { target: lambdaTarget({ handler: () => undefined, multiValue, name, loadError }), app: undefined };
  }
}

/**
 * Starts the emulator (and the embedded provider unless the rules name other IdPs).
 * @example const alb = await startEmulator({ port: 3000, target: { kind: "upstream", url: "http://127.0.0.1:8080" } });
 */
export async function startEmulator(o: EmulatorOptions = {}): Promise<Emulator> {
  const file = o.file ?? {};
  const writeLog = o.writeLog ?? ((l: string) => process.stdout.write(l));
  const logger = createLogger(writeLog);
  // Filled once the port is known and the provider and target are built; requests before that get a 503.
  const ready: { running?: Running } = {};
  const server = createServer((req, res) => {
    const running = ready.running;
    if (!running) {
      res.writeHead(503, { "retry-after": "1" }).end();
      return;
    }
    route(running, req, res).catch((err: unknown) => {
      logger.error("emulator error", { reason: safeDetail(String(err)) });
      if (!res.headersSent) sendAlbError(res, 500, "LambdaUnhandled");
      else res.destroy();
    });
  });
  const lb = loopback(server);
  const port = await lb.listen(o.port ?? 0);
  const url = `http://localhost:${port}`;
  // Every step below pushes its undo as soon as what it started exists: stop() and a failed start undo them all.
  const cleanup = new Cleanup();
  cleanup.defer(() => lb.close());

  try {
    let idp: EmbeddedOidcProvider | undefined;
    const needsIdp = o.listener
      ? o.listener.needsEmbeddedProvider
      : needsEmbeddedProvider(file) || jwtValidationNeedsEmbeddedProvider(file.JwtValidation);
    const clientId = (!o.listener && file.ClientId) || "alb-oidc-local";
    const clientSecret = (!o.listener && file.ClientSecret) || randomBytes(24).toString("base64url");
    if (needsIdp) {
      idp = await startOidcProvider({
        port: o.idpPort ?? 0,
        clientId,
        clientSecret,
        redirectUris: [`${url}${CALLBACK_PATH}`],
        postLogoutRedirectUris: [`${url}/`],
        machineClient: { ...DEMO_MACHINE_CLIENT, resource: `${url}/` },
      });
      const started = idp;
      cleanup.defer(() => started.stop());
    }
    const embedded: EmbeddedIdp | undefined = idp && {
      oidc: {
        Issuer: idp.issuer,
        AuthorizationEndpoint: idp.authorizationEndpoint,
        TokenEndpoint: idp.tokenEndpoint,
        UserInfoEndpoint: idp.userInfoEndpoint,
        EndSessionEndpoint: idp.endSessionEndpoint,
        ClientId: clientId,
        ClientSecret: clientSecret,
      },
      machine: { Issuer: idp.issuer, JwksEndpoint: idp.jwksUri },
    };

    let listener: Listener;
    let config: EmulatorConfig;
    if (o.listener) {
      const built = o.listener.build(embedded);
      const firstOidc = built.rules.find((r) => r.auth?.type === "authenticate-oidc")?.auth;
      const base: EmulatorConfig =
        firstOidc?.type === "authenticate-oidc" ? firstOidc.config : resolveConfig({}, embedded?.oidc ?? placeholderIdp());
      const firstJwt = built.rules.find((r) => r.auth?.type === "jwt-validation");
      const prefixes = firstJwt?.conditions.find((c) => c.field === "path-pattern")?.values.map(prefixOf) ?? [];
      config = {
        ...base,
        MultiValueHeaders: built.multiValue ?? base.MultiValueHeaders,
        LoadBalancerArn: built.loadBalancerArn ?? base.LoadBalancerArn,
        ...(firstJwt?.auth?.type === "jwt-validation" &&
          prefixes.length > 0 &&
          prefixes.every((p) => p !== undefined) && { JwtValidation: { ...firstJwt.auth.config, PathPrefixes: prefixes } }),
      };
      if (o.adjustConfig) config = o.adjustConfig(config);
      const notes = [...built.notes];
      if (firstJwt && !config.JwtValidation)
        notes.push(
          `${firstJwt.name}: its path patterns are not all <prefix>*, so the function gets no M2M_PATH_PREFIXES and treats those requests as user requests`,
        );
      const jwtRules = built.rules.filter((r) => r.auth?.type === "jwt-validation");
      if (jwtRules.length > 1)
        notes.push(
          `${jwtRules.map((r) => r.name).join(", ")}: the function re-verifies machine tokens with the first rule's issuer and paths only`,
        );
      listener = { ...built, notes };
    } else {
      const resolved = resolveConfig(file, needsEmbeddedProvider(file) ? embedded?.oidc : undefined, embedded?.machine);
      config = o.adjustConfig ? o.adjustConfig(resolved) : resolved;
      listener = listenerFromConfig(config);
    }

    const key = createAlbKey();
    const keyServer = await startKeyServer({ keys: [key], port: o.keyPort ?? 0 });
    cleanup.defer(() => keyServer.stop());
    const functionEnv = functionEnvironment({
      extra: o.functionEnv,
      config,
      keyEndpoint: keyServer.url,
      url,
      embeddedIssuer: idp?.issuer,
    });
    if ((o.target?.kind ?? "sample") === "handler") {
      // The module reads its environment from process.env (written before it loads): put the process back as it was.
      const previousEnv = new Map(Object.keys(functionEnv).map((k) => [k, process.env[k]]));
      cleanup.defer(() => {
        for (const [k, v] of previousEnv) {
          if (v === undefined) Reflect.deleteProperty(process.env, k);
          else process.env[k] = v;
        }
      });
    }
    const { target, app } = await buildTarget(o, config.MultiValueHeaders, functionEnv, writeLog);
    cleanup.defer(() => target.stop());

    const sealer = new Sealer();
    const runtimes = new Map<ListenerRule, OidcRuntime | JwtRuntime>();
    const oidc: OidcRuntime[] = [];
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
      const c = o.listener ? auth.config : config;
      const tokens = new ClaimsTokens({
        key,
        issuer: c.Issuer,
        clientId: c.ClientId,
        signer: config.LoadBalancerArn,
        lifetimeS: o.claimsTokenLifetimeS ?? 60,
      });
      const runtime: OidcRuntime = {
        kind: "oidc",
        index: oidc.length,
        deps: { config: c, idp: idpConfiguration(c), sealer, logger },
        tokens,
      };
      oidc.push(runtime);
      runtimes.set(rule, runtime);
    }
    const claimsTokens =
      oidc[0]?.tokens ??
      new ClaimsTokens({ key, issuer: config.Issuer, clientId: config.ClientId, signer: config.LoadBalancerArn, lifetimeS: 60 });
    ready.running = { listener, runtimes, oidc, target, sealer, logger, port };
    return {
      url,
      port,
      config,
      listener,
      idp,
      keyServer,
      claimsTokens,
      jwtValidation,
      target,
      app,
      functionEnv,
      stop: () => cleanup.run(),
    };
  } catch (err) {
    // The step's own error is what the caller needs; a failed undo is only reported.
    await cleanup.run().catch((undoErr: unknown) => logger.error("emulator cleanup failed", { reason: safeDetail(String(undoErr)) }));
    throw err;
  }
}

/** Stand-in IdP fields when neither the rules nor the embedded provider give any (a listener without authenticate-oidc). */
function placeholderIdp(): IdpFields {
  const issuer = "https://idp.example.com";
  return {
    Issuer: issuer,
    AuthorizationEndpoint: `${issuer}/authorize`,
    TokenEndpoint: `${issuer}/token`,
    UserInfoEndpoint: `${issuer}/userinfo`,
    ClientId: "alb-oidc-local",
    ClientSecret: "unused",
  };
}

/** Is the target a Lambda target whose handler a test may swap? */
export function isLambdaTarget(t: Target): t is LambdaTarget {
  return t.kind === "lambda";
}
