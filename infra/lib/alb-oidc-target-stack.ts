// The stack: an internet-facing ALB whose HTTPS listener authenticates users (authenticate-oidc)
// and, optionally, machine tokens (jwt-validation) before forwarding to the function.
import * as fs from "node:fs";
import * as path from "node:path";
import { Aws, CfnOutput, Duration, Names, SecretValue, Stack } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as elbv2 from "aws-cdk-lib/aws-elasticloadbalancingv2";
import * as targets from "aws-cdk-lib/aws-elasticloadbalancingv2-targets";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";
import type { AlbOidcTargetStackProps, MachineRouteSettings } from "./settings";

/** Where `npm run build` at the repository root writes the function bundle. */
export const DEFAULT_ASSET_PATH = path.resolve(__dirname, "..", "..", "dist");

const DEFAULT_LOG_RETENTION_DAYS = 30;
/** Machine rules come first; the OIDC default action takes everything else. */
const FIRST_MACHINE_RULE_PRIORITY = 10;

export class AlbOidcTargetStack extends Stack {
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly listener: elbv2.ApplicationListener;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  readonly function: lambda.Function;

  constructor(scope: Construct, id: string, props: AlbOidcTargetStackProps) {
    super(scope, id, props);

    const vpc = props.vpc ?? this.resolveVpc(props.vpcId);

    // Only 443 in. Egress is added by the authenticate actions (443 to the IdP and JWKS endpoints);
    // a Lambda target needs no network path from the ALB's security group.
    const securityGroup = new ec2.SecurityGroup(this, "LoadBalancerSecurityGroup", {
      vpc,
      description: "alb-oidc-target load balancer: HTTPS in only",
      allowAllOutbound: false,
    });
    securityGroup.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), "HTTPS from anywhere");

    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, "LoadBalancer", {
      vpc,
      internetFacing: true,
      securityGroup,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      dropInvalidHeaderFields: true,
    });

    this.function = this.createFunction(props);

    // Named, so that the invoke permission can name it before it exists (see scopeInvokePermission).
    const targetGroupName = Names.uniqueResourceName(this, { maxLength: 29, separator: "-" }) + "-tg";
    this.targetGroup = new elbv2.ApplicationTargetGroup(this, "TargetGroup", {
      targetGroupName,
      targetType: elbv2.TargetType.LAMBDA,
      targets: [new targets.LambdaTarget(this.function)],
      healthCheck: props.healthCheckPath
        ? { enabled: true, path: props.healthCheckPath, interval: Duration.minutes(1) }
        : { enabled: false },
    });

    // Set either way: CloudFormation does not reset an attribute that disappears from the template,
    // so leaving it out for `false` would keep an existing target group in multi-value mode.
    this.targetGroup.setAttribute("lambda.multi_value_headers.enabled", String(props.multiValueHeaders ?? true));
    this.scopeInvokePermission(targetGroupName);

    const forward = (): elbv2.ListenerAction => elbv2.ListenerAction.forward([this.targetGroup]);
    const { oidc } = props;
    this.listener = this.loadBalancer.addListener("Https", {
      port: 443,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      certificates: [elbv2.ListenerCertificate.fromArn(props.certificateArn)],
      sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
      // The security group above already opens 443; do not let the listener add a second rule.
      open: false,
      defaultAction: elbv2.ListenerAction.authenticateOidc({
        issuer: oidc.issuer,
        authorizationEndpoint: oidc.authorizationEndpoint,
        tokenEndpoint: oidc.tokenEndpoint,
        userInfoEndpoint: oidc.userInfoEndpoint,
        clientId: oidc.clientId,
        // A {{resolve:secretsmanager:...}} dynamic reference: the secret never enters the template.
        clientSecret: SecretValue.secretsManager(oidc.clientSecretName, { jsonField: oidc.clientSecretJsonField }),
        scope: oidc.scope,
        sessionCookieName: oidc.sessionCookieName,
        sessionTimeout: oidc.sessionTimeout,
        authenticationRequestExtraParams: oidc.extraParams && { ...oidc.extraParams },
        onUnauthenticatedRequest: (oidc.onUnauthenticatedRequest ?? "authenticate") as elbv2.UnauthenticatedAction,
        next: forward(),
      }),
    });

    if (props.machineRoutes) this.addMachineRules(props.machineRoutes, forward);

    const host = props.domainName ?? this.loadBalancer.loadBalancerDnsName;
    new CfnOutput(this, "LoadBalancerDnsName", {
      description: "DNS name of the ALB (point your domain at it with a CNAME or alias record)",
      value: this.loadBalancer.loadBalancerDnsName,
    });
    new CfnOutput(this, "RedirectUri", {
      description: "Register this callback URL at the IdP",
      value: `https://${host}/oauth2/idpresponse`,
    });
    new CfnOutput(this, "Url", { description: "Open this to log in and see your claims", value: `https://${host}/` });
    new CfnOutput(this, "LoadBalancerArn", {
      description: "The signer the function trusts (LOAD_BALANCER_ARN)",
      value: this.loadBalancer.loadBalancerArn,
    });
    new CfnOutput(this, "FunctionName", { value: this.function.functionName });
  }

  private resolveVpc(vpcId: string | undefined): ec2.IVpc {
    if (vpcId !== undefined) return ec2.Vpc.fromLookup(this, "Vpc", { vpcId });
    // Public subnets only: the ALB needs them, the function runs outside the VPC (it fetches the
    // ALB's public keys over the internet), so no NAT gateway is paid for.
    return new ec2.Vpc(this, "Vpc", {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: "public", subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 }],
    });
  }

  /**
   * LambdaTarget grants elasticloadbalancing.amazonaws.com invoke rights without a SourceArn: the
   * target group must be created after the permission (registration checks it), so the permission
   * cannot reference the group's ARN. The group's name is known up front, its id is not: scope the
   * permission to `targetgroup/<name>/*` in this account, as the ALB docs recommend (ALBeast).
   */
  private scopeInvokePermission(targetGroupName: string): void {
    const permissions = this.function.node.children.filter(
      (child): child is lambda.CfnPermission =>
        child instanceof lambda.CfnPermission && child.principal === "elasticloadbalancing.amazonaws.com",
    );
    const [permission] = permissions;
    if (permissions.length !== 1 || permission === undefined) {
      throw new Error(`Expected LambdaTarget to add one invoke permission, found ${permissions.length}.`);
    }
    permission.sourceAccount = Aws.ACCOUNT_ID;
    permission.sourceArn = `arn:${Aws.PARTITION}:elasticloadbalancing:${Aws.REGION}:${Aws.ACCOUNT_ID}:targetgroup/${targetGroupName}/*`;
  }

  private createFunction(props: AlbOidcTargetStackProps): lambda.Function {
    const assetPath = props.assetPath ?? DEFAULT_ASSET_PATH;
    if (!fs.existsSync(path.join(assetPath, "index.js"))) {
      throw new Error(
        `The function bundle ${path.join(assetPath, "index.js")} does not exist: run \`npm run build\` at the ` +
          "repository root first, or set the assetPath context value to the directory holding index.js " +
          "(e.g. -c assetPath=../dist).",
      );
    }
    const retention = props.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS;
    const logGroup = new logs.LogGroup(this, "FunctionLogGroup", {
      retention: retention as logs.RetentionDays,
    });

    return new lambda.Function(this, "Function", {
      description: "alb-oidc-target: verifies the ALB-signed x-amzn-oidc-data and answers the ALB",
      code: lambda.Code.fromAsset(assetPath),
      handler: "index.handler",
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(10),
      logGroup,
      environment: this.functionEnvironment(props),
    });
  }

  private functionEnvironment(props: AlbOidcTargetStackProps): Record<string, string> {
    const env: Record<string, string> = {
      ...(props.functionEnvironment as Record<string, string> | undefined),
      // The function accepts x-amzn-oidc-data only when its `signer` is this ALB (ALBeast defence).
      LOAD_BALANCER_ARN: this.loadBalancer.loadBalancerArn,
      ISSUER: props.oidc.issuer,
      CLIENT_ID: props.oidc.clientId,
      NODE_OPTIONS: "--enable-source-maps",
    };
    // The function expires the session cookie on logout: it must know the name the ALB uses.
    if (props.oidc.sessionCookieName !== undefined) env.SESSION_COOKIE_NAME = props.oidc.sessionCookieName;
    if (props.healthCheckPath !== undefined) env.HEALTH_CHECK_PATH = props.healthCheckPath;
    const m2m = props.machineRoutes;
    if (m2m) {
      env.M2M_PATH_PREFIXES = m2m.pathPrefixes.join(",");
      env.M2M_ISSUER = m2m.issuer;
      env.M2M_JWKS_URI = m2m.jwksEndpoint;
      if (m2m.audience !== undefined) env.M2M_AUDIENCE = m2m.audience;
      if (m2m.requiredScopes !== undefined) env.M2M_REQUIRED_SCOPES = m2m.requiredScopes.join(" ");
      if (m2m.algorithms !== undefined) env.M2M_ALGORITHMS = m2m.algorithms;
    }
    return env;
  }

  /** One rule per prefix: jwt-validation, then forward. */
  private addMachineRules(m2m: MachineRouteSettings, forward: () => elbv2.ListenerAction): void {
    m2m.pathPrefixes.forEach((prefix, index) => {
      const rule = new elbv2.ApplicationListenerRule(this, `MachineRule${index}`, {
        listener: this.listener,
        priority: FIRST_MACHINE_RULE_PRIORITY + index,
        conditions: [elbv2.ListenerCondition.pathPatterns([`${prefix}*`])],
        action: elbv2.ListenerAction.authenticateJwt({
          issuer: m2m.issuer,
          jwksEndpoint: m2m.jwksEndpoint,
          next: forward(),
        }),
      });
      // aws-cdk-lib 2.276's authenticateJwt has no additionalClaims option; CloudFormation has.
      if (m2m.additionalClaims !== undefined && m2m.additionalClaims.length > 0) {
        const cfnRule = rule.node.defaultChild as elbv2.CfnListenerRule;
        cfnRule.addPropertyOverride(
          "Actions.0.JwtValidationConfig.AdditionalClaims",
          m2m.additionalClaims.map((claim) => ({ Name: claim.name, Format: claim.format, Values: [...claim.values] })),
        );
      }
    });
  }
}
