// The emulator's configuration: the ALB's authenticate-oidc fields (same names), read from a JSON file and validated with messages naming the field.
import { readFileSync } from "node:fs";
import {
  assertIntegerInRange,
  assertNonEmptyString,
  assertOneOf,
  assertUrl,
  isLoopbackHttp,
  isPlainObject,
  reject,
  type Fail,
} from "alb-oidc-target/rules";
import { DEFAULT_ALB_ARN } from "alb-oidc-target/testing";
import { EmulatorConfigError } from "../errors.js";
import { parseJwtValidation, type JwtValidationConfig, type JwtValidationFile } from "../jwt-validation/rule-config.js";

export type OnUnauthenticatedRequest = "authenticate" | "deny" | "allow";

/** The identity-provider half of the config; absent fields come from the embedded provider. */
export interface IdpFields {
  readonly Issuer: string;
  readonly AuthorizationEndpoint: string;
  readonly TokenEndpoint: string;
  readonly UserInfoEndpoint: string;
  readonly ClientId: string;
  readonly ClientSecret: string;
  /** Not an ALB field: where logout sends the browser (the IdP's end_session_endpoint). */
  readonly EndSessionEndpoint?: string;
}

/** The file's shape: every field optional. */
export type EmulatorConfigFile = Partial<IdpFields> & Partial<AlbFields> & { readonly JwtValidation?: JwtValidationFile };

/** The ALB-side fields, all with the ALB's defaults. */
export interface AlbFields {
  readonly Scope: string;
  readonly SessionCookieName: string;
  /** Seconds. */
  readonly SessionTimeout: number;
  readonly AuthenticationRequestExtraParams: Readonly<Record<string, string>>;
  readonly OnUnauthenticatedRequest: OnUnauthenticatedRequest;
  /** The ARN the emulator signs as (the `signer` header field); the function is configured to trust it. */
  readonly LoadBalancerArn: string;
  /** The target group attribute lambda.multi_value_headers.enabled. */
  readonly MultiValueHeaders: boolean;
}

/** The configuration in force: every field resolved; JwtValidation only when the file has the block. */
export type EmulatorConfig = IdpFields & AlbFields & { readonly JwtValidation?: JwtValidationConfig };

/** The ALB's longest session (7 days), also its default. */
const MAX_SESSION_TIMEOUT_S = 604800;
/** The ALB takes at most 10 AuthenticationRequestExtraParams. */
const MAX_EXTRA_PARAMS = 10;
const UNAUTHENTICATED_MODES: readonly OnUnauthenticatedRequest[] = ["authenticate", "deny", "allow"];

export const ALB_DEFAULTS: AlbFields = {
  Scope: "openid",
  SessionCookieName: "AWSELBAuthSessionCookie",
  SessionTimeout: MAX_SESSION_TIMEOUT_S,
  AuthenticationRequestExtraParams: {},
  OnUnauthenticatedRequest: "authenticate",
  LoadBalancerArn: DEFAULT_ALB_ARN,
  MultiValueHeaders: false,
};

const IDP_URL_FIELDS = ["Issuer", "AuthorizationEndpoint", "TokenEndpoint", "UserInfoEndpoint", "EndSessionEndpoint"] as const;
const STRING_FIELDS = [...IDP_URL_FIELDS, "ClientId", "ClientSecret", "Scope", "SessionCookieName", "LoadBalancerArn"] as const;
const KNOWN = new Set<string>([
  ...STRING_FIELDS,
  "SessionTimeout",
  "AuthenticationRequestExtraParams",
  "OnUnauthenticatedRequest",
  "MultiValueHeaders",
  "JwtValidation",
  "$comment",
]);
/** The ALB refuses these as extra parameters: it sets them itself. */
const RESERVED_PARAMS = new Set(["client_id", "redirect_uri", "response_type", "scope", "state"]);

function fail(source: string, field: string, problem: string): never {
  throw new EmulatorConfigError(`${source}: ${field} ${problem}`);
}

/**
 * Validates a parsed config file. IdP fields stay optional here (the embedded provider fills them).
 * @throws EmulatorConfigError naming the field.
 */
export function parseEmulatorConfig(raw: unknown, source = "config"): EmulatorConfigFile {
  if (!isPlainObject(raw)) fail(source, "the file", "must hold one JSON object");
  const o = raw;
  const f: Fail = (field, problem) => fail(source, field, problem);
  for (const key of Object.keys(o)) {
    if (!KNOWN.has(key)) fail(source, key, `is not a field (known: ${[...KNOWN].filter((k) => k !== "$comment").join(", ")})`);
  }
  for (const field of STRING_FIELDS) if (o[field] !== undefined) assertNonEmptyString(f, field, o[field]);
  for (const field of IDP_URL_FIELDS) {
    const v = o[field];
    if (typeof v !== "string") continue;
    const url = assertUrl(f, field, v, "must be a full URL");
    // The ALB only takes https; plain http is allowed to loopback for the embedded provider and tests.
    if (url.protocol !== "https:" && !isLoopbackHttp(url)) reject(f, field, "must be an https:// URL (http:// only to loopback)", v);
  }
  const timeout = { min: 1, max: MAX_SESSION_TIMEOUT_S, what: "a whole number of seconds" };
  if (o.SessionTimeout !== undefined) assertIntegerInRange(f, "SessionTimeout", o.SessionTimeout, timeout);
  if (o.OnUnauthenticatedRequest !== undefined)
    assertOneOf(f, "OnUnauthenticatedRequest", o.OnUnauthenticatedRequest, UNAUTHENTICATED_MODES);
  if (o.MultiValueHeaders !== undefined) assertOneOf(f, "MultiValueHeaders", o.MultiValueHeaders, [true, false]);
  const extra = o.AuthenticationRequestExtraParams;
  if (extra !== undefined) {
    if (!isPlainObject(extra)) fail(source, "AuthenticationRequestExtraParams", "must be an object");
    const entries = Object.entries(extra);
    if (entries.length > MAX_EXTRA_PARAMS) {
      fail(source, "AuthenticationRequestExtraParams", `holds at most ${MAX_EXTRA_PARAMS} parameters, got ${entries.length}`);
    }
    for (const [k, v] of entries) {
      if (typeof v !== "string") fail(source, `AuthenticationRequestExtraParams.${k}`, "must be a string");
      if (RESERVED_PARAMS.has(k)) fail(source, `AuthenticationRequestExtraParams.${k}`, "is set by the load balancer itself");
    }
  }
  const clean: Record<string, unknown> = Object.fromEntries(Object.entries(o).filter(([k]) => k !== "$comment"));
  if (o.JwtValidation !== undefined)
    clean.JwtValidation = parseJwtValidation(o.JwtValidation, (field, problem) => fail(source, field, problem));
  return clean;
}

/**
 * Reads and validates a config file; a missing file at the default path means "all defaults".
 * @example loadEmulatorConfig("alb.config.json")
 */
export function loadEmulatorConfig(path: string, mustExist: boolean): EmulatorConfigFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    if (!mustExist && (err as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw new EmulatorConfigError(`${path}: cannot be read (${(err as Error).message})`, { cause: err });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new EmulatorConfigError(`${path}: is not valid JSON (${(err as Error).message})`, { cause: err });
  }
  return parseEmulatorConfig(raw, path);
}

/** Do we need the embedded provider? Yes unless the file names every endpoint and the client. */
export function needsEmbeddedProvider(file: EmulatorConfigFile): boolean {
  return !(file.Issuer && file.AuthorizationEndpoint && file.TokenEndpoint && file.UserInfoEndpoint && file.ClientId && file.ClientSecret);
}

/**
 * Resolves the configuration in force: file fields win, then the embedded provider's, then the ALB defaults.
 * `embeddedMachine` fills the JwtValidation block's Issuer and JwksEndpoint when the file leaves them out.
 */
export function resolveConfig(
  file: EmulatorConfigFile,
  embedded: IdpFields | undefined,
  embeddedMachine?: { readonly Issuer: string; readonly JwksEndpoint: string },
): EmulatorConfig {
  const idp = { ...embedded, ...file };
  const missing = (["Issuer", "AuthorizationEndpoint", "TokenEndpoint", "UserInfoEndpoint", "ClientId", "ClientSecret"] as const).find(
    (f) => !idp[f],
  );
  if (missing) throw new EmulatorConfigError(`config: ${missing} is required when the embedded provider is not used`);
  const { JwtValidation: block, ...rest } = file;
  const resolved = { ...ALB_DEFAULTS, ...embedded, ...rest } as EmulatorConfig;
  if (!block) return resolved;
  const Issuer = block.Issuer ?? embeddedMachine?.Issuer;
  const JwksEndpoint = block.JwksEndpoint ?? embeddedMachine?.JwksEndpoint;
  if (!Issuer || !JwksEndpoint) {
    const field = Issuer ? "JwksEndpoint" : "Issuer";
    throw new EmulatorConfigError(`config: JwtValidation.${field} is required when the embedded provider is not used`);
  }
  return {
    ...resolved,
    JwtValidation: { PathPrefixes: block.PathPrefixes, Issuer, JwksEndpoint, AdditionalClaims: block.AdditionalClaims ?? [] },
  };
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

/** Shows a secret's first and last characters only. */
export function maskSecret(secret: string): string {
  if (secret.length <= 8) return "*".repeat(secret.length);
  return `${secret.slice(0, 2)}${"*".repeat(Math.min(secret.length - 4, 12))}${secret.slice(-2)}`;
}

export { EmulatorConfigError };
