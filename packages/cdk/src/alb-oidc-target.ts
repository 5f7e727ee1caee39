// AlbOidcTarget: a Lambda function behind an ALB that logs users in (authenticate-oidc) and checks machine tokens (jwt-validation).
import { ArnFormat, Duration, Fn, Names, RemovalPolicy, SecretValue, Stack, Token, Validations } from "aws-cdk-lib";
import type * as acm from "aws-cdk-lib/aws-certificatemanager";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as elbv2 from "aws-cdk-lib/aws-elasticloadbalancingv2";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as s3 from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";
import { AlbOidcTargetError } from "./errors";
import { type AdditionalClaim, JwtValidationAction } from "./jwt-validation";

/** The ALB's `AuthenticateOidcConfig`, in camelCase. */
export interface AlbOidcTargetOidcProps {
  /** Exactly the IdP's `iss` (a wrong issuer makes the ALB answer 561), e.g. `https://access.line.me`. */
  readonly issuer: string;
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  readonly userInfoEndpoint: string;
  readonly clientId: string;
  /**
   * The client secret, e.g. `SecretValue.secretsManager(name, { versionId })` or
   * `SecretValue.ssmSecure(name)`: a dynamic reference, never plaintext in the template (anything else,
   * `SecretValue.unsafePlainText` included, is refused). Pin `versionId` so that a rotation reaches
   * the listener (see README).
   */
  readonly clientSecret: SecretValue;
  /** Space-separated scopes. @default "openid" (the ALB's default) */
  readonly scope?: string;
  /** @default "AWSELBAuthSessionCookie" (the ALB's default) */
  readonly sessionCookieName?: string;
  /** @default 7 days (the ALB's default) */
  readonly sessionTimeout?: Duration;
  /** @default authenticate */
  readonly onUnauthenticatedRequest?: elbv2.UnauthenticatedAction;
  /** Up to 10 extra query parameters for the authorization request. */
  readonly authenticationRequestExtraParams?: Readonly<Record<string, string>>;
}

/** Paths served to machines with a bearer token (`jwt-validation`) instead of the login. */
export interface AlbOidcTargetMachineRoutesProps {
  /** Path prefixes such as `/api/`: each becomes the path pattern `<prefix>*` and goes to `M2M_PATH_PREFIXES`. */
  readonly pathPrefixes: readonly string[];
  /** Expected `iss` of the machine tokens (`M2M_ISSUER`). */
  readonly issuer: string;
  /** Public HTTPS JWKS endpoint of that issuer (`M2M_JWKS_URI`). */
  readonly jwksEndpoint: string;
  /** Up to 10 claims the ALB checks besides `iss` and `exp`, validated as the ALB does. @default none */
  readonly additionalClaims?: readonly AdditionalClaim[];
  /**
   * The audiences the function accepts (`M2M_AUDIENCE`). Required: `"none"` switches the audience
   * check off explicitly; leaving it out is not possible.
   */
  readonly audience: string | readonly string[];
  /** Scopes every machine token must carry (`M2M_REQUIRED_SCOPES`). @default none */
  readonly requiredScopes?: readonly string[];
  /** Signature algorithms the function accepts (`M2M_ALGORITHMS`). @default the function's default, RS256 */
  readonly algorithms?: readonly string[];
}

/** Access logs of a new ALB. */
export interface AlbOidcTargetAccessLogsProps {
  /** An existing bucket (SSE-S3, as the ALB requires). @default a new encrypted, TLS-only, private bucket */
  readonly bucket?: s3.IBucket;
  /** @default no prefix */
  readonly prefix?: string;
  /** How long a new bucket keeps the logs. @default 90 days */
  readonly retention?: Duration;
}

export interface AlbOidcTargetProps {
  /**
   * The target, required: your function, version or alias (e.g. a `lambda.Function` of your app). Its
   * own variables are kept; the construct adds the verifier's.
   */
  readonly function: lambda.IFunction;
  /**
   * Whether the construct sets the verifier's variables on `function`. An imported function
   * (`Function.fromFunctionArn`) cannot take variables: set this to `false` explicitly and copy
   * {@link AlbOidcTarget.functionEnvironment} onto it yourself. @default true
   */
  readonly setFunctionEnvironment?: boolean;
  readonly oidc: AlbOidcTargetOidcProps;
  /** The HTTPS listener's certificate (required with `vpc`; with `listener` it is added to it). */
  readonly certificate?: acm.ICertificate;
  /** A new internet-facing ALB in this VPC's public subnets (exclusive with `listener`). */
  readonly vpc?: ec2.IVpc;
  /** @default the VPC's public subnets */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * An existing HTTPS listener: the construct adds rules with `conditions` and `priority` to it (exclusive
   * with `vpc`). A listener whose protocol is known (one of this app) and is not HTTPS is refused.
   */
  readonly listener?: elbv2.IApplicationListener;
  /** With `listener`: the conditions of every rule the construct adds, e.g. a host header. */
  readonly conditions?: readonly elbv2.ListenerCondition[];
  /**
   * With `listener`: the first priority the construct uses; machine rules take `priority`,
   * `priority + 1`, ... and the login rule the next one.
   */
  readonly priority?: number;
  /**
   * The name users open (covered by the certificate); used for `redirectUri` only, the ALB itself
   * builds the redirect URI from the host each request came to. @default with `vpc`, the new ALB's DNS
   * name; with `listener`, its load balancer's DNS name when it is a construct of this app, else none
   * (`redirectUri` is then undefined: register `https://<the host users open>/oauth2/idpresponse`)
   */
  readonly domainName?: string;
  /** @default no machine routes */
  readonly machineRoutes?: AlbOidcTargetMachineRoutesProps;
  /** The target group's `lambda.multi_value_headers.enabled`. @default true */
  readonly multiValueHeaders?: boolean;
  /** Turns on the target group health check on this path and passes it as `HEALTH_CHECK_PATH`. @default off */
  readonly healthCheckPath?: string;
  /** A new ALB's TLS policy; only `ELBSecurityPolicy-TLS13-*` policies are accepted. @default TLS 1.3 + 1.2, restricted ciphers */
  readonly sslPolicy?: elbv2.SslPolicy;
  /** A new ALB's deletion protection. @default false */
  readonly deletionProtection?: boolean;
  /** A new ALB's access logs (always on). @default a new bucket */
  readonly accessLogs?: AlbOidcTargetAccessLogsProps;
}

/** Machine rules of a new ALB come first; the login is the listener's default action. */
const FIRST_MACHINE_RULE_PRIORITY = 10;
export const DEFAULT_SSL_POLICY = elbv2.SslPolicy.TLS13_RES;
const ELB_PRINCIPAL = "elasticloadbalancing.amazonaws.com";
/** Variables the construct derives; a function that sets one itself would be overwritten: refused. */
const DERIVED_VARIABLES = /^(LOAD_BALANCER_ARN|ISSUER|CLIENT_ID|SESSION_COOKIE_NAME|HEALTH_CHECK_PATH|M2M_.*)$/;

/**
 * A Lambda function behind an ALB: `authenticate-oidc` for users, optional `jwt-validation` rules
 * for machine routes, a Lambda target group with an invoke permission scoped to it, and the
 * variables the function's verifier needs. On a new ALB (`vpc`) it is secure by default: access
 * logs, HTTP redirected to HTTPS, invalid header fields dropped, a TLS 1.3 policy.
 *
 * @example
 * new AlbOidcTarget(this, "Login", {
 *   vpc,
 *   certificate,
 *   function: myFunction,
 *   oidc: {
 *     issuer: "https://access.line.me",
 *     authorizationEndpoint: "https://access.line.me/oauth2/v2.1/authorize",
 *     tokenEndpoint: "https://api.line.me/oauth2/v2.1/token",
 *     userInfoEndpoint: "https://api.line.me/oauth2/v2.1/userinfo",
 *     clientId: "1234567890",
 *     clientSecret: SecretValue.secretsManager("line-client-secret", { versionId: "..." }),
 *   },
 * });
 */
export class AlbOidcTarget extends Construct {
  /** The new ALB; with `listener`, its load balancer when it is a construct of this app, else undefined. */
  readonly loadBalancer: elbv2.IApplicationLoadBalancer | undefined;
  /** The ARN the function trusts as signer (`LOAD_BALANCER_ARN`). */
  readonly loadBalancerArn: string;
  /** The HTTPS listener (new, or the one given). */
  readonly listener: elbv2.IApplicationListener;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** The target (the given `function`). */
  readonly function: lambda.IFunction;
  /**
   * Register this callback URL at the IdP: `https://<domainName or ALB DNS name>/oauth2/idpresponse`.
   * Undefined on an imported listener without `domainName`: the construct does not know the host users
   * open (the ALB takes it from each request), so register `https://<that host>/oauth2/idpresponse`.
   */
  readonly redirectUri: string | undefined;
  /** The variables the function's verifier needs (set on it unless `setFunctionEnvironment` is false). */
  readonly functionEnvironment: Readonly<Record<string, string>>;
  /** A new ALB's access log bucket. */
  readonly accessLogsBucket: s3.IBucket | undefined;

  constructor(scope: Construct, id: string, props: AlbOidcTargetProps) {
    super(scope, id);
    checkProps(props);
    checkClientSecret(this, props.oidc.clientSecret);

    this.function = props.function;

    // Named before it exists, so that the invoke permission can be scoped to it (see LambdaInvokeTarget).
    const targetGroupName = Names.uniqueResourceName(this, { maxLength: 32 });
    this.targetGroup = new elbv2.ApplicationTargetGroup(this, "TargetGroup", {
      targetGroupName,
      targetType: elbv2.TargetType.LAMBDA,
      targets: [new LambdaInvokeTarget(this.function, targetGroupName)],
      healthCheck: props.healthCheckPath
        ? { enabled: true, path: props.healthCheckPath, interval: Duration.minutes(1) }
        : { enabled: false },
    });
    // Set either way: CloudFormation does not reset an attribute that disappears from the template.
    this.targetGroup.setAttribute("lambda.multi_value_headers.enabled", String(props.multiValueHeaders ?? true));

    const forward = (): elbv2.ListenerAction => elbv2.ListenerAction.forward([this.targetGroup]);
    const login = (): elbv2.ListenerAction => oidcAction(props.oidc, forward());

    if (props.vpc !== undefined) {
      const created = this.createLoadBalancer(props, props.vpc, login());
      this.loadBalancer = created.loadBalancer;
      this.listener = created.listener;
      this.accessLogsBucket = created.bucket;
      this.loadBalancerArn = created.loadBalancer.loadBalancerArn;
      this.addMachineRules(props, FIRST_MACHINE_RULE_PRIORITY, [], forward);
    } else {
      const listener = props.listener as elbv2.IApplicationListener;
      this.listener = listener;
      this.accessLogsBucket = undefined;
      this.loadBalancer = listener instanceof elbv2.ApplicationListener ? listener.loadBalancer : undefined;
      this.loadBalancerArn = this.loadBalancer?.loadBalancerArn ?? loadBalancerArnOfListener(listener.listenerArn);
      if (props.certificate !== undefined) listener.addCertificates("Certificate", [props.certificate]);
      const first = props.priority as number;
      const conditions = [...(props.conditions ?? [])];
      const machineRules = this.addMachineRules(props, first, conditions, forward);
      new elbv2.ApplicationListenerRule(this, "LoginRule", {
        listener,
        priority: first + machineRules,
        conditions,
        action: login(),
      });
    }

    // Only reported, never configured: the ALB sends https://<the request's host>/oauth2/idpresponse itself.
    const host = props.domainName ?? this.loadBalancer?.loadBalancerDnsName;
    this.redirectUri = host === undefined ? undefined : `https://${host}/oauth2/idpresponse`;

    this.functionEnvironment = verifierEnvironment(props, this.loadBalancerArn);
    if (props.setFunctionEnvironment !== false) setEnvironment(this.function, this.functionEnvironment);
  }

  private createLoadBalancer(
    props: AlbOidcTargetProps,
    vpc: ec2.IVpc,
    defaultAction: elbv2.ListenerAction,
  ): { loadBalancer: elbv2.ApplicationLoadBalancer; listener: elbv2.ApplicationListener; bucket: s3.IBucket } {
    // No egress by default: the authenticate-oidc action opens 443 out (the IdP's endpoints); a
    // Lambda target needs no network path from the ALB.
    const securityGroup = new ec2.SecurityGroup(this, "SecurityGroup", {
      vpc,
      description: "alb-oidc-target load balancer: HTTPS in, HTTP in for the redirect, HTTPS out to the IdP",
      allowAllOutbound: false,
    });
    securityGroup.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), "HTTPS from anywhere");
    securityGroup.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(80), "HTTP from anywhere, answered with a redirect to HTTPS");
    // cdk-nag reads CDK's acknowledgements; the construct needs no cdk-nag at run time.
    Validations.of(securityGroup).acknowledge({
      id: "AwsSolutions-EC23",
      reason: "An internet-facing login ALB: 0.0.0.0/0 on 443 (HTTPS) and on 80 (only a redirect to HTTPS) is its purpose.",
    });

    const loadBalancer = new elbv2.ApplicationLoadBalancer(this, "LoadBalancer", {
      vpc,
      internetFacing: true,
      securityGroup,
      vpcSubnets: props.vpcSubnets ?? { subnetType: ec2.SubnetType.PUBLIC },
      dropInvalidHeaderFields: true,
      deletionProtection: props.deletionProtection ?? false,
    });

    if (Token.isUnresolved(Stack.of(this).region)) {
      throw new AlbOidcTargetError(
        "A new ALB's access logs need the stack's region (the bucket policy names the region's log delivery principal): " +
          "give the stack env: { region } (the certificate's region).",
      );
    }
    const bucket = props.accessLogs?.bucket ?? this.createAccessLogsBucket(props.accessLogs?.retention ?? Duration.days(90));
    loadBalancer.logAccessLogs(bucket, props.accessLogs?.prefix);

    const listener = loadBalancer.addListener("Https", {
      port: 443,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      certificates: [props.certificate as acm.ICertificate],
      sslPolicy: props.sslPolicy ?? DEFAULT_SSL_POLICY,
      // The security group above opens 443 already.
      open: false,
      defaultAction,
    });
    loadBalancer.addListener("Http", {
      port: 80,
      protocol: elbv2.ApplicationProtocol.HTTP,
      open: false,
      defaultAction: elbv2.ListenerAction.redirect({ protocol: "HTTPS", port: "443", permanent: true }),
    });
    return { loadBalancer, listener, bucket };
  }

  private createAccessLogsBucket(retention: Duration): s3.Bucket {
    const bucket = new s3.Bucket(this, "AccessLogs", {
      // ALB access logs support SSE-S3 only (not SSE-KMS).
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: retention, abortIncompleteMultipartUploadAfter: Duration.days(1) }],
      // Logs are evidence: they outlive the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(bucket).acknowledge({
      id: "AwsSolutions-S1",
      reason: "This bucket holds the ALB's access logs; logging access to it would need another bucket logging the same way, without end.",
    });
    return bucket;
  }

  /** One rule per machine prefix: jwt-validation, then forward. Returns how many priorities it took. */
  private addMachineRules(
    props: AlbOidcTargetProps,
    firstPriority: number,
    conditions: readonly elbv2.ListenerCondition[],
    forward: () => elbv2.ListenerAction,
  ): number {
    const m2m = props.machineRoutes;
    if (m2m === undefined) return 0;
    m2m.pathPrefixes.forEach((prefix, index) => {
      new elbv2.ApplicationListenerRule(this, `MachineRule${index}`, {
        listener: this.listener,
        priority: firstPriority + index,
        conditions: [...conditions, elbv2.ListenerCondition.pathPatterns([`${prefix}*`])],
        action: JwtValidationAction.create({
          issuer: m2m.issuer,
          jwksEndpoint: m2m.jwksEndpoint,
          additionalClaims: m2m.additionalClaims,
          next: forward(),
        }),
      });
    });
    return m2m.pathPrefixes.length;
  }
}

/**
 * A Lambda target that makes its own invoke permission, scoped to this target group's name and
 * this account (CDK's LambdaTarget grants the ALB service without a SourceArn). The group's ARN
 * cannot be used: CloudFormation registers the target when it creates the group, which needs the
 * permission first. The name is known up front, so `targetgroup/<name>/*` stands for it.
 */
class LambdaInvokeTarget implements elbv2.IApplicationLoadBalancerTarget {
  constructor(
    private readonly fn: lambda.IFunction,
    private readonly targetGroupName: string,
  ) {}

  attachToApplicationTargetGroup(targetGroup: elbv2.IApplicationTargetGroup): elbv2.LoadBalancerTargetProps {
    const stack = Stack.of(targetGroup);
    this.fn.addPermission(`InvokeBy${this.targetGroupName}`, {
      principal: new iam.ServicePrincipal(ELB_PRINCIPAL),
      action: "lambda:InvokeFunction",
      sourceAccount: stack.account,
      sourceArn: stack.formatArn({
        service: "elasticloadbalancing",
        resource: "targetgroup",
        resourceName: `${this.targetGroupName}/*`,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      }),
    });
    const permission = this.fn.permissionsNode.tryFindChild(`InvokeBy${this.targetGroupName}`);
    if (permission !== undefined) targetGroup.node.addDependency(permission);
    return { targetType: elbv2.TargetType.LAMBDA, targetJson: { id: this.fn.functionArn } };
  }
}

function oidcAction(oidc: AlbOidcTargetOidcProps, next: elbv2.ListenerAction): elbv2.ListenerAction {
  return elbv2.ListenerAction.authenticateOidc({
    issuer: oidc.issuer,
    authorizationEndpoint: oidc.authorizationEndpoint,
    tokenEndpoint: oidc.tokenEndpoint,
    userInfoEndpoint: oidc.userInfoEndpoint,
    clientId: oidc.clientId,
    clientSecret: oidc.clientSecret,
    scope: oidc.scope,
    sessionCookieName: oidc.sessionCookieName,
    sessionTimeout: oidc.sessionTimeout,
    authenticationRequestExtraParams: oidc.authenticationRequestExtraParams && { ...oidc.authenticationRequestExtraParams },
    onUnauthenticatedRequest: oidc.onUnauthenticatedRequest ?? elbv2.UnauthenticatedAction.AUTHENTICATE,
    next,
  });
}

/** `arn:...:listener/app/<name>/<lb-id>/<listener-id>` -> `arn:...:loadbalancer/app/<name>/<lb-id>`, tokens included. */
export function loadBalancerArnOfListener(listenerArn: string): string {
  if (!Token.isUnresolved(listenerArn)) {
    const match = /^(arn:[^:]+:elasticloadbalancing:[^:]+:\d{12}):listener\/(app\/[^/]+\/[^/]+)\/[^/]+$/.exec(listenerArn);
    if (match === null) {
      throw new AlbOidcTargetError(
        `listener must be an ALB listener ARN (arn:aws:elasticloadbalancing:...:listener/app/...), got ${JSON.stringify(listenerArn)}.`,
      );
    }
    return `${match[1]}:loadbalancer/${match[2]}`;
  }
  // Arn.split keeps only the first path segment of a token's resource name: split by hand.
  const fields = Fn.split(":", listenerArn);
  const path = Fn.split("/", Fn.select(5, fields)); // listener/app/<name>/<lb-id>/<listener-id>
  return Fn.join("", [
    Fn.join(":", ["arn", Fn.select(1, fields), "elasticloadbalancing", Fn.select(3, fields), Fn.select(4, fields), "loadbalancer/"]),
    Fn.join("/", [Fn.select(1, path), Fn.select(2, path), Fn.select(3, path)]),
  ]);
}

function checkProps(props: AlbOidcTargetProps): void {
  if ((props.vpc === undefined) === (props.listener === undefined)) {
    throw new AlbOidcTargetError(
      "Give exactly one of vpc (a new ALB) and listener (an existing HTTPS listener), got " +
        (props.vpc === undefined ? "neither." : "both."),
    );
  }
  if (props.vpc !== undefined) {
    if (props.certificate === undefined) throw new AlbOidcTargetError("certificate is required with vpc: the new HTTPS listener needs it.");
    for (const key of ["conditions", "priority"] as const) {
      if (props[key] !== undefined)
        throw new AlbOidcTargetError(`${key} applies to an existing listener only; with vpc the login is the default action.`);
    }
    const policy = props.sslPolicy;
    if (policy !== undefined && !policy.startsWith("ELBSecurityPolicy-TLS13-")) {
      throw new AlbOidcTargetError(`sslPolicy must be a TLS 1.3 policy (ELBSecurityPolicy-TLS13-*), got ${JSON.stringify(policy)}.`);
    }
  } else {
    if (props.conditions === undefined || props.conditions.length === 0) {
      throw new AlbOidcTargetError(
        "conditions are required with listener: the rules need at least one, e.g. ListenerCondition.hostHeaders(['login.example.com']).",
      );
    }
    if (props.priority === undefined || !Number.isInteger(props.priority) || props.priority < 1) {
      throw new AlbOidcTargetError(`priority is required with listener: a whole number from 1, got ${JSON.stringify(props.priority)}.`);
    }
    // Only a listener of this app knows its protocol; an imported one is taken at its word (the prop says HTTPS).
    const protocol = props.listener instanceof elbv2.ApplicationListener ? props.listener.protocol : undefined;
    if (protocol !== undefined && protocol !== elbv2.ApplicationProtocol.HTTPS) {
      throw new AlbOidcTargetError(
        `listener must be an HTTPS listener (the login sends the session cookie and the IdP's tokens over it), got ${JSON.stringify(protocol)}.`,
      );
    }
    const last = props.priority + (props.machineRoutes?.pathPrefixes.length ?? 0);
    if (last > 50000)
      throw new AlbOidcTargetError(`priority ${props.priority}: the rules would need priorities up to ${last}, over the ALB's 50000.`);
    for (const key of ["sslPolicy", "deletionProtection", "accessLogs", "vpcSubnets"] as const) {
      if (props[key] !== undefined)
        throw new AlbOidcTargetError(`${key} applies to a new ALB (vpc) only; configure the existing ALB itself.`);
    }
  }
  // Checked at run time too: a JavaScript caller can leave the required prop out.
  if ((props.function as lambda.IFunction | undefined) === undefined) {
    throw new AlbOidcTargetError(
      "function is required: the Lambda function (or version or alias) of your app to put behind the ALB, e.g. a lambda.Function whose handler uses alb-oidc-target.",
    );
  }
  const m2m = props.machineRoutes;
  if (m2m !== undefined) {
    if (m2m.pathPrefixes.length === 0)
      throw new AlbOidcTargetError("machineRoutes.pathPrefixes must hold at least one prefix, e.g. /api/.");
    for (const prefix of m2m.pathPrefixes) {
      if (!/^\/[^?#\s*]*$/.test(prefix)) {
        throw new AlbOidcTargetError(
          `machineRoutes.pathPrefixes must hold paths starting with "/" (no wildcards), got ${JSON.stringify(prefix)}.`,
        );
      }
    }
    // Checked at run time too: a JavaScript caller can leave the required prop out.
    const audience: unknown = m2m.audience;
    const audiences: unknown[] = typeof audience === "string" ? [audience] : Array.isArray(audience) ? audience : [];
    if (audiences.length === 0 || audiences.some((a) => typeof a !== "string" || a === "" || a.includes(","))) {
      throw new AlbOidcTargetError(
        `machineRoutes.audience is required: the audiences the function accepts, or "none" to skip that check explicitly, got ${JSON.stringify(m2m.audience)}.`,
      );
    }
  }
}

/** The dynamic references CloudFormation resolves at deploy time: the secret itself is never in the template. */
const DYNAMIC_SECRET = /^\{\{resolve:(secretsmanager|ssm-secure):/;

/**
 * Refuses a client secret that would be written into the template: only a Secrets Manager or SSM
 * SecureString dynamic reference is accepted. The message never shows the value.
 */
function checkClientSecret(scope: Construct, secret: unknown): void {
  // unsafeUnwrap gives the reference's token (not a secret at synth time): resolved only to see its shape.
  const raw = SecretValue.isSecretValue(secret) ? secret.unsafeUnwrap() : secret;
  const resolved: unknown = Stack.of(scope).resolve(raw);
  // A secret named by a token resolves to { "Fn::Join": ["", ["{{resolve:secretsmanager:", { Ref: ... }, ...]] }.
  const join: unknown = typeof resolved === "object" && resolved !== null ? (resolved as Record<string, unknown>)["Fn::Join"] : undefined;
  const head: unknown = typeof resolved === "string" ? resolved : Array.isArray(join) && Array.isArray(join[1]) ? join[1][0] : undefined;
  if (typeof head !== "string" || !DYNAMIC_SECRET.test(head)) {
    throw new AlbOidcTargetError(
      "oidc.clientSecret must be a dynamic reference to Secrets Manager or an SSM SecureString " +
        "(SecretValue.secretsManager(name, { versionId }) or SecretValue.ssmSecure(name)): any other value is written into the template in plain text.",
    );
  }
}

function verifierEnvironment(props: AlbOidcTargetProps, loadBalancerArn: string): Record<string, string> {
  const env: Record<string, string> = {
    // The function accepts x-amzn-oidc-data only when its `signer` is this ALB (ALBeast defence).
    LOAD_BALANCER_ARN: loadBalancerArn,
    ISSUER: props.oidc.issuer,
    CLIENT_ID: props.oidc.clientId,
  };
  // The function expires the session cookie on logout: it must know the name the ALB uses.
  if (props.oidc.sessionCookieName !== undefined) env.SESSION_COOKIE_NAME = props.oidc.sessionCookieName;
  if (props.healthCheckPath !== undefined) env.HEALTH_CHECK_PATH = props.healthCheckPath;
  const m2m = props.machineRoutes;
  if (m2m !== undefined) {
    env.M2M_PATH_PREFIXES = m2m.pathPrefixes.join(",");
    env.M2M_ISSUER = m2m.issuer;
    env.M2M_JWKS_URI = m2m.jwksEndpoint;
    env.M2M_AUDIENCE = typeof m2m.audience === "string" ? m2m.audience : m2m.audience.join(",");
    if (m2m.requiredScopes !== undefined && m2m.requiredScopes.length > 0) env.M2M_REQUIRED_SCOPES = m2m.requiredScopes.join(" ");
    if (m2m.algorithms !== undefined && m2m.algorithms.length > 0) env.M2M_ALGORITHMS = m2m.algorithms.join(",");
  }
  return env;
}

/** The Function behind a function, version or alias; undefined for an imported one. */
function underlyingFunction(fn: lambda.IFunction): lambda.Function | undefined {
  if (fn instanceof lambda.Function) return fn;
  if (fn instanceof lambda.Alias) return underlyingFunction(fn.version.lambda);
  if (fn instanceof lambda.Version) return underlyingFunction(fn.lambda);
  return undefined;
}

function setEnvironment(fn: lambda.IFunction, env: Readonly<Record<string, string>>): void {
  const target = underlyingFunction(fn);
  if (target === undefined) {
    throw new AlbOidcTargetError(
      `function ${fn.node.path} is not a lambda.Function of this app (imported?), so its variables cannot be set: ` +
        "set setFunctionEnvironment: false and give it AlbOidcTarget.functionEnvironment yourself.",
    );
  }
  // lambda.Function has no public reader of its variables; its own ones must not be overwritten silently.
  // (Its private map has `has`; should that change, the check is skipped, never the variables.)
  const own = (target as unknown as { environment?: { has?: (key: string) => boolean } }).environment;
  const clash = typeof own?.has === "function" ? Object.keys(env).find((key) => DERIVED_VARIABLES.test(key) && own.has?.(key)) : undefined;
  if (clash !== undefined) {
    throw new AlbOidcTargetError(
      `function ${target.node.path} sets ${clash} itself; AlbOidcTarget derives it from its props: remove it there.`,
    );
  }
  for (const [key, value] of Object.entries(env)) target.addEnvironment(key, value);
}
