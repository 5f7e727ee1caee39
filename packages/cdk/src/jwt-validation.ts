// The `jwt-validation` listener action with AdditionalClaims, typed through CDK's ListenerAction.
import { Token } from "aws-cdk-lib";
import * as elbv2 from "aws-cdk-lib/aws-elasticloadbalancingv2";
import {
  additionalClaimsProblem,
  CLAIM_FORMATS,
  MAX_ADDITIONAL_CLAIMS,
  MAX_CLAIM_VALUE_CHARS,
  MAX_CLAIM_VALUES,
  RESERVED_CLAIMS,
  type ClaimFormat,
  type ClaimProblem,
} from "alb-oidc-target/rules";

export { CLAIM_FORMATS, type ClaimFormat };

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

/** The construct's wording of the first rule the claims break (the rules themselves are in additional-claims.mts). */
function describe(p: ClaimProblem): string {
  if (p.problem === "too-many-claims")
    return `machineRoutes.additionalClaims: the ALB accepts at most ${MAX_ADDITIONAL_CLAIMS} claims, got ${p.count}.`;
  if (p.problem === "no-name") return `machineRoutes.additionalClaims: every claim needs a name.`;
  const where = `machineRoutes.additionalClaims[${JSON.stringify(p.name)}]`;
  switch (p.problem) {
    case "reserved-name":
      return `${where}: the ALB always checks ${RESERVED_CLAIMS.join(", ")} itself; it refuses them as additional claims.`;
    case "repeated-name":
      return `${where}: the claim is listed twice.`;
    case "unknown-format":
      return `${where}: format must be one of ${CLAIM_FORMATS.join(", ")}, got ${JSON.stringify(p.format)}.`;
    case "value-count":
      return `${where}: needs 1 to ${MAX_CLAIM_VALUES} values, got ${JSON.stringify(p.values)}.`;
    case "bad-value":
      return `${where}: values must be non-empty strings, got ${JSON.stringify(p.value)}.`;
    case "long-value":
      return `${where}: values must be at most ${MAX_CLAIM_VALUE_CHARS} characters, got ${p.value.length}.`;
    case "repeated-value":
      return `${where}: values must be unique, ${JSON.stringify(p.value)} appears twice.`;
    case "space-in-value":
      return `${where}: a space-separated-values value is one token and holds no space, got ${JSON.stringify(p.value)} (list each token as its own value).`;
  }
}

/**
 * Checks additional claims the way the ALB does, so a mistake fails at synth, not at deploy.
 *
 * @throws Error naming the claim and quoting the bad value.
 * @example validateAdditionalClaims([{ name: "scope", format: "space-separated-values", values: ["orders:read"] }])
 */
export function validateAdditionalClaims(claims: readonly AdditionalClaim[]): void {
  const problem = additionalClaimsProblem(claims, { isUnresolved: (value) => Token.isUnresolved(value) });
  if (problem) throw new Error(describe(problem));
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
