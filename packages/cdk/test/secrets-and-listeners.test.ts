// The construct refuses a client secret that would land in the template in plain text, and an existing listener that is known not to be HTTPS, naming the prop.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { App, CfnParameter, SecretValue, Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import * as acm from "aws-cdk-lib/aws-certificatemanager";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as elbv2 from "aws-cdk-lib/aws-elasticloadbalancingv2";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import { AlbOidcTarget, type AlbOidcTargetProps } from "../src";
import { CERTIFICATE_ARN, ENV, LISTENER_ARN, OIDC, defaultsVariant, ownFunction } from "./variants";

const PLAIN = "s3cr3t-client-secret-value";

/** The ClientSecret the login action carries in the synthesized template. */
function clientSecretIn(stack: Stack): unknown {
  const listeners = Template.fromStack(stack).findResources("AWS::ElasticLoadBalancingV2::Listener", { Properties: { Protocol: "HTTPS" } });
  const actions = (
    Object.values(listeners)[0] as { Properties: { DefaultActions: { AuthenticateOidcConfig?: { ClientSecret: unknown } }[] } }
  ).Properties.DefaultActions;
  return actions.find((a) => a.AuthenticateOidcConfig !== undefined)?.AuthenticateOidcConfig?.ClientSecret;
}

describe("oidc.clientSecret must be a dynamic reference", () => {
  const refused: [string, (stack: Stack) => SecretValue][] = [
    ["SecretValue.unsafePlainText", () => SecretValue.unsafePlainText(PLAIN)],
    ["a plain string (a JavaScript caller)", () => PLAIN as unknown as SecretValue],
    [
      "a NoEcho CloudFormation parameter (a Ref, not a dynamic reference)",
      (stack) => SecretValue.cfnParameter(new CfnParameter(stack, "Secret", { noEcho: true, type: "String" })),
    ],
  ];
  for (const [name, secret] of refused) {
    it(`refuses ${name}, naming the prop and never the value`, () => {
      let message = "";
      assert.throws(
        () => {
          const stack = new Stack(new App(), "Plain", { env: ENV });
          new AlbOidcTarget(stack, "Login", {
            vpc: new ec2.Vpc(stack, "Vpc", { natGateways: 0, subnetConfiguration: [{ name: "p", subnetType: ec2.SubnetType.PUBLIC }] }),
            certificate: acm.Certificate.fromCertificateArn(stack, "Certificate", CERTIFICATE_ARN),
            function: ownFunction(stack),
            oidc: { ...OIDC, clientSecret: secret(stack) },
          });
        },
        (err: Error) => {
          message = err.message;
          return err.name === "AlbOidcTargetError";
        },
      );
      assert.match(message, /^oidc\.clientSecret must be a dynamic reference to Secrets Manager or an SSM SecureString/);
      assert.ok(!message.includes(PLAIN), "the message must not show the secret");
    });
  }

  const accepted: [string, (stack: Stack) => SecretValue, RegExp][] = [
    [
      "SecretValue.secretsManager of a name, version pinned",
      () => SecretValue.secretsManager("prod/line", { versionId: "v-1" }),
      /^\{\{resolve:secretsmanager:prod\/line:SecretString:::v-1\}\}$/,
    ],
    [
      "SecretValue.secretsManager of a JSON field",
      () => SecretValue.secretsManager("prod/line", { jsonField: "clientSecret" }),
      /^\{\{resolve:secretsmanager:prod\/line:SecretString:clientSecret::\}\}$/,
    ],
    [
      "a Secret construct's secretValue (a token ARN)",
      (stack) => new secretsmanager.Secret(stack, "ClientSecret").secretValue,
      /\{\{resolve:secretsmanager:/,
    ],
    ["SecretValue.ssmSecure", () => SecretValue.ssmSecure("/line/client-secret"), /^\{\{resolve:ssm-secure:\/line\/client-secret\}\}$/],
    [
      "SecretValue.ssmSecure with a version",
      () => SecretValue.ssmSecure("/line/client-secret", "3"),
      /^\{\{resolve:ssm-secure:\/line\/client-secret:3\}\}$/,
    ],
  ];
  for (const [name, secret, rendered] of accepted) {
    it(`accepts ${name}: the template holds the reference, not a value`, () => {
      const stack = new Stack(new App(), "Dynamic", { env: ENV });
      new AlbOidcTarget(stack, "Login", {
        vpc: new ec2.Vpc(stack, "Vpc", { natGateways: 0, subnetConfiguration: [{ name: "p", subnetType: ec2.SubnetType.PUBLIC }] }),
        certificate: acm.Certificate.fromCertificateArn(stack, "Certificate", CERTIFICATE_ARN),
        function: ownFunction(stack),
        oidc: { ...OIDC, clientSecret: secret(stack) },
      });
      const value = clientSecretIn(stack);
      assert.match(typeof value === "string" ? value : JSON.stringify(value), rendered);
    });
  }

  it("checks without tripping @aws-cdk/core:checkSecretUsage (the check reads the reference, never resolves the secret)", () => {
    const stack = new Stack(new App({ context: { "@aws-cdk/core:checkSecretUsage": true } }), "Flag", { env: ENV });
    assert.doesNotThrow(
      () =>
        new AlbOidcTarget(stack, "Login", {
          vpc: new ec2.Vpc(stack, "Vpc", { natGateways: 0, subnetConfiguration: [{ name: "p", subnetType: ec2.SubnetType.PUBLIC }] }),
          certificate: acm.Certificate.fromCertificateArn(stack, "Certificate", CERTIFICATE_ARN),
          function: ownFunction(stack),
          oidc: { ...OIDC, clientSecret: SecretValue.secretsManager("prod/line", { versionId: "v-1" }) },
        }),
    );
    assert.match(String(clientSecretIn(stack)), /^\{\{resolve:secretsmanager:prod\/line:SecretString:::v-1\}\}$/);
  });

  it("the variants' secret (Secrets Manager by ARN, version pinned) is accepted", () => {
    assert.doesNotThrow(() => defaultsVariant());
  });
});

describe("an existing listener must be HTTPS when its protocol is known", () => {
  function withListener(make: (stack: Stack) => elbv2.IApplicationListener): () => void {
    return () => {
      const stack = new Stack(new App(), "Existing", { env: ENV });
      const props: AlbOidcTargetProps = {
        listener: make(stack),
        conditions: [elbv2.ListenerCondition.hostHeaders(["notes.example.com"])],
        priority: 10,
        domainName: "notes.example.com",
        function: ownFunction(stack),
        oidc: OIDC,
      };
      new AlbOidcTarget(stack, "Login", props);
    };
  }
  function loadBalancer(stack: Stack): elbv2.ApplicationLoadBalancer {
    const vpc = new ec2.Vpc(stack, "Vpc", { natGateways: 0, subnetConfiguration: [{ name: "p", subnetType: ec2.SubnetType.PUBLIC }] });
    return new elbv2.ApplicationLoadBalancer(stack, "Alb", { vpc, internetFacing: true });
  }

  it("refuses an HTTP listener of this app, naming the prop and the protocol", () => {
    assert.throws(
      withListener((stack) =>
        loadBalancer(stack).addListener("Http", {
          port: 80,
          protocol: elbv2.ApplicationProtocol.HTTP,
          defaultAction: elbv2.ListenerAction.fixedResponse(404),
        }),
      ),
      {
        name: "AlbOidcTargetError",
        message: /^listener must be an HTTPS listener .*, got "HTTP"\.$/,
      },
    );
  });

  it("refuses a listener on port 80 whose protocol CDK derived (HTTP)", () => {
    assert.throws(
      withListener((stack) =>
        loadBalancer(stack).addListener("Http", { port: 80, defaultAction: elbv2.ListenerAction.fixedResponse(404) }),
      ),
      { name: "AlbOidcTargetError", message: /^listener must be an HTTPS listener/ },
    );
  });

  it("accepts an HTTPS listener of this app, and an imported one whose protocol is not known", () => {
    assert.doesNotThrow(
      withListener((stack) =>
        loadBalancer(stack).addListener("Https", {
          port: 443,
          certificates: [acm.Certificate.fromCertificateArn(stack, "Certificate", CERTIFICATE_ARN)],
          defaultAction: elbv2.ListenerAction.fixedResponse(404),
        }),
      ),
    );
    assert.doesNotThrow(
      withListener((stack) =>
        elbv2.ApplicationListener.fromApplicationListenerAttributes(stack, "Imported", {
          listenerArn: LISTENER_ARN,
          securityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, "Sg", "sg-0123456789abcdef0"),
        }),
      ),
    );
  });
});
