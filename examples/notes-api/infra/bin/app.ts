// The notes-api example's CDK app: its own function on a new ALB through the AlbOidcTarget construct.
import * as fs from "node:fs";
import * as path from "node:path";
import { App, CfnOutput, Duration, SecretValue, Stack } from "aws-cdk-lib";
import * as acm from "aws-cdk-lib/aws-certificatemanager";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import { AlbOidcTarget, AlbOidcTargetError, NODE24_V8_FLAGS } from "alb-oidc-target-cdk";

/** `npm run build -w notes-api` writes the handler here (CommonJS, `index.handler`). */
const ASSET_DIR = path.resolve(__dirname, "..", "..", "dist");

const app = new App();
const context = (key: string): string => {
  const value: unknown = app.node.tryGetContext(key);
  if (typeof value !== "string" || value === "") {
    process.stderr.write(`Context value ${key} is required: set it in examples/notes-api/infra/cdk.json or with -c ${key}=...\n`);
    process.exit(1);
  }
  return value;
};

if (!fs.existsSync(path.join(ASSET_DIR, "index.js"))) {
  process.stderr.write(`${path.join(ASSET_DIR, "index.js")} does not exist: run \`npm --prefix examples/notes-api run build\` first.\n`);
  process.exit(1);
}

const certificateArn = context("certificateArn");
// The ALB lives in the certificate's region; the account stays open so that synth needs no credentials.
const stack = new Stack(app, context("stackName"), {
  env: { region: certificateArn.split(":")[3] },
  description: "notes-api behind an ALB with authenticate-oidc, through AlbOidcTarget",
});

const vpc = new ec2.Vpc(stack, "Vpc", {
  maxAzs: 2,
  natGateways: 0,
  subnetConfiguration: [{ name: "public", subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 }],
  flowLogs: { All: {} },
});

const logGroup = new logs.LogGroup(stack, "NotesApiLogs", { retention: logs.RetentionDays.ONE_MONTH });
const notesApi = new lambda.Function(stack, "NotesApi", {
  description: "notes-api: withAlbAuth(app) behind the ALB",
  code: lambda.Code.fromAsset(ASSET_DIR),
  handler: "index.handler",
  runtime: lambda.Runtime.NODEJS_24_X,
  architecture: lambda.Architecture.ARM_64,
  memorySize: 256,
  timeout: Duration.seconds(10),
  logGroup,
  // The app's own variables: AlbOidcTarget adds the verifier's next to them.
  environment: { NODE_OPTIONS: NODE24_V8_FLAGS, NOTES_MAX_LENGTH: "2000" },
});

try {
  const target = new AlbOidcTarget(stack, "Login", {
    vpc,
    certificate: acm.Certificate.fromCertificateArn(stack, "Certificate", certificateArn),
    domainName: context("domainName"),
    function: notesApi,
    oidc: {
      issuer: context("oidcIssuer"),
      authorizationEndpoint: context("oidcAuthorizationEndpoint"),
      tokenEndpoint: context("oidcTokenEndpoint"),
      userInfoEndpoint: context("oidcUserInfoEndpoint"),
      clientId: context("oidcClientId"),
      clientSecret: SecretValue.secretsManager(context("oidcClientSecretName"), {
        versionId: app.node.tryGetContext("oidcClientSecretVersionId") as string | undefined,
      }),
      scope: "openid profile email",
    },
  });
  // Undefined only on an imported listener without domainName; here it is https://<domainName>/oauth2/idpresponse.
  if (target.redirectUri !== undefined) {
    new CfnOutput(stack, "RedirectUri", { description: "Register this callback URL at the IdP", value: target.redirectUri });
  }
  new CfnOutput(stack, "LoadBalancerDnsName", { value: target.loadBalancer?.loadBalancerDnsName ?? "" });
} catch (error) {
  if (error instanceof AlbOidcTargetError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
