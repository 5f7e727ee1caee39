// Reads the stack's settings from CDK context (cdk.json or `-c key=value`) and validates them eagerly.
import * as path from "node:path";
import { Duration } from "aws-cdk-lib";
import { RetentionDays } from "aws-cdk-lib/aws-logs";
import {
  assertEach,
  assertIntegerInRange,
  assertList,
  assertMatches,
  assertOneOf,
  assertRequired,
  assertUrl,
  reject,
  type Fail,
} from "alb-oidc-target/rules";
import { validateAdditionalClaims } from "alb-oidc-target-cdk";
import {
  CLAIM_FORMATS,
  DERIVED_ENVIRONMENT,
  UNAUTHENTICATED_BEHAVIOURS,
  type AdditionalClaim,
  type AlbOidcTargetStackProps,
  type ClaimFormat,
  type MachineRouteSettings,
  type OidcSettings,
} from "./settings";

/** A context value is missing or malformed; the message names the key and shows a valid example. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/**
 * How the shared asserts fail here: "Context value <key> <problem>.", values shown as JSON (cdk.json
 * may hold any JSON type, and these messages always quoted that way).
 */
const contextFail: Fail = Object.assign(
  (key: string, problem: string): never => {
    throw new ConfigError(`Context value ${key} ${problem}.`);
  },
  { quote: (value: unknown) => JSON.stringify(value) },
);

/** Reads one context value (`node.tryGetContext`). */
export type ContextReader = (key: string) => unknown;

/** Context keys whose presence is a mistake: secrets never go into context or the template. */
const FORBIDDEN_KEYS: Readonly<Record<string, string>> = {
  oidcClientSecret:
    "a plaintext client secret is not accepted: store it in Secrets Manager and set oidcClientSecretName to the secret name",
};

const VALID_RETENTION_DAYS = Object.values(RetentionDays).filter((v): v is number => typeof v === "number");

/**
 * Builds the stack props from context.
 *
 * @example configFromContext((key) => app.node.tryGetContext(key), infraDir)
 * @param baseDir directory that a relative `assetPath` is resolved against (the CDK app's folder).
 */
export function configFromContext(get: ContextReader, baseDir: string): Omit<AlbOidcTargetStackProps, "env" | "vpc"> {
  for (const [key, why] of Object.entries(FORBIDDEN_KEYS)) {
    if (get(key) !== undefined) throw new ConfigError(`Context value ${key}: ${why}.`);
  }
  const reader = new Reader(get);

  const assetPath = reader.optionalString("assetPath", "../dist");
  const healthCheckPath = reader.optionalString("healthCheckPath", "/healthz");
  if (healthCheckPath !== undefined) assertMatches(contextFail, "healthCheckPath", healthCheckPath, /^\//, PATHS);
  const logRetentionDays = oneOf(
    "logRetentionDays",
    reader.optionalInteger("logRetentionDays", "30"),
    VALID_RETENTION_DAYS,
    " (CloudWatch Logs retention periods)",
  );
  const accessLogRetentionDays = reader.optionalInteger("accessLogRetentionDays", "90", {
    min: 1,
    max: Infinity,
    mustBe: "must be 1 or more",
  });
  const functionEnvironment = readFunctionEnvironment(reader);
  const machineRoutes = readMachineRoutes(reader);

  return {
    certificateArn: reader.requiredString(
      "certificateArn",
      "arn:aws:acm:ap-northeast-1:123456789012:certificate/11111111-2222-3333-4444-555555555555",
      /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[\w-]+$/,
    ),
    oidc: readOidc(reader),
    domainName: reader.optionalString("domainName", "login.example.com", /^[a-z0-9.-]+$/i),
    vpcId: reader.optionalString("vpcId", "vpc-0123456789abcdef0", /^vpc-[0-9a-f]+$/),
    assetPath: assetPath === undefined ? undefined : path.resolve(baseDir, assetPath),
    multiValueHeaders: reader.optionalBoolean("multiValueHeaders"),
    logRetentionDays,
    healthCheckPath,
    machineRoutes,
    functionEnvironment,
    enableSourceMaps: reader.optionalBoolean("enableSourceMaps"),
    deletionProtection: reader.optionalBoolean("deletionProtection"),
    accessLogRetentionDays,
  };
}

function readOidc(reader: Reader): OidcSettings {
  const sessionTimeoutSeconds = reader.optionalInteger("oidcSessionTimeoutSeconds", "604800", {
    min: 1,
    max: 604800,
    mustBe: "must be between 1 and 604800 (7 days)",
  });
  const onUnauthenticated = oneOf(
    "oidcOnUnauthenticatedRequest",
    reader.optionalString("oidcOnUnauthenticatedRequest", "authenticate"),
    UNAUTHENTICATED_BEHAVIOURS,
  );
  const extraParams = reader.optionalObject("oidcExtraParams", '{"prompt":"consent"}');
  if (extraParams !== undefined) {
    const entries = Object.entries(extraParams);
    if (entries.length > 10 || entries.some(([, v]) => typeof v !== "string")) {
      reject(contextFail, "oidcExtraParams", 'must be an object of at most 10 string values, e.g. {"prompt":"consent"}', extraParams);
    }
  }
  return {
    issuer: reader.requiredUrl("oidcIssuer", "https://access.line.me"),
    authorizationEndpoint: reader.requiredUrl("oidcAuthorizationEndpoint", "https://access.line.me/oauth2/v2.1/authorize"),
    tokenEndpoint: reader.requiredUrl("oidcTokenEndpoint", "https://api.line.me/oauth2/v2.1/token"),
    userInfoEndpoint: reader.requiredUrl("oidcUserInfoEndpoint", "https://api.line.me/oauth2/v2.1/userinfo"),
    clientId: reader.requiredString("oidcClientId", "1234567890"),
    clientSecretName: reader.requiredString("oidcClientSecretName", "alb-oidc-target/client-secret"),
    clientSecretJsonField: reader.optionalString("oidcClientSecretJsonField", "clientSecret"),
    clientSecretVersionId: reader.optionalString("oidcClientSecretVersionId", "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111", /^[\w-]{32,64}$/),
    scope: reader.optionalString("oidcScope", "profile openid"),
    sessionCookieName: reader.optionalString("oidcSessionCookieName", "AWSELBAuthSessionCookie"),
    sessionTimeout: sessionTimeoutSeconds === undefined ? undefined : Duration.seconds(sessionTimeoutSeconds),
    onUnauthenticatedRequest: onUnauthenticated,
    extraParams: extraParams as Record<string, string> | undefined,
  };
}

function readMachineRoutes(reader: Reader): MachineRouteSettings | undefined {
  const prefixes = reader.optionalList("m2mPathPrefixes", "/api/,/internal/");
  if (prefixes === undefined || prefixes.length === 0) {
    for (const key of ["m2mIssuer", "m2mJwksUri", "m2mAdditionalClaims", "m2mAudience", "m2mRequiredScopes", "m2mAlgorithms"]) {
      if (reader.has(key)) {
        contextFail(
          key,
          "is set but m2mPathPrefixes is empty: set m2mPathPrefixes (e.g. /api/,/internal/) to turn on the jwt-validation rule",
        );
      }
    }
    return undefined;
  }
  assertEach(contextFail, "m2mPathPrefixes", prefixes, /^\//, PATHS);
  const requiredScopes = reader.optionalString("m2mRequiredScopes", "orders:read orders:write");
  return {
    pathPrefixes: prefixes,
    issuer: reader.requiredUrl("m2mIssuer", "https://auth.example.com"),
    jwksEndpoint: reader.requiredUrl("m2mJwksUri", "https://auth.example.com/.well-known/jwks.json"),
    additionalClaims: readAdditionalClaims(reader),
    // Required, as the function requires M2M_AUDIENCE with machine routes: `none` skips the check explicitly.
    audience: reader.requiredString("m2mAudience", "https://api.example.com (or none)"),
    requiredScopes: requiredScopes?.split(/\s+/).filter((s) => s !== ""),
    algorithms: reader.optionalList("m2mAlgorithms", "RS256"),
  };
}

const CLAIM_EXAMPLE = '[{"name":"scope","format":"space-separated-values","values":["orders:read"]}]';

function readAdditionalClaims(reader: Reader): AdditionalClaim[] | undefined {
  const raw = reader.optionalJson("m2mAdditionalClaims", CLAIM_EXAMPLE);
  if (raw === undefined) return undefined;
  const bad: (why: string) => never = (why) => reject(contextFail, "m2mAdditionalClaims", `${why}, e.g. ${CLAIM_EXAMPLE}`, raw);
  if (!Array.isArray(raw) || raw.length > 10) bad("must be an array of at most 10 claims");
  const claims = raw.map((claim: unknown): AdditionalClaim => {
    if (typeof claim !== "object" || claim === null) bad("must hold objects");
    const { name, format, values } = claim as Record<string, unknown>;
    if (typeof name !== "string" || name === "") bad("needs a name in every claim");
    if (!CLAIM_FORMATS.includes(format as ClaimFormat)) bad(`needs a format of ${CLAIM_FORMATS.join(" | ")} in every claim`);
    if (!Array.isArray(values) || values.length === 0 || values.length > 10 || values.some((v) => typeof v !== "string")) {
      bad("needs 1 to 10 string values in every claim");
    }
    return { name, format: format as ClaimFormat, values: values as string[] };
  });
  try {
    validateAdditionalClaims(claims);
  } catch (error) {
    throw new ConfigError(`Context value m2mAdditionalClaims${(error as Error).message.replace(/^machineRoutes\.additionalClaims/, "")}`, {
      cause: error,
    });
  }
  return claims;
}

/** Lambda's rule for variable names. */
const VARIABLE_NAME = /^[a-zA-Z]\w+$/;

function readFunctionEnvironment(reader: Reader): Record<string, string> | undefined {
  const raw = reader.optionalObject("functionEnvironment", '{"ALLOWED_EMAIL_DOMAINS":"example.com"}');
  if (raw === undefined) return undefined;
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    const derived = DERIVED_ENVIRONMENT[key];
    if (derived !== undefined) contextFail("functionEnvironment", `may not set ${key}: the stack derives it (${derived})`);
    if (!VARIABLE_NAME.test(key)) {
      contextFail(
        "functionEnvironment",
        `has the variable name ${JSON.stringify(key)}: names start with a letter and hold letters, digits and _ only`,
      );
    }
    // REQUIRED_USER_CLAIMS is JSON; let cdk.json carry it as an object for readability.
    result[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return result;
}

/** The requirement of every path setting (healthCheckPath, m2mPathPrefixes). */
const PATHS = 'must hold paths starting with "/", e.g. /api/';

/** A setting with a fixed set of values; infra words it "must be one of a, b, c" (plus `note`). */
function oneOf<T extends string | number>(
  key: string,
  value: string | number | undefined,
  allowed: readonly T[],
  note = "",
): T | undefined {
  return value === undefined ? undefined : assertOneOf(contextFail, key, value, allowed, `must be one of ${allowed.join(", ")}${note}`);
}

/** Every string matches. */
const ANY = /^/;

/** Typed access to context; `-c` values are always strings, cdk.json values may be JSON types. */
class Reader {
  constructor(private readonly get: ContextReader) {}

  has(key: string): boolean {
    const value = this.get(key);
    return value !== undefined && value !== null && value !== "";
  }

  requiredString(key: string, example: string, pattern?: RegExp): string {
    const value = this.optionalString(key, example, pattern);
    return assertRequired(contextFail, key, value, `is required, e.g. -c ${key}=${example} or "${key}" in cdk.json`);
  }

  requiredUrl(key: string, example: string): string {
    const value = this.requiredString(key, example);
    assertUrl(contextFail, key, value, `must be a full https:// URL, e.g. ${example}`, (url) => url.protocol === "https:");
    return value;
  }

  optionalString(key: string, example: string, pattern = ANY): string | undefined {
    if (!this.has(key)) return undefined;
    return assertMatches(contextFail, key, this.get(key), pattern, `must look like ${example}`);
  }

  /** A whole number (a string of digits, the `-c` form, too), within `range` if given. */
  optionalInteger(
    key: string,
    example: string,
    range?: { readonly min: number; readonly max: number; readonly mustBe: string },
  ): number | undefined {
    if (!this.has(key)) return undefined;
    const value = this.get(key);
    const number = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
    const whole = { min: -Infinity, max: Infinity, shown: value, mustBe: `must be a whole number, e.g. ${example}` };
    const integer = assertIntegerInRange(contextFail, key, number, whole);
    return range === undefined ? integer : assertIntegerInRange(contextFail, key, integer, range);
  }

  optionalBoolean(key: string): boolean | undefined {
    if (!this.has(key)) return undefined;
    const value = this.get(key);
    return assertOneOf(contextFail, key, value === "true" ? true : value === "false" ? false : value, [true, false]);
  }

  /** An array, or a comma-separated string. */
  optionalList(key: string, example: string): string[] | undefined {
    if (!this.has(key)) return undefined;
    return assertList(contextFail, key, this.get(key), `must be a comma-separated list, e.g. ${example}`);
  }

  /** A JSON value, or a string holding JSON (the `-c` form). */
  optionalJson(key: string, example: string): unknown {
    if (!this.has(key)) return undefined;
    const value = this.get(key);
    if (typeof value !== "string") return value;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return reject(contextFail, key, `must be JSON, e.g. ${example}`, value);
    }
  }

  optionalObject(key: string, example: string): Record<string, unknown> | undefined {
    const value = this.optionalJson(key, example);
    if (value === undefined) return undefined;
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      reject(contextFail, key, `must be a JSON object, e.g. ${example}`, value);
    }
    return value as Record<string, unknown>;
  }
}
