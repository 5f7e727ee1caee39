// The project's own stack: a VPC (or yours), the sample function and one AlbOidcTarget, configured from context values.
import * as path from "node:path";
import { Annotations, CfnOutput, Duration, SecretValue, Stack, Validations } from "aws-cdk-lib";
import * as acm from "aws-cdk-lib/aws-certificatemanager";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as elbv2 from "aws-cdk-lib/aws-elasticloadbalancingv2";
import * as logs from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";
import { AlbOidcTarget } from "alb-oidc-target-cdk";
import { SampleFunction } from "./sample-function";
import type { AlbOidcTargetStackProps } from "./settings";

/** Where `npm run build` at the repository root writes the sample function's bundle. */
export const DEFAULT_ASSET_PATH = path.resolve(__dirname, "..", "..", "..", "dist");

/** A thin stack around {@link AlbOidcTarget}; `bin/app.ts` builds it from cdk.json / `-c` values. */
export class AlbOidcTargetStack extends Stack {
  readonly target: AlbOidcTarget;

  constructor(scope: Construct, id: string, props: AlbOidcTargetStackProps) {
    super(scope, id, props);

    const vpc = props.vpc ?? this.resolveVpc(props.vpcId);
    const { oidc } = props;
    const m2m = props.machineRoutes;

    // The construct takes a function as any app gives it one: this repository's is the sample's bundle.
    const sample = new SampleFunction(this, "SampleFunction", {
      assetPath: props.assetPath ?? DEFAULT_ASSET_PATH,
      enableSourceMaps: props.enableSourceMaps,
      logRetention: retentionOf(props.logRetentionDays),
      environment: props.functionEnvironment,
    });

    this.target = new AlbOidcTarget(this, "Target", {
      vpc,
      certificate: acm.Certificate.fromCertificateArn(this, "Certificate", props.certificateArn),
      domainName: props.domainName,
      function: sample.function,
      oidc: {
        issuer: oidc.issuer,
        authorizationEndpoint: oidc.authorizationEndpoint,
        tokenEndpoint: oidc.tokenEndpoint,
        userInfoEndpoint: oidc.userInfoEndpoint,
        clientId: oidc.clientId,
        // A {{resolve:secretsmanager:...}} dynamic reference: the secret never enters the template.
        clientSecret: SecretValue.secretsManager(oidc.clientSecretName, {
          jsonField: oidc.clientSecretJsonField,
          versionId: oidc.clientSecretVersionId,
        }),
        scope: oidc.scope,
        sessionCookieName: oidc.sessionCookieName,
        sessionTimeout: oidc.sessionTimeout,
        authenticationRequestExtraParams: oidc.extraParams,
        onUnauthenticatedRequest: Object.values(elbv2.UnauthenticatedAction).find((action) => action === oidc.onUnauthenticatedRequest),
      },
      machineRoutes: m2m && {
        pathPrefixes: m2m.pathPrefixes,
        issuer: m2m.issuer,
        jwksEndpoint: m2m.jwksEndpoint,
        additionalClaims: m2m.additionalClaims,
        audience: m2m.audience,
        requiredScopes: m2m.requiredScopes,
        algorithms: m2m.algorithms,
      },
      multiValueHeaders: props.multiValueHeaders,
      healthCheckPath: props.healthCheckPath,
      deletionProtection: props.deletionProtection,
      accessLogs: { retention: props.accessLogRetentionDays === undefined ? undefined : Duration.days(props.accessLogRetentionDays) },
    });

    if (oidc.clientSecretVersionId === undefined) {
      Annotations.of(this).addWarningV2(
        "alb-oidc-target:unpinnedClientSecret",
        "oidcClientSecretVersionId is not set: a rotated client secret reaches the listener only when the listener changes. " +
          "Pin the version and change the pin to roll out a rotation (packages/cdk/README.md, Rotating the client secret).",
      );
    }

    const loadBalancer = this.target.loadBalancer as elbv2.IApplicationLoadBalancer;
    new CfnOutput(this, "LoadBalancerDnsName", {
      description: "DNS name of the ALB (point your domain at it with a CNAME or alias record)",
      value: loadBalancer.loadBalancerDnsName,
    });
    // Always there with a new ALB (domainName's, or the ALB's DNS name's); only an imported listener without domainName has none.
    const redirectUri = this.target.redirectUri;
    if (redirectUri !== undefined) {
      new CfnOutput(this, "RedirectUri", { description: "Register this callback URL at the IdP", value: redirectUri });
    }
    const host = props.domainName ?? loadBalancer.loadBalancerDnsName;
    new CfnOutput(this, "Url", { description: "Open this to log in and see your claims", value: `https://${host}/` });
    new CfnOutput(this, "LoadBalancerArn", {
      description: "The signer the function trusts (LOAD_BALANCER_ARN)",
      value: this.target.loadBalancerArn,
    });
    new CfnOutput(this, "FunctionName", { value: this.target.function.functionName });
  }

  private resolveVpc(vpcId: string | undefined): ec2.IVpc {
    if (vpcId !== undefined) return ec2.Vpc.fromLookup(this, "Vpc", { vpcId });
    // Public subnets only: the ALB needs them, the function runs outside the VPC (it fetches the
    // ALB's public keys over the internet), so no NAT gateway is paid for.
    const vpc = new ec2.Vpc(this, "Vpc", {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: "public", subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 }],
    });
    Validations.of(vpc).acknowledge({
      id: "AwsSolutions-VPC7",
      reason: "The VPC holds only the ALB (no instances, the function runs outside it); the ALB's access logs record every request.",
    });
    return vpc;
  }
}

/** The CloudWatch Logs retention of that many days (config.ts accepts only values it has). */
function retentionOf(days: number | undefined): logs.RetentionDays | undefined {
  return Object.values(logs.RetentionDays).find((value): value is logs.RetentionDays => value === days);
}
