// The synthesized variants every check runs over: defaults, machine routes, existing listener, user function; each with a function of its own, as users bring theirs.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { App, Duration, SecretValue, Stack, type StackProps, Validations } from "aws-cdk-lib";
import * as acm from "aws-cdk-lib/aws-certificatemanager";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as elbv2 from "aws-cdk-lib/aws-elasticloadbalancingv2";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";
import { AlbOidcTarget, NODE24_V8_FLAGS, type AlbOidcTargetOidcProps, type AlbOidcTargetProps } from "../src";

export const ENV = { account: "123456789012", region: "ap-northeast-1" } as const;
export const CERTIFICATE_ARN = "arn:aws:acm:ap-northeast-1:123456789012:certificate/11111111-2222-3333-4444-555555555555";
export const LISTENER_ARN =
  "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:listener/app/shared-alb/50dc6c495c0c9188/f2f7dc8efc522ab2";
export const SECRET_ARN = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:alb-oidc-target/client-secret-AbCdEf";

/** The context every variant app gets: CloudFormation's default rules fail the synth. */
export const APP_CONTEXT = { "@aws-cdk/core:validateAgainstDefaultRules": true } as const;

export const OIDC: AlbOidcTargetOidcProps = {
  issuer: "https://idp.example.com",
  authorizationEndpoint: "https://idp.example.com/authorize",
  tokenEndpoint: "https://idp.example.com/token",
  userInfoEndpoint: "https://idp.example.com/userinfo",
  clientId: "client-1",
  clientSecret: SecretValue.secretsManager(SECRET_ARN, { versionId: "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111" }),
  scope: "openid profile email",
  sessionCookieName: "NotesSession",
  sessionTimeout: Duration.hours(8),
};

export const MACHINE_ROUTES: NonNullable<AlbOidcTargetProps["machineRoutes"]> = {
  pathPrefixes: ["/api/", "/internal/"],
  issuer: "https://auth.example.com",
  jwksEndpoint: "https://auth.example.com/.well-known/jwks.json",
  additionalClaims: [
    { name: "scope", format: "space-separated-values", values: ["notes:read"] },
    { name: "aud", format: "string-array", values: ["https://api.example.com"] },
  ],
  audience: ["https://api.example.com"],
  requiredScopes: ["notes:read"],
  algorithms: ["RS256"],
};

/** The user's own variables on the user-function variant: they must survive the construct. */
export const USER_ENVIRONMENT = { NOTES_TABLE: "notes", LOG_LEVEL: "debug", NODE_OPTIONS: "--enable-source-maps" } as const;

let bundleDir: string | undefined;
/** A directory with an index.js, for functions whose code the tests never run. */
export function stubBundle(): string {
  if (bundleDir === undefined) {
    bundleDir = fs.mkdtempSync(path.join(os.tmpdir(), "alb-oidc-target-bundle-"));
    fs.writeFileSync(path.join(bundleDir, "index.js"), "exports.handler = async () => ({ statusCode: 200 });\n");
  }
  return bundleDir;
}

/**
 * A user's function as a careful user writes it (Node.js 24 with its V8 flags, its own log group and a
 * role that may write only there): cdk-nag finds nothing on it, so the variants' findings are the construct's.
 */
export function ownFunction(scope: Construct, id = "App"): lambda.Function {
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, { retention: logs.RetentionDays.ONE_MONTH });
  const role = new iam.Role(scope, `${id}Role`, { assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com") });
  logGroup.grantWrite(role);
  return new lambda.Function(scope, id, {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: "index.handler",
    code: lambda.Code.fromAsset(stubBundle()),
    logGroup,
    role,
    environment: { NODE_OPTIONS: NODE24_V8_FLAGS },
  });
}

export interface Variant {
  readonly stack: Stack;
  readonly target: AlbOidcTarget;
}

function newStack(name: string, props: StackProps = {}): Stack {
  return new Stack(new App({ context: APP_CONTEXT }), name, { env: ENV, ...props });
}

function vpcOf(stack: Stack): ec2.Vpc {
  return new ec2.Vpc(stack, "Vpc", {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [{ name: "public", subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 }],
    // Flow logs satisfy cdk-nag VPC7 without a suppression.
    flowLogs: { All: {} },
  });
}

/** A new ALB with a function of its own, every default. */
export function defaultsVariant(overrides: Partial<AlbOidcTargetProps> = {}, name = "Defaults"): Variant {
  const stack = newStack(name);
  const target = new AlbOidcTarget(stack, "Login", {
    vpc: vpcOf(stack),
    certificate: acm.Certificate.fromCertificateArn(stack, "Certificate", CERTIFICATE_ARN),
    function: ownFunction(stack),
    oidc: OIDC,
    ...overrides,
  });
  return { stack, target };
}

/** A new ALB with jwt-validation rules for /api/ and /internal/. */
export function machineRoutesVariant(): Variant {
  return defaultsVariant({ machineRoutes: MACHINE_ROUTES }, "MachineRoutes");
}

/** Rules on an existing HTTPS listener (imported by ARN), for one host name, with machine routes. */
export function existingListenerVariant(overrides: Partial<AlbOidcTargetProps> = {}, name = "ExistingListener"): Variant {
  const stack = newStack(name);
  const securityGroup = ec2.SecurityGroup.fromSecurityGroupId(stack, "SharedAlbSecurityGroup", "sg-0123456789abcdef0", {
    allowAllOutbound: false,
  });
  const listener = elbv2.ApplicationListener.fromApplicationListenerAttributes(stack, "SharedListener", {
    listenerArn: LISTENER_ARN,
    securityGroup,
  });
  const target = new AlbOidcTarget(stack, "Login", {
    listener,
    conditions: [elbv2.ListenerCondition.hostHeaders(["notes.example.com"])],
    priority: 100,
    domainName: "notes.example.com",
    function: ownFunction(stack),
    oidc: OIDC,
    machineRoutes: MACHINE_ROUTES,
    ...overrides,
  });
  return { stack, target };
}

/** The user's own function (with its own variables) behind an alias, on a new ALB. */
export function userFunctionVariant(): Variant & { fn: lambda.Function } {
  const stack = newStack("UserFunction");
  const fn = new lambda.Function(stack, "NotesApi", {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: "index.handler",
    code: lambda.Code.fromAsset(stubBundle()),
    environment: { ...USER_ENVIRONMENT },
  });
  // The user's own function, as users write it: its findings are theirs, acknowledged here with reasons.
  Validations.of(fn).acknowledge({
    id: "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
    reason: "The user's function keeps CDK's default execution role (logs only); the construct does not own that role.",
  });
  Validations.of(fn).acknowledge({
    id: "AwsSolutions-L1",
    reason: "The variant checks a user function on Node.js 22 on purpose: the construct must not add the Node.js 24 V8 flags to it.",
  });
  const alias = new lambda.Alias(stack, "Live", { aliasName: "live", version: fn.currentVersion });
  const target = new AlbOidcTarget(stack, "Login", {
    vpc: vpcOf(stack),
    certificate: acm.Certificate.fromCertificateArn(stack, "Certificate", CERTIFICATE_ARN),
    function: alias,
    oidc: OIDC,
  });
  return { stack, target, fn };
}

export const VARIANTS: Readonly<Record<string, () => Variant>> = {
  defaults: defaultsVariant,
  "machine-routes": machineRoutesVariant,
  "existing-listener": existingListenerVariant,
  "user-function": userFunctionVariant,
};
