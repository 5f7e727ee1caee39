// The ALB's jwt-validation action for the machine path prefixes: its config block (the ALB's field names) and the check, done with jose before the function is called.
import { createRemoteJWKSet, customFetch, errors as joseErrors, jwtVerify, type JWTPayload } from "jose";
import { bearerToken } from "../../auth/machine-token.js";
import { AuthError } from "../../errors.js";
import { isLoopbackHttp, isPlainObject as isRecord } from "../../guards.js";
import { MAX_JWKS_BYTES } from "../../limits.js";

export type ClaimFormat = "single-string" | "string-array" | "space-separated-values";

/** One entry of `AdditionalClaims` (JwtValidationActionAdditionalClaim). */
export interface AdditionalClaim {
  readonly Format: ClaimFormat;
  readonly Name: string;
  readonly Values: readonly string[];
}

/** The `JwtValidation` block as written in the file: Issuer and JwksEndpoint may be left to the embedded provider. */
export interface JwtValidationFile {
  /** Not an ALB field: the listener rule's path condition, as prefixes (`/api/` stands for the ALB pattern `/api/*`). */
  readonly PathPrefixes: readonly string[];
  readonly Issuer?: string;
  readonly JwksEndpoint?: string;
  readonly AdditionalClaims?: readonly AdditionalClaim[];
}

/** The block in force: JwtValidationActionConfig plus the path prefixes. */
export interface JwtValidationConfig {
  readonly PathPrefixes: readonly string[];
  readonly Issuer: string;
  readonly JwksEndpoint: string;
  readonly AdditionalClaims: readonly AdditionalClaim[];
}

/** ALB limits: 10 additional claims of 10 values, 256 characters per value, Issuer and JwksEndpoint. */
const MAX_CLAIMS = 10;
const MAX_VALUES = 10;
const MAX_CHARS = 256;
/** The ALB always validates these; it refuses them as additional claims. */
const BUILT_IN_CLAIMS = new Set(["exp", "iss", "nbf", "iat"]);
const FORMATS: readonly ClaimFormat[] = ["single-string", "string-array", "space-separated-values"];
const BLOCK_FIELDS = new Set(["PathPrefixes", "Issuer", "JwksEndpoint", "AdditionalClaims"]);
const CLAIM_FIELDS = new Set(["Format", "Name", "Values"]);
/** The ALB's JWKS limits (the byte limit is the function's too: src/limits.ts). */
export const MAX_JWKS_KEYS = 10;
/** How long the emulator waits for the JWKS (the ALB's timeout is not documented). */
const JWKS_TIMEOUT_MS = 5000;

/**
 * Validates the `JwtValidation` block of the emulator's config file.
 * @param fail throws the config error naming the field (the caller adds the file name).
 */
export function parseJwtValidation(raw: unknown, fail: (field: string, problem: string) => never): JwtValidationFile {
  const at = (f: string) => `JwtValidation.${f}`;
  if (!isRecord(raw)) fail("JwtValidation", `must be an object like {"PathPrefixes": ["/api/"]}`);
  for (const key of Object.keys(raw)) {
    if (!BLOCK_FIELDS.has(key) && key !== "$comment") fail(at(key), `is not a field (known: ${[...BLOCK_FIELDS].join(", ")})`);
  }
  const prefixes = raw.PathPrefixes;
  if (!Array.isArray(prefixes) || prefixes.length === 0) fail(at("PathPrefixes"), `must be a non-empty list such as ["/api/"]`);
  for (const p of prefixes) {
    // Same rule as the function's M2M_PATH_PREFIXES, which the emulator sets from this list.
    if (typeof p !== "string" || !p.startsWith("/") || /[*,\s?]/.test(p))
      fail(at("PathPrefixes"), `must hold paths starting with "/" without wildcards, commas or spaces, got ${JSON.stringify(p)}`);
  }
  const issuer = raw.Issuer;
  if (issuer !== undefined && (typeof issuer !== "string" || issuer.trim() === "" || issuer.length > MAX_CHARS))
    fail(at("Issuer"), `must be a non-empty string of at most ${MAX_CHARS} characters, got ${JSON.stringify(issuer)}`);
  const jwks = raw.JwksEndpoint;
  if (jwks !== undefined) {
    let url: URL | undefined;
    try {
      url = typeof jwks === "string" && jwks.length <= MAX_CHARS ? new URL(jwks) : undefined;
    } catch {
      url = undefined;
    }
    if (!url || !(url.protocol === "https:" || isLoopbackHttp(url)))
      fail(
        at("JwksEndpoint"),
        `must be an https:// URL of at most ${MAX_CHARS} characters (http:// only to loopback), got ${JSON.stringify(jwks)}`,
      );
  }
  const claims = raw.AdditionalClaims ?? [];
  if (!Array.isArray(claims)) fail(at("AdditionalClaims"), "must be a list");
  if (claims.length > MAX_CLAIMS) fail(at("AdditionalClaims"), `holds at most ${MAX_CLAIMS} claims, got ${claims.length}`);
  const parsed = claims.map((c: unknown, i): AdditionalClaim => {
    const where = (f: string) => at(`AdditionalClaims[${i}]${f}`);
    if (!isRecord(c))
      fail(where(""), `must be an object like {"Format": "space-separated-values", "Name": "scope", "Values": ["orders:read"]}`);
    for (const key of Object.keys(c)) if (!CLAIM_FIELDS.has(key)) fail(where(`.${key}`), "is not a field (known: Format, Name, Values)");
    const { Format: format, Name: name, Values: values } = c;
    if (typeof format !== "string" || !(FORMATS as readonly string[]).includes(format))
      fail(where(".Format"), `must be one of ${FORMATS.join(", ")}, got ${JSON.stringify(format)}`);
    if (typeof name !== "string" || name === "") fail(where(".Name"), `must be a claim name, got ${JSON.stringify(name)}`);
    if (BUILT_IN_CLAIMS.has(name)) fail(where(".Name"), `cannot be "${name}": the load balancer always validates exp, iss, nbf and iat`);
    if (!Array.isArray(values) || values.length === 0 || values.length > MAX_VALUES)
      fail(where(".Values"), `must be a list of 1 to ${MAX_VALUES} strings`);
    for (const v of values) {
      if (typeof v !== "string" || v === "" || v.length > MAX_CHARS)
        fail(where(".Values"), `must hold non-empty strings of at most ${MAX_CHARS} characters, got ${JSON.stringify(v)}`);
      if (format === "space-separated-values" && /\s/.test(v))
        fail(where(".Values"), `cannot hold spaces with space-separated-values, got "${v}"`);
    }
    return { Format: format as ClaimFormat, Name: name, Values: values as string[] };
  });
  return {
    PathPrefixes: prefixes as string[],
    ...(typeof issuer === "string" && { Issuer: issuer }),
    ...(typeof jwks === "string" && { JwksEndpoint: jwks }),
    AdditionalClaims: parsed,
  };
}

/** Does the block need the embedded provider (Issuer or JwksEndpoint left out)? */
export function jwtValidationNeedsEmbeddedProvider(block: JwtValidationFile | undefined): boolean {
  return block !== undefined && (block.Issuer === undefined || block.JwksEndpoint === undefined);
}

/**
 * Does the claim satisfy the rule? `single-string`: a string equal to one of the values.
 * `string-array` / `space-separated-values`: a list holding every value (how the ALB combines
 * several values is not documented: the stricter reading never lets through what the ALB would refuse).
 */
export function claimMatches(rule: AdditionalClaim, value: unknown): boolean {
  if (rule.Format === "single-string") return typeof value === "string" && rule.Values.includes(value);
  let items: readonly unknown[];
  if (rule.Format === "string-array") {
    if (!Array.isArray(value)) return false;
    items = value;
  } else {
    if (typeof value !== "string") return false;
    items = value.split(" ");
  }
  return rule.Values.every((v) => items.includes(v));
}

export type JwtValidationOutcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly status: 401; readonly reason: "AuthMissingJwt" | "AuthInvalidJwt"; readonly detail: string }
  | { readonly ok: false; readonly status: 500; readonly reason: "AuthJwksUnavailable"; readonly detail: string };

/** The JWKS broke one of the ALB's limits: the ALB cannot use it. */
class JwksLimitError extends Error {
  override readonly name = "JwksLimitError";
}

/** fetch() for jose that reads at most 150 KB and refuses more than 10 keys, as the ALB does. */
async function limitedFetch(url: string, init: RequestInit): Promise<Response> {
  const res = await fetch(url, init);
  if (!res.body) return res;
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > MAX_JWKS_BYTES) throw new JwksLimitError(`the JWKS response exceeds ${MAX_JWKS_BYTES / 1024} KB`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  let keys: unknown;
  try {
    keys = (JSON.parse(text) as { keys?: unknown }).keys;
  } catch {
    keys = undefined;
  }
  if (Array.isArray(keys) && keys.length > MAX_JWKS_KEYS)
    throw new JwksLimitError(`the JWKS holds ${keys.length} keys, more than the ${MAX_JWKS_KEYS} the load balancer accepts`);
  return new Response(text, { status: res.status, statusText: res.statusText, headers: res.headers });
}

/** jose errors that a token causes; any other failure is the JWKS endpoint's. */
const TOKEN_ERRORS = [
  joseErrors.JWSInvalid,
  joseErrors.JWTInvalid,
  joseErrors.JWSSignatureVerificationFailed,
  joseErrors.JWTClaimValidationFailed,
  joseErrors.JWTExpired,
  joseErrors.JOSEAlgNotAllowed,
  joseErrors.JOSENotSupported,
  joseErrors.JWKSNoMatchingKey,
  joseErrors.JWKSMultipleMatchingKeys,
];

export interface JwtValidator {
  readonly config: JwtValidationConfig;
  /** Is this raw request path under one of the machine prefixes (case-sensitive, as the function matches)? */
  matches(path: string): boolean;
  /** Checks the request's Authorization header values; never throws for a bad token. */
  check(authorization: readonly string[] | undefined): Promise<JwtValidationOutcome>;
}

/**
 * Builds the action once per emulator: the JWKS is fetched on first use and cached, an unknown `kid`
 * refetches it at most every 30 s (jose's cool-down).
 * @example const v = createJwtValidator(config.JwtValidation); const outcome = await v.check(req.headersDistinct.authorization);
 */
export function createJwtValidator(c: JwtValidationConfig): JwtValidator {
  const jwks = createRemoteJWKSet(new URL(c.JwksEndpoint), { timeoutDuration: JWKS_TIMEOUT_MS, [customFetch]: limitedFetch });
  const invalid = (detail: string): JwtValidationOutcome => ({ ok: false, status: 401, reason: "AuthInvalidJwt", detail });
  return {
    config: c,
    matches: (path) => c.PathPrefixes.some((p) => path.startsWith(p)),
    async check(authorization) {
      if (authorization === undefined || authorization.length === 0)
        return { ok: false, status: 401, reason: "AuthMissingJwt", detail: "no Authorization header" };
      if (authorization.length > 1) return invalid("more than one Authorization header");
      let token: string;
      try {
        token = bearerToken(authorization[0] ?? "");
      } catch (err) {
        if (!(err instanceof AuthError)) throw err;
        if (err.code === "missing_token")
          return { ok: false, status: 401, reason: "AuthMissingJwt", detail: "no Bearer token in Authorization" };
        return invalid(err.message);
      }
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, jwks, { issuer: c.Issuer, algorithms: ["RS256"], requiredClaims: ["exp"] }));
      } catch (err) {
        if (TOKEN_ERRORS.some((E) => err instanceof E)) return invalid((err as Error).message);
        const detail = err instanceof Error ? `${c.JwksEndpoint}: ${err.message}` : `${c.JwksEndpoint}: unusable`;
        return { ok: false, status: 500, reason: "AuthJwksUnavailable", detail };
      }
      // jose only looks at iat with maxTokenAge; the ALB checks it whenever it is present.
      if (typeof payload.iat === "number" && payload.iat > Date.now() / 1000) return invalid('"iat" claim is in the future');
      for (const rule of c.AdditionalClaims) {
        if (!claimMatches(rule, payload[rule.Name]))
          return invalid(`claim "${rule.Name}" does not match ${rule.Format} ${JSON.stringify(rule.Values)}`);
      }
      return { ok: true };
    },
  };
}
