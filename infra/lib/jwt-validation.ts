// The `jwt-validation` listener action with AdditionalClaims, typed through CDK's ListenerAction.
import { Token } from "aws-cdk-lib";
import * as elbv2 from "aws-cdk-lib/aws-elasticloadbalancingv2";

/** The `Format` of a jwt-validation additional claim. */
export type ClaimFormat = "single-string" | "string-array" | "space-separated-values";

export const CLAIM_FORMATS: readonly ClaimFormat[] = ["single-string", "string-array", "space-separated-values"];

/** One claim the ALB checks on machine tokens besides `iss` and `exp` (`JwtValidationActionAdditionalClaim`). */
export interface AdditionalClaim {
  readonly name: string;
  readonly format: ClaimFormat;
  /** 1 to 10 distinct values; a `space-separated-values` value holds no space itself. */
  readonly values: readonly string[];
}

/** Options of {@link JwtValidationAction}: CDK's `AuthenticateJwtOptions` plus the claims CDK lacks. */
export interface JwtValidationOptions extends elbv2.AuthenticateJwtOptions {
  /** Up to 10 claims the ALB also checks. @default none */
  readonly additionalClaims?: readonly AdditionalClaim[];
}

/** The ALB's own limits on AdditionalClaims. */
const MAX_CLAIMS = 10;
const MAX_VALUES = 10;
/** The ALB checks these itself; it refuses them as additional claims. */
const RESERVED_CLAIMS = new Set(["exp", "iss", "nbf", "iat"]);

/**
 * Checks additional claims the way the ALB does, so a mistake fails at synth, not at deploy.
 *
 * @throws Error naming the claim and quoting the bad value.
 * @example validateAdditionalClaims([{ name: "scope", format: "space-separated-values", values: ["orders:read"] }])
 */
export function validateAdditionalClaims(claims: readonly AdditionalClaim[]): void {
  if (claims.length > MAX_CLAIMS) {
    throw new Error(`machineRoutes.additionalClaims: the ALB accepts at most ${MAX_CLAIMS} claims, got ${claims.length}.`);
  }
  const names = new Set<string>();
  for (const claim of claims) {
    const where = `machineRoutes.additionalClaims[${JSON.stringify(claim.name)}]`;
    if (typeof claim.name !== "string" || claim.name === "") throw new Error(`machineRoutes.additionalClaims: every claim needs a name.`);
    if (RESERVED_CLAIMS.has(claim.name)) {
      throw new Error(`${where}: the ALB always checks ${[...RESERVED_CLAIMS].join(", ")} itself; it refuses them as additional claims.`);
    }
    if (names.has(claim.name)) throw new Error(`${where}: the claim is listed twice.`);
    names.add(claim.name);
    if (!CLAIM_FORMATS.includes(claim.format)) {
      throw new Error(`${where}: format must be one of ${CLAIM_FORMATS.join(", ")}, got ${JSON.stringify(claim.format)}.`);
    }
    if (!Array.isArray(claim.values) || claim.values.length === 0 || claim.values.length > MAX_VALUES) {
      throw new Error(`${where}: needs 1 to ${MAX_VALUES} values, got ${JSON.stringify(claim.values)}.`);
    }
    const seen = new Set<string>();
    for (const value of claim.values) {
      if (typeof value !== "string" || value === "")
        throw new Error(`${where}: values must be non-empty strings, got ${JSON.stringify(value)}.`);
      if (Token.isUnresolved(value)) continue;
      if (seen.has(value)) throw new Error(`${where}: values must be unique, ${JSON.stringify(value)} appears twice.`);
      seen.add(value);
      if (claim.format === "space-separated-values" && /\s/.test(value)) {
        throw new Error(
          `${where}: a space-separated-values value is one token and holds no space, got ${JSON.stringify(value)} (list each token as its own value).`,
        );
      }
    }
  }
}

/**
 * `jwt-validation` with `AdditionalClaims`: aws-cdk-lib's `ListenerAction.authenticateJwt` has no
 * option for them, so this subclass renders the whole `JwtValidationConfig` through the
 * `ListenerAction` constructor, where CDK's own type checks and validators see it (instead of an
 * `addPropertyOverride` that they never see).
 *
 * @example
 * JwtValidationAction.create({
 *   issuer: "https://auth.example.com",
 *   jwksEndpoint: "https://auth.example.com/.well-known/jwks.json",
 *   additionalClaims: [{ name: "scope", format: "space-separated-values", values: ["orders:read"] }],
 *   next: elbv2.ListenerAction.forward([targetGroup]),
 * });
 */
export class JwtValidationAction extends elbv2.ListenerAction {
  /** Builds the action; throws on claims the ALB would refuse. */
  static create(options: JwtValidationOptions): JwtValidationAction {
    return new JwtValidationAction(options);
  }

  private readonly inner: elbv2.ListenerAction;

  private constructor(options: JwtValidationOptions) {
    const claims = options.additionalClaims ?? [];
    validateAdditionalClaims(claims);
    // CDK's own action validates the issuer and JWKS endpoint (HTTPS, lengths) and the HTTPS listener on bind.
    const inner = elbv2.ListenerAction.authenticateJwt(options);
    const config: elbv2.CfnListener.JwtValidationConfigProperty = {
      issuer: options.issuer,
      jwksEndpoint: options.jwksEndpoint,
      additionalClaims:
        claims.length === 0 ? undefined : claims.map((claim) => ({ name: claim.name, format: claim.format, values: [...claim.values] })),
    };
    super({ type: "jwt-validation", jwtValidationConfig: config }, options.next);
    this.inner = inner;
  }

  /** Runs CDK's checks of the plain action (HTTPS listener), then binds the next action. */
  override bind(
    scope: Parameters<elbv2.ListenerAction["bind"]>[0],
    listener: elbv2.IApplicationListener,
    associating?: Parameters<elbv2.ListenerAction["bind"]>[2],
  ): void {
    this.inner.bind(scope, listener, associating);
  }
}
