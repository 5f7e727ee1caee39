// Specification of the synthesized template: listener rules, target group, function, permission, outputs.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { App } from "aws-cdk-lib";
import { Annotations, Match, Template } from "aws-cdk-lib/assertions";
import { APP_DIR, createStack } from "../lib/app";
import { EXAMPLE_CONTEXT, MACHINE_CONTEXT, TEST_ENV, assetPath, onlyLogicalId, onlyResource, synth } from "./helpers";

/** The HTTPS listener (the other one, on 80, only redirects). */
function httpsListener(template: ReturnType<typeof synth>): { Properties: Record<string, any> } {
  const listeners = Object.values(template.findResources("AWS::ElasticLoadBalancingV2::Listener", { Properties: { Protocol: "HTTPS" } }));
  assert.equal(listeners.length, 1);
  return listeners[0] as { Properties: Record<string, any> };
}

// Built once: most tests only read the template of the committed example configuration.
const example = synth();
const machine = synth(MACHINE_CONTEXT);

describe("HTTPS listener", () => {
  it("listens on 443 with HTTPS and the configured certificate", () => {
    example.hasResourceProperties("AWS::ElasticLoadBalancingV2::Listener", {
      Port: 443,
      Protocol: "HTTPS",
      Certificates: [{ CertificateArn: EXAMPLE_CONTEXT.certificateArn }],
    });
  });

  it("authenticates with authenticate-oidc first, then forwards to the function target group", () => {
    const listener = httpsListener(example);
    const targetGroupId = onlyLogicalId(example, "AWS::ElasticLoadBalancingV2::TargetGroup");
    const actions = listener.Properties.DefaultActions as Array<Record<string, unknown>>;
    assert.deepEqual(
      actions.map((a) => [a.Order, a.Type]),
      [
        [1, "authenticate-oidc"],
        [2, "forward"],
      ],
    );
    assert.deepEqual(actions[1]?.TargetGroupArn, { Ref: targetGroupId });
  });

  it("passes the issuer, the three endpoints, client id, scope and session settings to authenticate-oidc", () => {
    example.hasResourceProperties("AWS::ElasticLoadBalancingV2::Listener", {
      DefaultActions: Match.arrayWith([
        Match.objectLike({
          Type: "authenticate-oidc",
          AuthenticateOidcConfig: Match.objectEquals({
            Issuer: "https://access.line.me",
            AuthorizationEndpoint: "https://access.line.me/oauth2/v2.1/authorize",
            TokenEndpoint: "https://api.line.me/oauth2/v2.1/token",
            UserInfoEndpoint: "https://api.line.me/oauth2/v2.1/userinfo",
            ClientId: "1234567890",
            ClientSecret: "{{resolve:secretsmanager:alb-oidc-target/line-client-secret:SecretString:::}}",
            Scope: "profile openid",
            OnUnauthenticatedRequest: "authenticate",
            SessionTimeout: "604800",
          }),
        }),
      ]),
    });
  });

  it("makes OnUnauthenticatedRequest, the session cookie name and extra parameters configurable", () => {
    const template = synth({
      oidcOnUnauthenticatedRequest: "deny",
      oidcSessionCookieName: "MySession",
      oidcSessionTimeoutSeconds: "3600",
      oidcExtraParams: '{"prompt":"consent"}',
    });
    template.hasResourceProperties("AWS::ElasticLoadBalancingV2::Listener", {
      DefaultActions: Match.arrayWith([
        Match.objectLike({
          AuthenticateOidcConfig: Match.objectLike({
            OnUnauthenticatedRequest: "deny",
            SessionCookieName: "MySession",
            SessionTimeout: "3600",
            AuthenticationRequestExtraParams: { prompt: "consent" },
          }),
        }),
      ]),
    });
    // The function expires that cookie on logout, so it must know its name.
    template.hasResourceProperties("AWS::Lambda::Function", {
      Environment: { Variables: Match.objectLike({ SESSION_COOKIE_NAME: "MySession" }) },
    });
  });

  it("reads the client secret from Secrets Manager by name, with an optional JSON field", () => {
    const template = synth({ oidcClientSecretName: "prod/line", oidcClientSecretJsonField: "clientSecret" });
    template.hasResourceProperties("AWS::ElasticLoadBalancingV2::Listener", {
      DefaultActions: Match.arrayWith([
        Match.objectLike({
          AuthenticateOidcConfig: Match.objectLike({
            ClientSecret: "{{resolve:secretsmanager:prod/line:SecretString:clientSecret::}}",
          }),
        }),
      ]),
    });
  });

  it("has no jwt-validation rule when no machine prefixes are configured", () => {
    example.resourceCountIs("AWS::ElasticLoadBalancingV2::ListenerRule", 0);
  });
});

describe("no plaintext secret in the template", () => {
  const KNOWN_SECRET = "test-client-secret-7f3a9c";

  it("carries every ClientSecret as a secretsmanager dynamic reference", () => {
    const secrets: unknown[] = [];
    JSON.stringify(machine.toJSON(), (key, value: unknown) => {
      if (key === "ClientSecret") secrets.push(value);
      return value;
    });
    assert.equal(secrets.length, 1);
    for (const secret of secrets) assert.match(String(secret), /^\{\{resolve:secretsmanager:[^}]+\}\}$/);
  });

  it("refuses a plaintext oidcClientSecret in context instead of writing it anywhere", () => {
    assert.throws(() => synth({ oidcClientSecret: KNOWN_SECRET }), {
      name: "ConfigError",
      message: /oidcClientSecret: a plaintext client secret is not accepted/,
    });
  });

  it("contains neither a known secret value nor a Secrets Manager read outside the dynamic reference", () => {
    const serialized = JSON.stringify(machine.toJSON());
    assert.ok(!serialized.includes(KNOWN_SECRET));
    assert.ok(!/secret/i.test(serialized.replace(/\{\{resolve:secretsmanager:[^}]+\}\}/g, "").replace(/"ClientSecret"/g, "")));
  });
});

describe("machine routes (jwt-validation)", () => {
  it("adds one rule per prefix, matching <prefix>*, ahead of the default action", () => {
    const rules = Object.values(machine.findResources("AWS::ElasticLoadBalancingV2::ListenerRule")) as Array<{
      Properties: Record<string, any>;
    }>;
    assert.deepEqual(
      rules.map((r) => [r.Properties.Priority, r.Properties.Conditions]),
      [
        [10, [{ Field: "path-pattern", PathPatternConfig: { Values: ["/api/*"] } }]],
        [11, [{ Field: "path-pattern", PathPatternConfig: { Values: ["/internal/*"] } }]],
      ],
    );
  });

  it("validates the token with jwt-validation first, then forwards to the same target group", () => {
    const targetGroupId = onlyLogicalId(machine, "AWS::ElasticLoadBalancingV2::TargetGroup");
    const rules = Object.values(machine.findResources("AWS::ElasticLoadBalancingV2::ListenerRule"));
    assert.equal(rules.length, 2);
    for (const rule of rules) {
      assert.deepEqual(rule.Properties.Actions, [
        {
          Order: 1,
          Type: "jwt-validation",
          JwtValidationConfig: {
            Issuer: "https://auth.example.com",
            JwksEndpoint: "https://auth.example.com/.well-known/jwks.json",
            AdditionalClaims: [
              { Name: "scope", Format: "space-separated-values", Values: ["orders:read"] },
              { Name: "aud", Format: "string-array", Values: ["https://api.example.com"] },
            ],
          },
        },
        { Order: 2, Type: "forward", TargetGroupArn: { Ref: targetGroupId } },
      ]);
    }
  });

  it("omits AdditionalClaims when none are configured", () => {
    const template = synth({ ...MACHINE_CONTEXT, m2mAdditionalClaims: undefined, m2mPathPrefixes: ["/api/"] });
    template.hasResourceProperties("AWS::ElasticLoadBalancingV2::ListenerRule", {
      Actions: Match.arrayWith([
        {
          Order: 1,
          Type: "jwt-validation",
          JwtValidationConfig: {
            Issuer: "https://auth.example.com",
            JwksEndpoint: "https://auth.example.com/.well-known/jwks.json",
          },
        },
      ]),
    });
  });

  it("passes the machine-route settings to the function", () => {
    machine.hasResourceProperties("AWS::Lambda::Function", {
      Environment: {
        Variables: Match.objectLike({
          M2M_PATH_PREFIXES: "/api/,/internal/",
          M2M_ISSUER: "https://auth.example.com",
          M2M_JWKS_URI: "https://auth.example.com/.well-known/jwks.json",
          M2M_AUDIENCE: "https://api.example.com",
          M2M_REQUIRED_SCOPES: "orders:read orders:write",
          M2M_ALGORITHMS: "RS256",
        }),
      },
    });
  });
});

describe("target group", () => {
  it("is a Lambda target group with multi-value headers on by default", () => {
    example.hasResourceProperties("AWS::ElasticLoadBalancingV2::TargetGroup", {
      TargetType: "lambda",
      Targets: [{ Id: { "Fn::GetAtt": [onlyLogicalId(example, "AWS::Lambda::Function"), "Arn"] } }],
      TargetGroupAttributes: Match.arrayWith([{ Key: "lambda.multi_value_headers.enabled", Value: "true" }]),
    });
  });

  it("turns multi-value headers off when multiValueHeaders is false", () => {
    synth({ multiValueHeaders: "false" }).hasResourceProperties("AWS::ElasticLoadBalancingV2::TargetGroup", {
      TargetGroupAttributes: Match.arrayWith([{ Key: "lambda.multi_value_headers.enabled", Value: "false" }]),
    });
  });

  it("has health checks off unless a path is given, which the function also learns", () => {
    example.hasResourceProperties("AWS::ElasticLoadBalancingV2::TargetGroup", { HealthCheckEnabled: false });
    const template = synth({ healthCheckPath: "/healthz" });
    template.hasResourceProperties("AWS::ElasticLoadBalancingV2::TargetGroup", {
      HealthCheckEnabled: true,
      HealthCheckPath: "/healthz",
    });
    template.hasResourceProperties("AWS::Lambda::Function", {
      Environment: { Variables: Match.objectLike({ HEALTH_CHECK_PATH: "/healthz" }) },
    });
  });
});

describe("function", () => {
  it("runs index.handler on Node.js 24 on arm64", () => {
    example.hasResourceProperties("AWS::Lambda::Function", {
      Runtime: "nodejs24.x",
      Architectures: ["arm64"],
      Handler: "index.handler",
    });
  });

  it("trusts this ALB as signer and gets the issuer and client id of the OIDC action", () => {
    const fn = onlyResource(example, "AWS::Lambda::Function");
    assert.deepEqual(fn.Properties.Environment.Variables, {
      LOAD_BALANCER_ARN: { Ref: onlyLogicalId(example, "AWS::ElasticLoadBalancingV2::LoadBalancer") },
      ISSUER: "https://access.line.me",
      CLIENT_ID: "1234567890",
      // Node.js 24: a bounded semi-space (the soak's memory growth); no --enable-source-maps by default.
      NODE_OPTIONS: "--max-semi-space-size=2",
    });
  });

  it("adds --enable-source-maps only when enableSourceMaps is true", () => {
    const fn = onlyResource(synth({ enableSourceMaps: "true" }), "AWS::Lambda::Function");
    assert.equal(fn.Properties.Environment.Variables.NODE_OPTIONS, "--max-semi-space-size=2 --enable-source-maps");
  });

  it("keeps the user's own variables from functionEnvironment next to the derived ones", () => {
    const fn = onlyResource(synth({ functionEnvironment: { NOTES_TABLE: "notes", LOG_LEVEL: "debug" } }), "AWS::Lambda::Function");
    assert.equal(fn.Properties.Environment.Variables.NOTES_TABLE, "notes");
    assert.equal(fn.Properties.Environment.Variables.LOG_LEVEL, "debug");
    assert.equal(fn.Properties.Environment.Variables.CLIENT_ID, "1234567890");
  });

  it("gets the pass-through variables from functionEnvironment, JSON values serialized", () => {
    const template = synth({
      functionEnvironment: {
        ALLOWED_EMAIL_DOMAINS: "example.com",
        REQUIRED_USER_CLAIMS: { email_verified: true },
        LOGOUT_PATH: "/logout",
      },
    });
    template.hasResourceProperties("AWS::Lambda::Function", {
      Environment: {
        Variables: Match.objectLike({
          ALLOWED_EMAIL_DOMAINS: "example.com",
          REQUIRED_USER_CLAIMS: '{"email_verified":true}',
          LOGOUT_PATH: "/logout",
        }),
      },
    });
  });

  it("logs to its own log group with the configured retention", () => {
    const logGroupId = onlyLogicalId(example, "AWS::Logs::LogGroup");
    example.hasResourceProperties("AWS::Logs::LogGroup", { RetentionInDays: 30 });
    example.hasResourceProperties("AWS::Lambda::Function", { LoggingConfig: { LogGroup: { Ref: logGroupId } } });
    synth({ logRetentionDays: "7" }).hasResourceProperties("AWS::Logs::LogGroup", { RetentionInDays: 7 });
  });

  it("refuses to synthesize without the built bundle, naming the missing file", () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "alb-oidc-target-empty-"));
    assert.throws(() => synth({ assetPath: empty }), {
      name: "ConfigError",
      message: new RegExp(
        `^The function bundle ${path.join(empty, "index.js")} does not exist: run npm run build at the repository root first`,
      ),
    });
  });
});

describe("invoke permission", () => {
  it("lets only elasticloadbalancing.amazonaws.com invoke, from this target group in this account", () => {
    const targetGroup = onlyResource(example, "AWS::ElasticLoadBalancingV2::TargetGroup");
    const permission = onlyResource(example, "AWS::Lambda::Permission");
    const name = targetGroup.Properties.Name as string;
    assert.match(name, /^[A-Za-z0-9-]{1,32}$/);
    assert.deepEqual(permission.Properties, {
      Action: "lambda:InvokeFunction",
      FunctionName: { "Fn::GetAtt": [onlyLogicalId(example, "AWS::Lambda::Function"), "Arn"] },
      Principal: "elasticloadbalancing.amazonaws.com",
      SourceAccount: { Ref: "AWS::AccountId" },
      SourceArn: {
        "Fn::Join": [
          "",
          ["arn:", { Ref: "AWS::Partition" }, ":elasticloadbalancing:ap-northeast-1:", { Ref: "AWS::AccountId" }, `:targetgroup/${name}/*`],
        ],
      },
    });
  });

  it("exists before the target group registers the function", () => {
    const targetGroup = onlyResource(example, "AWS::ElasticLoadBalancingV2::TargetGroup");
    assert.deepEqual(targetGroup.DependsOn, [onlyLogicalId(example, "AWS::Lambda::Permission")]);
  });
});

describe("network", () => {
  it("creates an internet-facing ALB in a new VPC without NAT gateways by default", () => {
    example.resourceCountIs("AWS::EC2::VPC", 1);
    example.resourceCountIs("AWS::EC2::NatGateway", 0);
    example.hasResourceProperties("AWS::ElasticLoadBalancingV2::LoadBalancer", {
      Scheme: "internet-facing",
      Type: "application",
    });
  });

  it("opens the load balancer security group on 443, and 80 for the redirect, only", () => {
    const group = onlyResource(example, "AWS::EC2::SecurityGroup");
    assert.deepEqual(
      group.Properties.SecurityGroupIngress.map((rule: Record<string, unknown>) => [
        rule.CidrIp,
        rule.IpProtocol,
        rule.FromPort,
        rule.ToPort,
      ]),
      [
        ["0.0.0.0/0", "tcp", 443, 443],
        ["0.0.0.0/0", "tcp", 80, 80],
      ],
    );
    example.resourceCountIs("AWS::EC2::SecurityGroupIngress", 0);
  });

  it("uses an existing VPC by id, from the context lookup", () => {
    const lookupKey =
      "vpc-provider:account=123456789012:filter.vpc-id=vpc-0a1b2c3d4e5f60718:region=ap-northeast-1:returnAsymmetricSubnets=true";
    const template = synth(
      {
        vpcId: "vpc-0a1b2c3d4e5f60718",
        [lookupKey]: {
          vpcId: "vpc-0a1b2c3d4e5f60718",
          vpcCidrBlock: "10.1.0.0/16",
          availabilityZones: [],
          subnetGroups: [
            {
              name: "Public",
              type: "Public",
              subnets: [
                { subnetId: "subnet-0aaaaaaaaaaaaaaa1", availabilityZone: "ap-northeast-1a", routeTableId: "rtb-0aaaaaaaaaaaaaaa1" },
                { subnetId: "subnet-0bbbbbbbbbbbbbbb2", availabilityZone: "ap-northeast-1c", routeTableId: "rtb-0bbbbbbbbbbbbbbb2" },
              ],
            },
          ],
        },
      },
      TEST_ENV,
    );
    template.resourceCountIs("AWS::EC2::VPC", 0);
    template.hasResourceProperties("AWS::ElasticLoadBalancingV2::LoadBalancer", {
      Subnets: ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2"],
    });
    template.hasResourceProperties("AWS::EC2::SecurityGroup", { VpcId: "vpc-0a1b2c3d4e5f60718" });
  });
});

describe("outputs", () => {
  it("gives the ALB DNS name and the redirect URI on the configured domain", () => {
    const albId = onlyLogicalId(example, "AWS::ElasticLoadBalancingV2::LoadBalancer");
    example.hasOutput("LoadBalancerDnsName", { Value: { "Fn::GetAtt": [albId, "DNSName"] } });
    example.hasOutput("RedirectUri", { Value: "https://login.example.com/oauth2/idpresponse" });
    example.hasOutput("Url", { Value: "https://login.example.com/" });
    example.hasOutput("LoadBalancerArn", { Value: { Ref: albId } });
  });

  it("builds the redirect URI on the ALB DNS name when no domain is given", () => {
    const template = synth({ domainName: undefined });
    const albId = onlyLogicalId(template, "AWS::ElasticLoadBalancingV2::LoadBalancer");
    template.hasOutput("RedirectUri", {
      Value: { "Fn::Join": ["", ["https://", { "Fn::GetAtt": [albId, "DNSName"] }, "/oauth2/idpresponse"]] },
    });
  });
});

describe("app", () => {
  it("names the stack from the stackName context value", () => {
    const app = new App({ context: { ...EXAMPLE_CONTEXT, assetPath: assetPath(), stackName: "LoginDemo" } });
    assert.equal(createStack(app).stackName, "LoginDemo");
  });
});

describe("client secret version", () => {
  it("pins the version in the dynamic reference, and warns while it is not pinned", () => {
    const build = (overrides: Record<string, unknown>) =>
      createStack(new App({ context: { ...EXAMPLE_CONTEXT, assetPath: assetPath(), ...overrides } }));
    const pinned = build({ oidcClientSecretVersionId: "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111" });
    assert.equal(
      httpsListener(Template.fromStack(pinned)).Properties.DefaultActions[0].AuthenticateOidcConfig.ClientSecret,
      "{{resolve:secretsmanager:alb-oidc-target/line-client-secret:SecretString:::a1b2c3d4-5678-90ab-cdef-EXAMPLE11111}}",
    );
    const warning = Match.stringLikeRegexp("oidcClientSecretVersionId is not set");
    assert.equal(Annotations.fromStack(pinned).findWarning("*", warning).length, 0);
    assert.equal(Annotations.fromStack(build({})).findWarning("*", warning).length, 1);
  });
});

describe("cdk synth of a bad configuration", () => {
  it("prints the message naming the context value, without a stack trace, and exits 1", () => {
    const result = spawnSync(process.execPath, ["--conditions=alb-oidc-target-source", "--import", "tsx", "infra/bin/app.ts"], {
      cwd: APP_DIR,
      encoding: "utf8",
      env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify({ ...EXAMPLE_CONTEXT, assetPath: assetPath(), oidcIssuer: "http://idp" }) },
    });
    assert.equal(result.status, 1);
    assert.equal(result.stderr, 'Context value oidcIssuer must be a full https:// URL, e.g. https://access.line.me, got "http://idp".\n');
  });
});
