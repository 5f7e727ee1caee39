// The embedded OpenID Provider (oidc-provider): discovery, code flow, token, userinfo, end-session, a development login page.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Configuration, KoaContextWithOIDC, default as ProviderClass, errors as ProviderErrors } from "oidc-provider";
import { loopback } from "alb-oidc-target/testing";
import { errorPage, loggedOutPage, loginPage, logoutPage, type ErrorContext } from "./pages.js";
import { claimsFor, isLoginName } from "./users.js";

export interface OidcProviderOptions {
  /** Port on 127.0.0.1 (0 picks a free one). */
  readonly port?: number;
  /** The one registered client: the emulator's. */
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUris: readonly string[];
  readonly postLogoutRedirectUris?: readonly string[];
  /** A service client for the client-credentials grant: its access tokens are RS256 JWTs for `resource`. */
  readonly machineClient?: MachineClient;
  /** Seconds the access tokens of the emulator's client live (IDP_ACCESS_TOKEN_TTL; 3600 by default): the emulator refreshes the session when they expire. */
  readonly accessTokenTtlS?: number;
}

/** How long the emulator's access tokens live unless told otherwise (what oidc-provider and most IdPs use). */
export const DEFAULT_ACCESS_TOKEN_TTL_S = 3600;

export interface MachineClient {
  readonly clientId: string;
  readonly clientSecret: string;
  /** The API's resource indicator (RFC 8707), also the tokens' `aud`; defaulted when the request names none. */
  readonly resource: string;
}

/** Scopes that belong to OpenID Connect, never to an API. */
const OIDC_SCOPES = new Set(["openid", "offline_access", "profile", "email", "address", "phone"]);

/** What a relying party needs to know about the embedded provider (its discovery document, in short). */
export interface OidcEndpoints {
  readonly issuer: string;
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  readonly userInfoEndpoint: string;
  readonly endSessionEndpoint: string;
  readonly jwksUri: string;
}

export interface EmbeddedOidcProvider extends OidcEndpoints {
  readonly port: number;
  /** Seconds the emulator's access tokens live. */
  readonly accessTokenTtlS: number;
  /** The service client registered for the client-credentials grant, if any. */
  readonly machineClient: MachineClient | undefined;
  stop(): Promise<void>;
}

type Provider = ProviderClass;
interface ProviderModule {
  readonly default: typeof ProviderClass;
  readonly errors: typeof ProviderErrors;
}

/**
 * Warnings oidc-provider prints that do not apply here: Node 20 works (this project's CI runs the
 * emulator on it; the package's own floor is Node 20), and the in-memory store is what a local emulator wants.
 */
const EXPECTED_WARNINGS = [
  "oidc-provider WARNING: Unsupported runtime",
  "oidc-provider WARNING: a quick start development-only in-memory adapter",
];

/** Drops the expected warnings from console.warn until the returned function restores it; every other line still goes through. */
function muteExpectedWarnings(): () => void {
  const warn = console.warn;

  console.warn = (...args: unknown[]) => {
    const first = args[0];
    if (typeof first === "string" && EXPECTED_WARNINGS.some((w) => first.includes(w))) return;
    warn(...args);
  };
  return () => {
    console.warn = warn;
  };
}

let loaded: Promise<ProviderModule> | undefined;

/**
 * oidc-provider, loaded only when the emulator needs its embedded provider (it prints its warnings at
 * import and at construction, hence the mute around both).
 */
function loadOidcProvider(): Promise<ProviderModule> {
  loaded ??= (async () => {
    const restore = muteExpectedWarnings();
    try {
      return await import("oidc-provider");
    } finally {
      restore();
    }
  })();
  return loaded;
}

/** The form posts here; the interaction cookie's path (/interaction/<uid>) covers it. */
const INTERACTION = /^\/interaction\/([A-Za-z0-9_-]+)(\/login)?$/;
const MAX_FORM_BYTES = 4096;

function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_FORM_BYTES) {
        reject(new Error("form too large"));
        req.destroy();
      } else chunks.push(c);
    });
    req.on("end", () => resolve(new URLSearchParams(Buffer.concat(chunks).toString("utf8"))));
    req.on("error", reject);
  });
}

function html(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" }).end(body);
}

/** The login interaction: GET shows the form, POST /login finishes it with the typed account. */
async function interaction(
  provider: Provider,
  clientId: string,
  req: IncomingMessage,
  res: ServerResponse,
  isPost: boolean,
): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  const action = `/interaction/${details.uid}/login`;
  if (!isPost) {
    html(res, 200, loginPage(action, clientId));
    return;
  }
  const login = (await readForm(req)).get("login")?.trim() ?? "";
  if (!isLoginName(login)) {
    html(res, 400, loginPage(action, clientId, "Type a user name of 1 to 64 letters, digits or . _ @ + -"));
    return;
  }
  await provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
}

/** Consent is automatic for the emulator's own client: the grant always covers what it asked for. */
async function autoGrant(ctx: KoaContextWithOIDC, clientId: string) {
  const client = ctx.oidc.client;
  const accountId = ctx.oidc.session?.accountId;
  if (!client || !accountId) return undefined;
  const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session?.grantIdFor(client.clientId);
  const existing = grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined;
  if (client.clientId !== clientId) return existing;
  const grant = existing ?? new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId });
  grant.addOIDCScope([...ctx.oidc.requestParamScopes].join(" "));
  await grant.save();
  return grant;
}

/**
 * The API behind the machine client: any scope it asks for is granted (as any user name logs in),
 * so local routes can require whatever scopes they like; tokens are RS256 JWTs, what the ALB's jwt-validation accepts.
 */
function resourceServer(
  errors: typeof ProviderErrors,
  machine: MachineClient | undefined,
): NonNullable<NonNullable<Configuration["features"]>["resourceIndicators"]> {
  return {
    enabled: machine !== undefined,
    defaultResource: (_ctx, client, oneOf) => oneOf ?? (client.clientId === machine?.clientId ? machine.resource : undefined),
    getResourceServerInfo: (ctx, indicator, client) => {
      if (!machine || indicator !== machine.resource || client.clientId !== machine.clientId) throw new errors.InvalidTarget();
      const requested = typeof ctx.oidc.params?.scope === "string" ? ctx.oidc.params.scope.split(" ") : [];
      return {
        scope: requested.filter((s) => s !== "" && !OIDC_SCOPES.has(s)).join(" "),
        audience: machine.resource,
        accessTokenFormat: "jwt",
        accessTokenTTL: 3600,
        jwt: { sign: { alg: "RS256" } },
      };
    },
    useGrantedResource: () => false,
  };
}

/** The registered clients: the emulator's (the ALB's code flow), and the demo service client when there is one. */
function clients(o: OidcProviderOptions): NonNullable<Configuration["clients"]> {
  const machine = o.machineClient;
  return [
    {
      client_id: o.clientId,
      client_secret: o.clientSecret,
      redirect_uris: [...o.redirectUris],
      post_logout_redirect_uris: [...(o.postLogoutRedirectUris ?? [])],
      // refresh_token: the ALB refreshes its sessions with it (see issueRefreshToken below).
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      // The ALB's client authentication method is undocumented; post is what LINE and openid-client default to.
      token_endpoint_auth_method: "client_secret_post",
    },
    ...(machine
      ? [
          {
            client_id: machine.clientId,
            client_secret: machine.clientSecret,
            grant_types: ["client_credentials"],
            response_types: [],
            redirect_uris: [],
            token_endpoint_auth_method: "client_secret_basic" as const,
          },
        ]
      : []),
  ];
}

/** What a refused authorization request sent and what is registered, for the error page (the request's own values, never a secret). */
function errorContext(ctx: KoaContextWithOIDC, o: OidcProviderOptions): ErrorContext {
  // Typed as always there, but an error before oidc-provider's own middleware has none.
  const oidc = ctx.oidc as KoaContextWithOIDC["oidc"] | undefined;
  const params = oidc?.params;
  const sent = (name: string): string | undefined => {
    const v = params?.[name];
    return typeof v === "string" ? v : undefined;
  };
  return {
    clientId: sent("client_id"),
    redirectUri: sent("redirect_uri"),
    registeredClientIds: [o.clientId],
    registeredRedirectUris: oidc?.client?.redirectUris ?? [...o.redirectUris],
  };
}

function configuration(o: OidcProviderOptions, errors: typeof ProviderErrors): Configuration {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const machine = o.machineClient;
  return {
    // Every code exchange of the emulator's client gets a refresh token, as Cognito and LINE give the ALB one, without
    // offline_access. Such a token is bound to the user's session here (oidc-provider's expiresWithSession, true without
    // offline_access) and revoked with its grant at sign-out: a user who logs out at the provider loses the emulator's
    // session at its next refresh, as the ALB documents.
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed("refresh_token"),
    clients: clients(o),
    jwks: { keys: [{ ...privateKey.export({ format: "jwk" }), kid: "embedded-rs256", use: "sig", alg: "RS256" }] },
    cookies: { keys: [randomBytes(32).toString("base64url")] },
    claims: { openid: ["sub"], profile: ["name", "picture"], email: ["email", "email_verified"] },
    findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ ...claimsFor(sub) }) }),
    // Like LINE, refuse a login without `openid`, sending invalid_scope to the callback (the blog article's 401).
    // Validators run after the redirect_uri check, so the error goes back to the application, as LINE's does.
    extraParams: {
      scope: (_ctx, value) => {
        if (!(typeof value === "string" && value.split(" ").includes("openid"))) {
          throw new errors.InvalidScope("at least the 'openid' scope must be requested", "openid");
        }
      },
    },
    ttl: {
      AccessToken: o.accessTokenTtlS ?? DEFAULT_ACCESS_TOKEN_TTL_S,
      ClientCredentials: 3600,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 3600,
      Session: 14 * 86400,
      Grant: 14 * 86400,
      RefreshToken: 14 * 86400,
    },
    // The ALB sends no PKCE parameters: requiring them would break every login.
    pkce: { required: () => false },
    loadExistingGrant: (ctx) => autoGrant(ctx, o.clientId),
    interactions: { url: (_ctx, i) => `/interaction/${i.uid}` },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: machine !== undefined },
      resourceIndicators: resourceServer(errors, machine),
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => {
          ctx.type = "html";
          ctx.body = logoutPage(form);
        },
        postLogoutSuccessSource: (ctx) => {
          ctx.type = "html";
          ctx.body = loggedOutPage();
        },
      },
    },
    renderError: (ctx, out) => {
      ctx.type = "html";
      ctx.body = errorPage(out, errorContext(ctx, o));
    },
  };
}

/**
 * Starts the embedded provider on 127.0.0.1 (its own host, so its cookies never mix with the application's).
 * @example const idp = await startOidcProvider({ clientId: "c", clientSecret: "s", redirectUris: ["http://localhost:3000/oauth2/idpresponse"] });
 */
export async function startOidcProvider(o: OidcProviderOptions): Promise<EmbeddedOidcProvider> {
  const ttl = o.accessTokenTtlS;
  if (ttl !== undefined && !(Number.isInteger(ttl) && ttl >= 1))
    throw new RangeError(`accessTokenTtlS must be a whole number of seconds >= 1, got ${ttl}`);
  const { default: Provider, errors } = await loadOidcProvider();
  const ready: { provider?: Provider } = {};
  const server = createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0] ?? "";
    const m = INTERACTION.exec(path);
    const provider = ready.provider;
    if (!provider) {
      html(res, 503, "starting");
      return;
    }
    if (m && (req.method === "GET" || (req.method === "POST" && m[2]))) {
      interaction(provider, o.clientId, req, res, req.method === "POST").catch((err: unknown) => {
        // An expired or unknown interaction (cookie gone, provider restarted): start the login again from the application.
        if (!res.headersSent) html(res, 400, errorPage({ error: "invalid_request", error_description: String(err) }));
      });
      return;
    }
    void provider.callback()(req, res);
  });
  const lb = loopback(server);
  const port = await lb.listen(o.port ?? 0);
  const issuer = `http://127.0.0.1:${port}`;
  const restore = muteExpectedWarnings();
  try {
    ready.provider = new Provider(issuer, configuration(o, errors));
  } catch (err) {
    // The port is already taken: a provider that cannot be built must not keep it.
    await lb.close();
    throw err;
  } finally {
    restore();
  }
  return {
    port,
    issuer,
    authorizationEndpoint: `${issuer}/auth`,
    tokenEndpoint: `${issuer}/token`,
    userInfoEndpoint: `${issuer}/me`,
    endSessionEndpoint: `${issuer}/session/end`,
    jwksUri: `${issuer}/jwks`,
    accessTokenTtlS: o.accessTokenTtlS ?? DEFAULT_ACCESS_TOKEN_TTL_S,
    machineClient: o.machineClient,
    stop: () => lb.close(),
  };
}
