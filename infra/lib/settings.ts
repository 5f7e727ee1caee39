// The typed settings of the stack, shared by the context reader (config.ts) and the stack itself.
import type { Duration, StackProps } from "aws-cdk-lib";
import type { IVpc } from "aws-cdk-lib/aws-ec2";

/** What the ALB does with a request that has no valid session (`OnUnauthenticatedRequest`). */
export type UnauthenticatedBehaviour = "authenticate" | "deny" | "allow";

/** The `Format` of a jwt-validation additional claim. */
export type ClaimFormat = "single-string" | "string-array" | "space-separated-values";

export const CLAIM_FORMATS: readonly ClaimFormat[] = ["single-string", "string-array", "space-separated-values"];
export const UNAUTHENTICATED_BEHAVIOURS: readonly UnauthenticatedBehaviour[] = ["authenticate", "deny", "allow"];

/** One claim the ALB checks on machine tokens besides `iss` and `exp`. */
export interface AdditionalClaim {
  readonly name: string;
  readonly format: ClaimFormat;
  readonly values: readonly string[];
}

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
  /** Passed to the function as `M2M_AUDIENCE`; the function checks it. */
  readonly audience?: string;
  /** Passed to the function as `M2M_REQUIRED_SCOPES` (space-separated). */
  readonly requiredScopes?: readonly string[];
  /** Passed to the function as `M2M_ALGORITHMS`, unchanged. */
  readonly algorithms?: string;
}

/** Environment variables the function reads that the stack does not derive itself. */
export const PASS_THROUGH_ENVIRONMENT = [
  "ALLOWED_EMAIL_DOMAINS",
  "REQUIRED_USER_CLAIMS",
  "LOGOUT_PATH",
  "IDP_LOGOUT_URL",
  "POST_LOGOUT_REDIRECT_URI",
  "ALB_PUBLIC_KEY_ENDPOINT",
  "KEY_FETCH_TIMEOUT_MS",
] as const;
export type PassThroughVariable = (typeof PASS_THROUGH_ENVIRONMENT)[number];

export interface AlbOidcTargetStackProps extends StackProps {
  /** ACM certificate for the HTTPS listener, in the stack's region. */
  readonly certificateArn: string;
  /** The name users browse to (a CNAME/alias to the ALB that the certificate covers). @default the ALB's DNS name */
  readonly domainName?: string;
  /** An existing VPC. Takes precedence over `vpcId`. */
  readonly vpc?: IVpc;
  /** An existing VPC by id (`Vpc.fromLookup`: needs an account and region, and AWS access on first synth). @default a new VPC */
  readonly vpcId?: string;
  /** Directory holding the esbuild output (`index.js`). @default `<repository>/dist` */
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
  /** Further variables for the function (authorization, logout, key fetching). */
  readonly functionEnvironment?: Readonly<Partial<Record<PassThroughVariable, string>>>;
}
