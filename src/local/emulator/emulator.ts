// The local ALB: a listener rule with authenticate-oidc in front of this repository's function, with the embedded OIDC provider by default.
import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createApp, type App } from "../../app.js";
import type { Env } from "../../config.js";
import { createLogger, scrubTokens, type Logger } from "../../log.js";
import { albEventFromWire } from "../../testing/events.js";
import { startKeyServer, type KeyServer } from "../../testing/key-server.js";
import { loopback } from "../../testing/loopback.js";
import { createAlbKey } from "../../testing/keys.js";
import { startOidcProvider, type EmbeddedOidcProvider } from "../oidc/provider.js";
import { convertResult, sendAnswer } from "./alb-result.js";
import { CALLBACK_PATH, handleCallback, redirectToIdp, requestHost, type AuthenticateDeps } from "./authenticate.js";
import { ClaimsTokens } from "./claims-token.js";
import { needsEmbeddedProvider, resolveConfig, type EmulatorConfig, type EmulatorConfigFile } from "./config.js";
import { parseCookies } from "./cookies.js";
import { sendAlbError } from "./error-page.js";
import { idpConfiguration } from "./idp-client.js";
import { DEMO_MACHINE_CLIENT } from "./machine-client.js";
import { createJwtValidator, jwtValidationNeedsEmbeddedProvider, type JwtValidator } from "./jwt-validation.js";
import { readSession, Sealer, type Session } from "./session.js";
import { readBody, splitTarget, wireRequest } from "./wire.js";

export interface EmulatorOptions {
  /** The validated config file (fields absent: embedded provider / ALB defaults). */
  readonly file?: EmulatorConfigFile;
  /** Listener port on 127.0.0.1; 0 picks a free one (tests). */
  readonly port?: number;
  /** The embedded provider's port on 127.0.0.1; 0 picks a free one. */
  readonly idpPort?: number;
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
  readonly config: EmulatorConfig;
  /** The embedded provider, when the config does not name another IdP. */
  readonly idp: EmbeddedOidcProvider | undefined;
  /** Serves the emulator's ES256 public key as the ALB key endpoint does. */
  readonly keyServer: KeyServer;
  readonly claimsTokens: ClaimsTokens;
  /** The jwt-validation rule on the machine path prefixes, when the config has a JwtValidation block. */
  readonly jwtValidation: JwtValidator | undefined;
  /** The function as built from the emulator's environment. */
  readonly app: App;
  /** The environment the function was built from. */
  readonly functionEnv: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

interface Running {
  readonly config: EmulatorConfig;
  readonly app: App;
  readonly auth: AuthenticateDeps;
  readonly tokens: ClaimsTokens;
  readonly sealer: Sealer;
  readonly logger: Logger;
  readonly port: number;
  readonly jwt: JwtValidator | undefined;
}

async function forward(r: Running, req: IncomingMessage, res: ServerResponse, body: Buffer, session: Session | undefined): Promise<void> {
  const multiValue = r.config.MultiValueHeaders;
  const oidc = session && {
    accessToken: session.accessToken,
    identity: String(session.claims.sub),
    data: r.tokens.tokenFor(session.sid, session.claims),
  };
  const event = albEventFromWire(wireRequest(req, body, { listenerPort: r.port, multiValue, oidc }));
  let result: unknown;
  try {
    result = await r.app.handler(event, { awsRequestId: randomUUID() });
  } catch (err) {
    r.logger.error("function threw", { reason: scrubTokens(String(err)).slice(0, 300) });
    sendAlbError(res, 502, "LambdaUnhandled");
    return;
  }
  const answer = convertResult(result, multiValue);
  if (typeof answer === "string") {
    r.logger.error("invalid function result", { reason: answer });
    sendAlbError(res, 502, "LambdaInvalidResponse", answer);
    return;
  }
  sendAnswer(res, answer);
}

/**
 * The jwt-validation rule: a valid bearer token goes to the function unchanged (no session, no claims headers);
 * anything else is answered here, before the function is called, as the ALB does.
 */
async function validateJwt(r: Running, jwt: JwtValidator, req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
  const outcome = await jwt.check(req.headersDistinct.authorization);
  if (outcome.ok) return forward(r, req, res, body, undefined);
  r.logger.error("jwt-validation rejected the request", {
    status: outcome.status,
    reason: outcome.reason,
    detail: scrubTokens(outcome.detail).slice(0, 300),
  });
  // RFC 6750: no error attribute when the request simply had no credentials.
  if (outcome.status === 401)
    res.setHeader("www-authenticate", outcome.reason === "AuthMissingJwt" ? "Bearer" : 'Bearer error="invalid_token"');
  sendAlbError(res, outcome.status, outcome.reason, outcome.detail);
}

/** One request through the listener rule. */
async function route(r: Running, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  if (body === undefined) return sendAlbError(res, 413, "RequestTooLarge");
  const host = requestHost(req, r.port);
  const { path, rawQuery } = splitTarget(req.url ?? "/");
  const cookies = parseCookies(req.headersDistinct.cookie);
  // The callback path belongs to the load balancer: it never reaches the target.
  if (path === CALLBACK_PATH) return handleCallback(r.auth, res, host, rawQuery, cookies);
  // The machine rule comes first, as an ALB rule with a higher priority: no session is read, no login is started.
  if (r.jwt?.matches(path)) return validateJwt(r, r.jwt, req, res, body);
  const state = readSession(r.sealer, cookies, r.config.SessionCookieName, Math.floor(Date.now() / 1000));
  if (state.kind === "valid") return forward(r, req, res, body, state.session);
  const mode = r.config.OnUnauthenticatedRequest;
  if (mode === "allow") return forward(r, req, res, body, undefined);
  // deny answers 401, but a session that has expired still goes back to the IdP (ALB docs).
  if (mode === "deny" && state.kind === "none") return sendAlbError(res, 401, "AuthUnauthenticatedRequest");
  redirectToIdp(r.auth, req, res, host);
}

/**
 * Starts the emulator (and the embedded provider unless the config names another IdP).
 * @example const alb = await startEmulator({ port: 3000 }); // browse http://localhost:3000
 */
export async function startEmulator(o: EmulatorOptions = {}): Promise<Emulator> {
  const file = o.file ?? {};
  const writeLog = o.writeLog ?? ((l: string) => process.stdout.write(l));
  const logger = createLogger(writeLog);
  // Filled once the port is known and the provider and function are built; requests before that get a 503.
  const ready: { running?: Running } = {};
  const server = createServer((req, res) => {
    const running = ready.running;
    if (!running) {
      res.writeHead(503, { "retry-after": "1" }).end();
      return;
    }
    route(running, req, res).catch((err: unknown) => {
      logger.error("emulator error", { reason: scrubTokens(String(err)).slice(0, 300) });
      if (!res.headersSent) sendAlbError(res, 500, "LambdaUnhandled");
      else res.destroy();
    });
  });
  const lb = loopback(server);
  const port = await lb.listen(o.port ?? 0);
  const url = `http://localhost:${port}`;

  let idp: EmbeddedOidcProvider | undefined;
  let embedded;
  const oidcEmbedded = needsEmbeddedProvider(file);
  const clientId = file.ClientId ?? "alb-oidc-local";
  const clientSecret = file.ClientSecret ?? randomBytes(24).toString("base64url");
  if (oidcEmbedded || jwtValidationNeedsEmbeddedProvider(file.JwtValidation)) {
    idp = await startOidcProvider({
      port: o.idpPort ?? 0,
      clientId,
      clientSecret,
      redirectUris: [`${url}${CALLBACK_PATH}`],
      postLogoutRedirectUris: [`${url}/`],
      machineClient: { ...DEMO_MACHINE_CLIENT, resource: `${url}/` },
    });
  }
  if (idp && oidcEmbedded) {
    embedded = {
      Issuer: idp.issuer,
      AuthorizationEndpoint: idp.authorizationEndpoint,
      TokenEndpoint: idp.tokenEndpoint,
      UserInfoEndpoint: idp.userInfoEndpoint,
      EndSessionEndpoint: idp.endSessionEndpoint,
      ClientId: clientId,
      ClientSecret: clientSecret,
    };
  }
  const resolved = resolveConfig(file, embedded, idp && { Issuer: idp.issuer, JwksEndpoint: idp.jwksUri });
  const config = o.adjustConfig ? o.adjustConfig(resolved) : resolved;
  const key = createAlbKey();
  const keyServer = await startKeyServer({ keys: [key] });
  const functionEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(o.functionEnv ?? {})) if (v !== undefined) functionEnv[k] = v;
  Object.assign(functionEnv, {
    LOAD_BALANCER_ARN: config.LoadBalancerArn,
    ISSUER: config.Issuer,
    CLIENT_ID: config.ClientId,
    ALB_PUBLIC_KEY_ENDPOINT: keyServer.url,
    SESSION_COOKIE_NAME: config.SessionCookieName,
  });
  // The function re-verifies what the rule let through (defence in depth), against the same issuer and JWKS.
  if (config.JwtValidation) {
    Object.assign(functionEnv, {
      M2M_PATH_PREFIXES: config.JwtValidation.PathPrefixes.join(","),
      M2M_ISSUER: config.JwtValidation.Issuer,
      M2M_JWKS_URI: config.JwtValidation.JwksEndpoint,
      // The function requires an audience: the embedded provider's machine tokens are for this URL; for
      // another issuer the emulator cannot know it (functionEnv may set it), so the check is skipped on purpose.
      M2M_AUDIENCE: functionEnv.M2M_AUDIENCE ?? (idp && config.JwtValidation.Issuer === idp.issuer ? `${url}/` : "none"),
    });
  }
  if (config.EndSessionEndpoint && functionEnv.IDP_LOGOUT_URL === undefined) {
    functionEnv.IDP_LOGOUT_URL = config.EndSessionEndpoint;
    if (!("POST_LOGOUT_REDIRECT_URI" in functionEnv)) functionEnv.POST_LOGOUT_REDIRECT_URI = `${url}/`;
  }
  let app: App;
  try {
    app = createApp(functionEnv, { writeLog });
  } catch (err) {
    await Promise.all([idp?.stop(), keyServer.stop(), lb.close()]);
    throw err;
  }
  const claimsTokens = new ClaimsTokens({
    key,
    issuer: config.Issuer,
    clientId: config.ClientId,
    signer: config.LoadBalancerArn,
    lifetimeS: o.claimsTokenLifetimeS ?? 60,
  });
  const sealer = new Sealer();
  const jwtValidation = config.JwtValidation && createJwtValidator(config.JwtValidation);
  ready.running = {
    config,
    app,
    tokens: claimsTokens,
    sealer,
    logger,
    port,
    jwt: jwtValidation,
    auth: { config, idp: idpConfiguration(config), sealer, logger },
  };
  return {
    url,
    port,
    config,
    idp,
    keyServer,
    claimsTokens,
    jwtValidation,
    app,
    functionEnv,
    stop: async () => {
      await Promise.all([lb.close(), idp?.stop(), keyServer.stop()]);
    },
  };
}
