// The JwtValidation block of the emulator's config (the ALB's field names): its types and its parsing; the claim rules are alb-oidc-target/rules', shared with the construct.
import {
  additionalClaimsProblem,
  CLAIM_FORMATS,
  isLoopbackHttp,
  isPlainObject as isRecord,
  MAX_CLAIM_VALUE_CHARS,
  MAX_CLAIM_VALUES,
  MAX_ADDITIONAL_CLAIMS,
  type ClaimFormat,
  type ClaimProblem,
} from "alb-oidc-target/rules";

export type { ClaimFormat };

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

/** The ALB's limit on Issuer and JwksEndpoint (the claims' limits are in alb-oidc-target/rules). */
const MAX_CHARS = 256;
const BLOCK_FIELDS = new Set(["PathPrefixes", "Issuer", "JwksEndpoint", "AdditionalClaims"]);
const CLAIM_FIELDS = new Set(["Format", "Name", "Values"]);

/** The emulator's wording of the first rule AdditionalClaims breaks, naming the field as the file spells it. */
function failClaim(p: ClaimProblem, fail: (field: string, problem: string) => never): never {
  if (p.problem === "too-many-claims")
    fail("JwtValidation.AdditionalClaims", `holds at most ${MAX_ADDITIONAL_CLAIMS} claims, got ${p.count}`);
  const where = (f: string) => `JwtValidation.AdditionalClaims[${p.index}].${f}`;
  switch (p.problem) {
    case "no-name":
      return fail(where("Name"), `must be a claim name, got ${JSON.stringify(p.name)}`);
    case "reserved-name":
      return fail(where("Name"), `cannot be "${p.name}": the load balancer always validates exp, iss, nbf and iat`);
    case "repeated-name":
      return fail(where("Name"), `cannot be "${p.name}" again: the load balancer refuses a claim listed twice`);
    case "unknown-format":
      return fail(where("Format"), `must be one of ${CLAIM_FORMATS.join(", ")}, got ${JSON.stringify(p.format)}`);
    case "value-count":
      return fail(where("Values"), `must be a list of 1 to ${MAX_CLAIM_VALUES} strings`);
    case "bad-value":
    case "long-value":
      return fail(
        where("Values"),
        `must hold non-empty strings of at most ${MAX_CLAIM_VALUE_CHARS} characters, got ${JSON.stringify(p.value)}`,
      );
    case "repeated-value":
      return fail(where("Values"), `must be unique, ${JSON.stringify(p.value)} appears twice`);
    case "space-in-value":
      return fail(where("Values"), `cannot hold spaces with space-separated-values, got "${p.value}"`);
  }
}

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
  if (jwks !== undefined) assertJwksEndpoint(jwks, fail);
  return {
    PathPrefixes: prefixes as string[],
    ...(typeof issuer === "string" && { Issuer: issuer }),
    ...(typeof jwks === "string" && { JwksEndpoint: jwks }),
    AdditionalClaims: parseAdditionalClaims(raw.AdditionalClaims ?? [], fail),
  };
}

function assertJwksEndpoint(jwks: unknown, fail: (field: string, problem: string) => never): void {
  let url: URL | undefined;
  try {
    url = typeof jwks === "string" && jwks.length <= MAX_CHARS ? new URL(jwks) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || !(url.protocol === "https:" || isLoopbackHttp(url)))
    fail(
      "JwtValidation.JwksEndpoint",
      `must be an https:// URL of at most ${MAX_CHARS} characters (http:// only to loopback), got ${JSON.stringify(jwks)}`,
    );
}

/** The AdditionalClaims list, checked with the rules shared with the construct. */
function parseAdditionalClaims(claims: unknown, fail: (field: string, problem: string) => never): AdditionalClaim[] {
  const at = (f: string) => `JwtValidation.${f}`;
  if (!Array.isArray(claims)) fail(at("AdditionalClaims"), "must be a list");
  const records = claims.map((c: unknown) => (isRecord(c) ? c : {}));
  const problem = additionalClaimsProblem(records.map((c) => ({ name: c.Name, format: c.Format, values: c.Values })));
  if (problem?.problem === "too-many-claims") failClaim(problem, fail);
  // Claim by claim as written: a claim's own fields before its rules, and no claim after the first broken one.
  for (const [i, c] of (claims as unknown[]).entries()) {
    if (problem && "index" in problem && problem.index < i) break;
    if (!isRecord(c))
      fail(
        at(`AdditionalClaims[${i}]`),
        `must be an object like {"Format": "space-separated-values", "Name": "scope", "Values": ["orders:read"]}`,
      );
    for (const key of Object.keys(c))
      if (!CLAIM_FIELDS.has(key)) fail(at(`AdditionalClaims[${i}].${key}`), "is not a field (known: Format, Name, Values)");
  }
  if (problem) failClaim(problem, fail);
  return records.map((c): AdditionalClaim => ({
    Format: c.Format as ClaimFormat,
    Name: c.Name as string,
    Values: c.Values as string[],
  }));
}

/** Does the block need the embedded provider (Issuer or JwksEndpoint left out)? */
export function jwtValidationNeedsEmbeddedProvider(block: JwtValidationFile | undefined): boolean {
  return block !== undefined && (block.Issuer === undefined || block.JwksEndpoint === undefined);
}
