// The typed settings of the project's own stack, shared by the context reader (config.ts) and the stack.
import type { Duration, StackProps } from "aws-cdk-lib";
import type { IVpc } from "aws-cdk-lib/aws-ec2";

/** What the ALB does with a request that has no valid session (`OnUnauthenticatedRequest`). */
export type UnauthenticatedBehaviour = "authenticate" | "deny" | "allow";

export type { AdditionalClaim, ClaimFormat } from "alb-oidc-target-cdk";
export { CLAIM_FORMATS } from "alb-oidc-target-cdk";
import type { AdditionalClaim } from "alb-oidc-target-cdk";

export const UNAUTHENTICATED_BEHAVIOURS: readonly UnauthenticatedBehaviour[] = ["authenticate", "deny", "allow"];

/** The `authenticate-oidc` default action. */
export interface OidcSettings {
  /** Exactly the IdP's `iss` (a wrong issuer makes the ALB answer 561), e.g. `https://access.line.me`. */
  readonly issuer: string;
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  readonly userInfoEndpoint: string;
  readonly clientId: string;
  /** Name (or ARN) of the Secrets Manager secret holding the client secret. Never the secret itself. */
  readonly clientSecretName: string;
  /** When the secret is a JSON object: the field that holds the client secret. */
  readonly clientSecretJsonField?: string;
  /** Pins the secret's version (`SecretValue.secretsManager(..., { versionId })`): a rotation reaches the listener by changing it. */
  readonly clientSecretVersionId?: string;
  /** Space-separated scopes. @default "openid" (the ALB's default) */
  readonly scope?: string;
  /** @default "AWSELBAuthSessionCookie" (the ALB's default) */
  readonly sessionCookieName?: string;
  /** @default 7 days (the ALB's default) */
  readonly sessionTimeout?: Duration;
  /** @default "authenticate" */
  readonly onUnauthenticatedRequest?: UnauthenticatedBehaviour;
  /** Up to 10 extra query parameters for the authorization request. */
  readonly extraParams?: Readonly<Record<string, string>>;
}

/** The optional `jwt-validation` rule for machine-to-machine path prefixes. */
export interface MachineRouteSettings {
  /** Path prefixes such as `/api/`; each becomes the path pattern `<prefix>*`. */
  readonly pathPrefixes: readonly string[];
  /** Expected `iss` of the machine tokens. */
  readonly issuer: string;
  /** Public HTTPS JWKS endpoint of that issuer. */
  readonly jwksEndpoint: string;
  /** Up to 10 claims the ALB checks besides `iss` and `exp`. */
  readonly additionalClaims?: readonly AdditionalClaim[];
  /** Passed to the function as `M2M_AUDIENCE` (comma-separated); `none` skips the check explicitly. Required. */
  readonly audience: string;
  /** Passed to the function as `M2M_REQUIRED_SCOPES` (space-separated). */
  readonly requiredScopes?: readonly string[];
  /** Passed to the function as `M2M_ALGORITHMS` (comma-separated). */
  readonly algorithms?: readonly string[];
}

/** Variables the stack derives from other context values; `functionEnvironment` may not set them. */
export const DERIVED_ENVIRONMENT: Readonly<Record<string, string>> = {
  LOAD_BALANCER_ARN: "the stack sets this ALB's ARN",
  ISSUER: "set oidcIssuer",
  CLIENT_ID: "set oidcClientId",
  SESSION_COOKIE_NAME: "set oidcSessionCookieName",
  HEALTH_CHECK_PATH: "set healthCheckPath",
  M2M_PATH_PREFIXES: "set m2mPathPrefixes",
  M2M_ISSUER: "set m2mIssuer",
  M2M_JWKS_URI: "set m2mJwksUri",
  M2M_AUDIENCE: "set m2mAudience",
  M2M_REQUIRED_SCOPES: "set m2mRequiredScopes",
  M2M_ALGORITHMS: "set m2mAlgorithms",
};

export interface AlbOidcTargetStackProps extends StackProps {
  /** ACM certificate for the HTTPS listener, in the stack's region. */
  readonly certificateArn: string;
  /** The name users browse to (a CNAME/alias to the ALB that the certificate covers). @default the ALB's DNS name */
  readonly domainName?: string;
  /** An existing VPC. Takes precedence over `vpcId`. */
  readonly vpc?: IVpc;
  /** An existing VPC by id (`Vpc.fromLookup`: needs an account and region, and AWS access on first synth). @default a new VPC */
  readonly vpcId?: string;
  /** Directory holding the esbuild output (`index.js`). @default `<repository>/dist`, where `npm run build` at the root writes it */
  readonly assetPath?: string;
  /** The target group's `lambda.multi_value_headers.enabled`. @default true */
  readonly multiValueHeaders?: boolean;
  /** Days to keep the function's logs; one of the values CloudWatch Logs accepts. @default 30 */
  readonly logRetentionDays?: number;
  /** Turns on the target group health check on this path and passes it as `HEALTH_CHECK_PATH`. @default off */
  readonly healthCheckPath?: string;
  readonly oidc: OidcSettings;
  /** @default no machine routes */
  readonly machineRoutes?: MachineRouteSettings;
  /** The function's own variables (authorization, logout, key fetching, anything of yours); kept as given. */
  readonly functionEnvironment?: Readonly<Record<string, string>>;
  /** Adds `--enable-source-maps` to the sample function's NODE_OPTIONS. @default false */
  readonly enableSourceMaps?: boolean;
  /** The ALB's deletion protection. @default false */
  readonly deletionProtection?: boolean;
  /** Days the ALB access logs are kept. @default 90 */
  readonly accessLogRetentionDays?: number;
}
