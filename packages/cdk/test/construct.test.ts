// Specification of AlbOidcTarget: secure defaults, scoped permission, the function's variables, both ALB modes.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { App, CfnParameter, Stack } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import * as acm from "aws-cdk-lib/aws-certificatemanager";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as elbv2 from "aws-cdk-lib/aws-elasticloadbalancingv2";
import * as lambda from "aws-cdk-lib/aws-lambda";
import {
  AlbOidcTarget,
  JwtValidationAction,
  NODE24_V8_FLAGS,
  loadBalancerArnOfListener,
  nodeOptionsFor,
  type AlbOidcTargetProps,
} from "../src";
import {
  CERTIFICATE_ARN,
  ENV,
  LISTENER_ARN,
  MACHINE_ROUTES,
  OIDC,
  USER_ENVIRONMENT,
  defaultsVariant,
  existingListenerVariant,
  machineRoutesVariant,
  ownFunction,
  stubBundle,
  userFunctionVariant,
} from "./variants";

type Resource = { Properties: Record<string, any>; DependsOn?: string[] };

function resources(template: Template, type: string, props?: Record<string, unknown>): Resource[] {
  return Object.values(template.findResources(type, props === undefined ? undefined : { Properties: props })) as Resource[];
}
function only(template: Template, type: string, props?: Record<string, unknown>): Resource {
  const found = resources(template, type, props);
  assert.equal(found.length, 1, `one ${type}`);
  return found[0] as Resource;
}
function logicalId(template: Template, type: string): string {
  const ids = Object.keys(template.findResources(type));
  assert.equal(ids.length, 1, `one ${type}`);
  return ids[0] as string;
}
function attributes(resource: Resource, key: string): Record<string, unknown> {
  return Object.fromEntries((resource.Properties[key] as Array<{ Key: string; Value: unknown }>).map((a) => [a.Key, a.Value]));
}

const defaults = Template.fromStack(defaultsVariant().stack);
const machine = Template.fromStack(machineRoutesVariant().stack);
const existing = existingListenerVariant();
const existingTemplate = Template.fromStack(existing.stack);
const user = userFunctionVariant();
const userTemplate = Template.fromStack(user.stack);

describe("a new ALB is secure by default", () => {
  it("drops invalid header fields", () => {
    const lb = only(defaults, "AWS::ElasticLoadBalancingV2::LoadBalancer");
    assert.equal(attributes(lb, "LoadBalancerAttributes")["routing.http.drop_invalid_header_fields.enabled"], "true");
  });

  it("uses the TLS 1.3 policy with restricted TLS 1.2 ciphers on the HTTPS listener", () => {
    const https = only(defaults, "AWS::ElasticLoadBalancingV2::Listener", { Protocol: "HTTPS" });
    assert.equal(https.Properties.SslPolicy, "ELBSecurityPolicy-TLS13-1-2-Res-2021-06");
  });

  it("refuses a weaker TLS policy", () => {
    assert.throws(() => defaultsVariant({ sslPolicy: elbv2.SslPolicy.TLS12 }), {
      name: "AlbOidcTargetError",
      message: 'sslPolicy must be a TLS 1.3 policy (ELBSecurityPolicy-TLS13-*), got "ELBSecurityPolicy-TLS-1-2-2017-01".',
    });
  });

  it("answers HTTP on 80 with a permanent redirect to HTTPS 443, and nothing else", () => {
    const http = only(defaults, "AWS::ElasticLoadBalancingV2::Listener", { Protocol: "HTTP" });
    assert.equal(http.Properties.Port, 80);
    assert.deepEqual(http.Properties.DefaultActions, [
      { Type: "redirect", RedirectConfig: { Protocol: "HTTPS", Port: "443", StatusCode: "HTTP_301" } },
    ]);
  });

  it("lets the ALB out on 443 only (the IdP's endpoints), not all traffic", () => {
    const group = only(defaults, "AWS::EC2::SecurityGroup");
    assert.deepEqual(
      group.Properties.SecurityGroupEgress.map((r: Record<string, unknown>) => [r.CidrIp, r.IpProtocol, r.FromPort, r.ToPort]),
      [["0.0.0.0/0", "tcp", 443, 443]],
    );
    defaults.resourceCountIs("AWS::EC2::SecurityGroupEgress", 0);
  });

  it("writes access logs to an encrypted, TLS-only, private bucket that expires them", () => {
    const lb = only(defaults, "AWS::ElasticLoadBalancingV2::LoadBalancer");
    const bucketId = logicalId(defaults, "AWS::S3::Bucket");
    const attrs = attributes(lb, "LoadBalancerAttributes");
    assert.equal(attrs["access_logs.s3.enabled"], "true");
    assert.deepEqual(attrs["access_logs.s3.bucket"], { Ref: bucketId });
    const bucket = only(defaults, "AWS::S3::Bucket");
    assert.deepEqual(bucket.Properties.BucketEncryption, {
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
    });
    assert.deepEqual(bucket.Properties.PublicAccessBlockConfiguration, {
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    assert.equal(bucket.Properties.LifecycleConfiguration.Rules[0].ExpirationInDays, 90);
    defaults.hasResourceProperties("AWS::S3::BucketPolicy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: "Deny", Action: "s3:*", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
        ]),
      },
    });
  });

  it("turns deletion protection on only when asked", () => {
    const off = only(defaults, "AWS::ElasticLoadBalancingV2::LoadBalancer");
    assert.equal(attributes(off, "LoadBalancerAttributes")["deletion_protection.enabled"], "false");
    const on = only(Template.fromStack(defaultsVariant({ deletionProtection: true }).stack), "AWS::ElasticLoadBalancingV2::LoadBalancer");
    assert.equal(attributes(on, "LoadBalancerAttributes")["deletion_protection.enabled"], "true");
  });
});

describe("invoke permission", () => {
  for (const [name, template] of [
    ["own function", defaults],
    ["user function alias", userTemplate],
    ["existing listener", existingTemplate],
  ] as const) {
    it(`lets only this target group of this account invoke (${name})`, () => {
      const group = only(template, "AWS::ElasticLoadBalancingV2::TargetGroup");
      const permissions = resources(template, "AWS::Lambda::Permission");
      assert.equal(permissions.length, 1, "no second, unscoped grant");
      const permission = permissions[0] as Resource;
      assert.equal(permission.Properties.Principal, "elasticloadbalancing.amazonaws.com");
      assert.equal(permission.Properties.SourceAccount, ENV.account);
      assert.deepEqual(permission.Properties.SourceArn, {
        "Fn::Join": [
          "",
          ["arn:", { Ref: "AWS::Partition" }, `:elasticloadbalancing:${ENV.region}:${ENV.account}:targetgroup/${group.Properties.Name}/*`],
        ],
      });
      // The target group registers the function only after the permission exists.
      assert.ok(group.DependsOn?.some((id) => template.toJSON().Resources[id].Type === "AWS::Lambda::Permission"));
    });
  }

  it("names each instance's target group after the construct: two in one stack do not collide", () => {
    const stack = new Stack(new App(), "Two", { env: ENV });
    const vpc = new ec2.Vpc(stack, "Vpc", { natGateways: 0, subnetConfiguration: [{ name: "p", subnetType: ec2.SubnetType.PUBLIC }] });
    const certificate = acm.Certificate.fromCertificateArn(stack, "Certificate", CERTIFICATE_ARN);
    for (const id of ["Blue", "Green"]) {
      new AlbOidcTarget(stack, id, { vpc, certificate, oidc: OIDC, function: ownFunction(stack, `${id}App`) });
    }
    const template = Template.fromStack(stack);
    const names = resources(template, "AWS::ElasticLoadBalancingV2::TargetGroup").map((g) => g.Properties.Name as string);
    assert.equal(new Set(names).size, 2);
    for (const name of names) assert.match(name, /^[A-Za-z0-9]{1,32}$/);
    const arns = resources(template, "AWS::Lambda::Permission").map((p) => JSON.stringify(p.Properties.SourceArn));
    assert.deepEqual(
      names.map((n) => arns.some((a) => a.includes(`targetgroup/${n}/*`))),
      [true, true],
    );
  });
});

describe("the function's variables", () => {
  it("keeps the user's own variables and adds the verifier's", () => {
    const fn = only(userTemplate, "AWS::Lambda::Function");
    assert.deepEqual(fn.Properties.Environment.Variables, {
      ...USER_ENVIRONMENT,
      LOAD_BALANCER_ARN: { Ref: logicalId(userTemplate, "AWS::ElasticLoadBalancingV2::LoadBalancer") },
      ISSUER: OIDC.issuer,
      CLIENT_ID: OIDC.clientId,
      SESSION_COOKIE_NAME: OIDC.sessionCookieName,
    });
  });

  it("passes the machine routes' settings, audience and scopes included", () => {
    const fn = only(machine, "AWS::Lambda::Function");
    assert.deepEqual(Object.fromEntries(Object.entries(fn.Properties.Environment.Variables).filter(([key]) => key.startsWith("M2M_"))), {
      M2M_PATH_PREFIXES: "/api/,/internal/",
      M2M_ISSUER: "https://auth.example.com",
      M2M_JWKS_URI: "https://auth.example.com/.well-known/jwks.json",
      M2M_AUDIENCE: "https://api.example.com",
      M2M_REQUIRED_SCOPES: "notes:read",
      M2M_ALGORITHMS: "RS256",
    });
  });

  it('passes audience "none" through as the explicit opt-out', () => {
    const { stack } = defaultsVariant({ machineRoutes: { ...MACHINE_ROUTES, audience: "none" } });
    assert.equal(only(Template.fromStack(stack), "AWS::Lambda::Function").Properties.Environment.Variables.M2M_AUDIENCE, "none");
  });

  it("refuses machine routes without an audience", () => {
    const routes = { ...MACHINE_ROUTES, audience: [] as string[] };
    assert.throws(() => defaultsVariant({ machineRoutes: routes }), {
      name: "AlbOidcTargetError",
      message: /^machineRoutes\.audience is required/,
    });
  });

  it("creates no function of its own: the one given is the only one, its NODE_OPTIONS as its author set them", () => {
    const fn = only(defaults, "AWS::Lambda::Function");
    assert.equal(fn.Properties.Runtime, "nodejs24.x");
    assert.equal(fn.Properties.Environment.Variables.NODE_OPTIONS, NODE24_V8_FLAGS);
    // The user-function variant sets its own NODE_OPTIONS on Node.js 22: no V8 flag is added to it.
    assert.equal(only(userTemplate, "AWS::Lambda::Function").Properties.Environment.Variables.NODE_OPTIONS, "--enable-source-maps");
  });

  it("refuses to go without function, for a JavaScript caller that leaves the required prop out", () => {
    const stack = new Stack(new App(), "NoFunction", { env: ENV });
    const vpc = new ec2.Vpc(stack, "Vpc", { natGateways: 0, subnetConfiguration: [{ name: "p", subnetType: ec2.SubnetType.PUBLIC }] });
    const props = { vpc, certificate: acm.Certificate.fromCertificateArn(stack, "C", CERTIFICATE_ARN), oidc: OIDC };
    assert.throws(() => new AlbOidcTarget(stack, "A", props as unknown as AlbOidcTargetProps), {
      name: "AlbOidcTargetError",
      message: /^function is required: the Lambda function \(or version or alias\) of your app to put behind the ALB/,
    });
    // Nor does the former sampleFunction prop build one in its place.
    const withSample = { ...props, sampleFunction: { assetPath: stubBundle() } };
    assert.throws(() => new AlbOidcTarget(stack, "B", withSample as unknown as AlbOidcTargetProps), { message: /^function is required/ });
    assert.equal(stack.node.findAll().filter((c) => c instanceof lambda.Function).length, 0);
  });

  it("refuses a function whose variables it cannot set, unless told explicitly", () => {
    const stack = new Stack(new App(), "Imported", { env: ENV });
    const fn = lambda.Function.fromFunctionArn(stack, "Fn", "arn:aws:lambda:ap-northeast-1:123456789012:function:notes");
    const vpc = new ec2.Vpc(stack, "Vpc", { natGateways: 0, subnetConfiguration: [{ name: "p", subnetType: ec2.SubnetType.PUBLIC }] });
    const props: AlbOidcTargetProps = {
      vpc,
      certificate: acm.Certificate.fromCertificateArn(stack, "Certificate", CERTIFICATE_ARN),
      function: fn,
      oidc: OIDC,
    };
    assert.throws(() => new AlbOidcTarget(stack, "A", props), {
      name: "AlbOidcTargetError",
      message: /is not a lambda\.Function of this app \(imported\?\).*setFunctionEnvironment: false/,
    });
    const target = new AlbOidcTarget(stack, "B", { ...props, setFunctionEnvironment: false });
    assert.equal(target.functionEnvironment.CLIENT_ID, OIDC.clientId);
  });

  it("refuses a function that sets a derived variable itself, instead of overwriting it", () => {
    const stack = new Stack(new App(), "Clash", { env: ENV });
    const fn = new lambda.Function(stack, "Fn", {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: "index.handler",
      code: lambda.Code.fromAsset(stubBundle()),
      environment: { ISSUER: "https://other.example.com" },
    });
    const vpc = new ec2.Vpc(stack, "Vpc", { natGateways: 0, subnetConfiguration: [{ name: "p", subnetType: ec2.SubnetType.PUBLIC }] });
    assert.throws(
      () =>
        new AlbOidcTarget(stack, "A", {
          vpc,
          certificate: acm.Certificate.fromCertificateArn(stack, "C", CERTIFICATE_ARN),
          function: fn,
          oidc: OIDC,
        }),
      { name: "AlbOidcTargetError", message: /sets ISSUER itself/ },
    );
  });
});

describe("rules", () => {
  it("keeps the login as the new ALB's default action (authenticate-oidc, then forward)", () => {
    const https = only(machine, "AWS::ElasticLoadBalancingV2::Listener", { Protocol: "HTTPS" });
    assert.deepEqual(
      https.Properties.DefaultActions.map((a: Record<string, unknown>) => a.Type),
      ["authenticate-oidc", "forward"],
    );
    assert.match(
      https.Properties.DefaultActions[0].AuthenticateOidcConfig.ClientSecret,
      /^\{\{resolve:secretsmanager:.*:SecretString:::a1b2c3d4-5678-90ab-cdef-EXAMPLE11111\}\}$/,
    );
  });

  it("renders jwt-validation with its additional claims through ListenerAction (no property override)", () => {
    const rules = resources(machine, "AWS::ElasticLoadBalancingV2::ListenerRule");
    assert.equal(rules.length, 2);
    for (const rule of rules) {
      assert.deepEqual(rule.Properties.Actions[0], {
        Order: 1,
        Type: "jwt-validation",
        JwtValidationConfig: {
          Issuer: "https://auth.example.com",
          JwksEndpoint: "https://auth.example.com/.well-known/jwks.json",
          AdditionalClaims: [
            { Name: "scope", Format: "space-separated-values", Values: ["notes:read"] },
            { Name: "aud", Format: "string-array", Values: ["https://api.example.com"] },
          ],
        },
      });
    }
    const stack = machineRoutesVariant().stack;
    const overridden = stack.node
      .findAll()
      .filter((c) => c instanceof elbv2.CfnListenerRule && JSON.stringify((c as any).rawOverrides ?? {}) !== "{}");
    assert.equal(overridden.length, 0);
  });

  it("adds rules with the given conditions and priorities to an existing listener, machine rules first", () => {
    const rules = resources(existingTemplate, "AWS::ElasticLoadBalancingV2::ListenerRule");
    assert.deepEqual(
      rules.map((r) => [r.Properties.Priority, r.Properties.ListenerArn, r.Properties.Actions[0].Type, r.Properties.Conditions.length]),
      [
        [100, LISTENER_ARN, "jwt-validation", 2],
        [101, LISTENER_ARN, "jwt-validation", 2],
        [102, LISTENER_ARN, "authenticate-oidc", 1],
      ],
    );
    for (const rule of rules)
      assert.deepEqual(rule.Properties.Conditions[0], { Field: "host-header", HostHeaderConfig: { Values: ["notes.example.com"] } });
    existingTemplate.resourceCountIs("AWS::ElasticLoadBalancingV2::LoadBalancer", 0);
    existingTemplate.resourceCountIs("AWS::ElasticLoadBalancingV2::Listener", 0);
  });

  it("derives the load balancer ARN the function trusts from an imported listener's ARN", () => {
    const fn = only(existingTemplate, "AWS::Lambda::Function");
    assert.equal(
      fn.Properties.Environment.Variables.LOAD_BALANCER_ARN,
      "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/shared-alb/50dc6c495c0c9188",
    );
    assert.equal(existing.target.redirectUri, "https://notes.example.com/oauth2/idpresponse");
  });

  it("needs conditions and a priority with an existing listener", () => {
    const stack = new Stack(new App(), "NoConditions", { env: ENV });
    const listener = elbv2.ApplicationListener.fromApplicationListenerAttributes(stack, "L", {
      listenerArn: LISTENER_ARN,
      securityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, "Sg", "sg-0123456789abcdef0"),
    });
    const base = { listener, oidc: OIDC, domainName: "notes.example.com", function: ownFunction(stack) };
    assert.throws(() => new AlbOidcTarget(stack, "A", { ...base, priority: 5 }), {
      name: "AlbOidcTargetError",
      message: /^conditions are required with listener/,
    });
    assert.throws(() => new AlbOidcTarget(stack, "B", { ...base, conditions: [elbv2.ListenerCondition.pathPatterns(["/*"])] }), {
      name: "AlbOidcTargetError",
      message: /^priority is required with listener/,
    });
  });

  it("needs exactly one of vpc and listener", () => {
    const stack = new Stack(new App(), "Neither", { env: ENV });
    assert.throws(() => new AlbOidcTarget(stack, "A", { oidc: OIDC, function: ownFunction(stack) }), {
      name: "AlbOidcTargetError",
      message: "Give exactly one of vpc (a new ALB) and listener (an existing HTTPS listener), got neither.",
    });
  });

  it("exposes the load balancer, listener, target group and redirect URI", () => {
    const { target, stack } = defaultsVariant();
    const template = Template.fromStack(stack);
    assert.ok(target.loadBalancer instanceof elbv2.ApplicationLoadBalancer);
    assert.ok(target.listener instanceof elbv2.ApplicationListener);
    assert.ok(target.targetGroup instanceof elbv2.ApplicationTargetGroup);
    assert.deepEqual(stack.resolve(target.redirectUri), {
      "Fn::Join": [
        "",
        [
          "https://",
          { "Fn::GetAtt": [logicalId(template, "AWS::ElasticLoadBalancingV2::LoadBalancer"), "DNSName"] },
          "/oauth2/idpresponse",
        ],
      ],
    });
  });
});

describe("nodeOptionsFor (NODE_OPTIONS for your function)", () => {
  it("gives Node.js 24 the bounded semi-space, other runtimes nothing, and source maps only when asked", () => {
    assert.equal(nodeOptionsFor(lambda.Runtime.NODEJS_24_X), "--max-semi-space-size=2");
    assert.equal(nodeOptionsFor(lambda.Runtime.NODEJS_24_X, { enableSourceMaps: true }), "--max-semi-space-size=2 --enable-source-maps");
    assert.equal(nodeOptionsFor(lambda.Runtime.NODEJS_22_X), undefined);
    assert.equal(nodeOptionsFor(lambda.Runtime.NODEJS_22_X, { enableSourceMaps: true }), "--enable-source-maps");
  });
});

describe("domainName and the redirect URI", () => {
  it("needs no domainName on an imported listener: the stack synthesizes, with the same rules and signer", () => {
    const { stack, target } = existingListenerVariant({ domainName: undefined });
    assert.doesNotThrow(() => synthApp(stack));
    const template = Template.fromStack(stack);
    // The ALB builds https://<the request's host>/oauth2/idpresponse itself: nothing in the template names a host.
    assert.deepEqual(template.toJSON().Resources, existingTemplate.toJSON().Resources);
    assert.equal(
      only(template, "AWS::Lambda::Function").Properties.Environment.Variables.LOAD_BALANCER_ARN,
      "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/shared-alb/50dc6c495c0c9188",
    );
    assert.deepEqual(template.toJSON().Outputs ?? {}, {});
    assert.equal(target.redirectUri, undefined, "no host to report: the README says what to register");
  });

  it("reports the redirect URI on domainName, with an imported listener and with a new ALB", () => {
    assert.equal(existing.target.redirectUri, "https://notes.example.com/oauth2/idpresponse");
    assert.equal(defaultsVariant({ domainName: "login.example.com" }).target.redirectUri, "https://login.example.com/oauth2/idpresponse");
  });

  it("reports the redirect URI on the load balancer's DNS name for a listener of this app without domainName", () => {
    const stack = new Stack(new App(), "OwnListener", { env: ENV });
    const vpc = new ec2.Vpc(stack, "Vpc", { natGateways: 0, subnetConfiguration: [{ name: "p", subnetType: ec2.SubnetType.PUBLIC }] });
    const alb = new elbv2.ApplicationLoadBalancer(stack, "Alb", { vpc, internetFacing: true });
    const listener = alb.addListener("Https", {
      port: 443,
      certificates: [acm.Certificate.fromCertificateArn(stack, "Certificate", CERTIFICATE_ARN)],
      defaultAction: elbv2.ListenerAction.fixedResponse(404),
    });
    const target = new AlbOidcTarget(stack, "Login", {
      listener,
      conditions: [elbv2.ListenerCondition.pathPatterns(["/*"])],
      priority: 1,
      function: ownFunction(stack),
      oidc: OIDC,
    });
    assert.deepEqual(stack.resolve(target.redirectUri), {
      "Fn::Join": [
        "",
        [
          "https://",
          { "Fn::GetAtt": [stack.getLogicalId(alb.node.defaultChild as elbv2.CfnLoadBalancer), "DNSName"] },
          "/oauth2/idpresponse",
        ],
      ],
    });
  });
});

describe("additional claims are checked as the ALB does", () => {
  const forward = (): elbv2.ListenerAction => elbv2.ListenerAction.fixedResponse(200);
  const create = (additionalClaims: unknown): JwtValidationAction =>
    JwtValidationAction.create({
      issuer: "https://auth.example.com",
      jwksEndpoint: "https://auth.example.com/jwks",
      additionalClaims: additionalClaims as never,
      next: forward(),
    });
  const claim = (name: string, values = ["v"], format = "single-string"): Record<string, unknown> => ({ name, format, values });

  it("accepts ten claims and refuses eleven", () => {
    const ten = Array.from({ length: 10 }, (_, i) => claim(`c${i}`));
    assert.doesNotThrow(() => create(ten));
    assert.throws(() => create([...ten, claim("c10")]), /at most 10 claims, got 11/);
  });

  for (const name of ["exp", "iss", "nbf", "iat"]) {
    it(`refuses ${name}, which the ALB checks itself`, () => {
      assert.throws(() => create([claim(name)]), new RegExp(`\\["${name}"\\]: the ALB always checks exp, iss, nbf, iat itself`));
    });
  }

  it("refuses repeated values and a space inside a space-separated value", () => {
    assert.throws(() => create([claim("aud", ["a", "a"], "string-array")]), /values must be unique, "a" appears twice/);
    assert.throws(() => create([claim("scope", ["a b"], "space-separated-values")]), /holds no space, got "a b"/);
    assert.doesNotThrow(() => create([claim("scope", ["a", "b"], "space-separated-values")]));
  });

  it("refuses an unknown format, zero values and a claim listed twice", () => {
    assert.throws(
      () => create([claim("x", ["v"], "json")]),
      /format must be one of single-string, string-array, space-separated-values, got "json"/,
    );
    assert.throws(() => create([claim("x", [])]), /needs 1 to 10 values/);
    assert.throws(() => create([claim("x"), claim("x")]), /\["x"\]: the claim is listed twice/);
  });

  it("keeps CDK's own checks of the plain action (HTTPS JWKS endpoint)", () => {
    assert.throws(
      () => JwtValidationAction.create({ issuer: "https://a.example.com", jwksEndpoint: "http://a.example.com/jwks", next: forward() }),
      /JWKS endpoint must use HTTPS/,
    );
  });
});

describe("loadBalancerArnOfListener", () => {
  it("turns a listener ARN into its load balancer's ARN", () => {
    assert.equal(
      loadBalancerArnOfListener(LISTENER_ARN),
      "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/shared-alb/50dc6c495c0c9188",
    );
  });

  it("does the same at deploy time for a listener ARN that is a token", () => {
    const stack = new Stack(new App(), "Token", { env: ENV });
    const arn = new CfnParameter(stack, "ListenerArn", { type: "String" }).valueAsString;
    // Evaluate the intrinsics as CloudFormation would, with the parameter set to a real listener ARN.
    const evaluate = (node: unknown): unknown => {
      if (typeof node !== "object" || node === null) return node;
      const [[fn, args]] = Object.entries(node) as [[string, any]];
      if (fn === "Ref") return LISTENER_ARN;
      if (fn === "Fn::Join") return (args[1] as unknown[]).map(evaluate).join(args[0]);
      if (fn === "Fn::Split") return (evaluate(args[1]) as string).split(args[0]);
      if (fn === "Fn::Select") return (evaluate(args[1]) as unknown[])[args[0]];
      throw new Error(`unexpected ${fn}`);
    };
    assert.equal(
      evaluate(stack.resolve(loadBalancerArnOfListener(arn))),
      "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/shared-alb/50dc6c495c0c9188",
    );
  });

  it("refuses something that is not an ALB listener ARN, quoting it", () => {
    assert.throws(() => loadBalancerArnOfListener("arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/x/1"), {
      name: "AlbOidcTargetError",
      message:
        /^listener must be an ALB listener ARN .*got "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer\/app\/x\/1"\.$/,
    });
  });
});

/** Synthesizes the app holding `stack` (CloudFormation's default rules run then). */
function synthApp(stack: Stack): void {
  const root = stack.node.root;
  if (!App.isApp(root)) throw new Error("not in an App");
  root.synth();
}

describe("@aws-cdk/core:validateAgainstDefaultRules", () => {
  it("synthesizes the machine-routes variant with the flag on", () => {
    const { stack } = machineRoutesVariant();
    assert.doesNotThrow(() => synthApp(stack));
  });

  it("fails the synth on a wrong-typed claim, which a property override used to let through", () => {
    const { stack } = machineRoutesVariant();
    const rule = stack.node.findAll().find((c): c is elbv2.CfnListenerRule => c instanceof elbv2.CfnListenerRule);
    assert.ok(rule !== undefined);
    rule.addPropertyOverride("Actions.0.JwtValidationConfig.AdditionalClaims.0.Values", "notes:read");
    assert.throws(() => synthApp(stack), /Validation failed/);
  });
});
