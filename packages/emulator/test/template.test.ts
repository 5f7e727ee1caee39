// --template: the listener read from a CloudFormation template with several rules (fixed-response by host, deny, jwt-validation, redirect, the default authenticate-oidc), IdPs swapped for the embedded provider; which listener is picked without --listener; which rule answered.
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withEmbeddedIdp } from "../src/emulator/listener/config-file.js";
import { templateListener } from "../src/emulator/listener/template.js";
import { parseYamlTemplate } from "../src/emulator/listener/template-file.js";
import { decodePart } from "alb-oidc-target/testing";
import { DEMO_USERS } from "../src/oidc/users.js";
import { fetchMachineToken } from "../src/token.js";
import { Browser } from "alb-oidc-target-test-support/browser";
import { lastEvent, testEmulator, type TestEmulator } from "./setup.js";

const TEMPLATE = "test/fixtures/listener.template.json";
/** The same listener written by hand as CloudFormation YAML (short-form tags, unquoted numbers). */
const YAML_TEMPLATE = "test/fixtures/listener.template.yaml";
const TWO_AUTHENTICATING = "test/fixtures/two-authenticating-listeners.template.json";
const EXISTING = "test/fixtures/existing-listener.template.json";
const EXISTING_LISTENER_ARN =
  "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:listener/app/shared-alb/50dc6c495c0c9188/f2f7dc8efc522ab2";
const DEFAULT_RULE = "HttpsListener DefaultActions";

let alb: TestEmulator;

beforeAll(async () => {
  // No listenerId: as `--template` without `--listener`, the one listener whose rules authenticate.
  alb = await testEmulator({ listener: templateListener({ path: TEMPLATE, embeddedIdp: true, env: {} }) });
});
afterAll(async () => {
  await alb.stop();
});

/** GET with a Host header of our choosing (fetch does not let a caller set Host). */
function getWithHost(url: string, host: string): Promise<{ status: number; rule: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { host } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, rule: res.headers["x-alb-emulator-rule"] as string | undefined, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("reading the listener", () => {
  it("orders the rules by priority with the default last, and names what it cannot emulate", () => {
    expect(alb.listener.rules.map((r) => [r.priority, r.name])).toEqual([
      [5, "MaintenanceRule"],
      [10, "XhrRule"],
      [20, "MachineRule"],
      [30, "OldPathsRule"],
      [undefined, DEFAULT_RULE],
    ]);
    expect(alb.listener.notes).toEqual(
      expect.arrayContaining([
        'OfficeOnlyRule: condition "source-ip" is not emulated (path-pattern, host-header and http-request-method are): the rule is left out',
        "HttpsListener: HTTPS with its certificates: the emulator listens on plain http://localhost",
        "OldPathsRule: Transforms is not emulated",
      ]) as unknown,
    );
  });

  it("without --embedded-idp, a {{resolve:secretsmanager:...}} client secret comes from ALB_CLIENT_SECRET, and is required", () => {
    const source = templateListener({ path: TEMPLATE, listenerId: "HttpsListener", embeddedIdp: false, env: {} });
    expect(() => source.build(undefined)).toThrow("set ALB_CLIENT_SECRET to the client secret (or pass --embedded-idp)");
    const real = templateListener({
      path: TEMPLATE,
      listenerId: "HttpsListener",
      embeddedIdp: false,
      env: { ALB_CLIENT_SECRET: "from-env" },
    });
    expect(real.needsEmbeddedProvider).toBe(false);
    const rule = real.build(undefined).rules.find((r) => r.name === DEFAULT_RULE);
    expect(rule?.auth?.type === "authenticate-oidc" && rule.auth.config).toMatchObject({
      Issuer: "https://access.line.me",
      ClientId: "1234567890",
      ClientSecret: "from-env",
      SessionTimeout: 3600,
    });
  });
});

describe("which listener, without --listener", () => {
  it("an HTTPS listener that authenticates and an HTTP one that only redirects (what AlbOidcTarget synthesizes): the HTTPS one, the other named", () => {
    const source = templateListener({ path: TEMPLATE, embeddedIdp: true, env: {} });
    expect(source.description).toBe(
      `${TEMPLATE} listener HttpsListener (the one whose rules authenticate) with rules MaintenanceRule, XhrRule, MachineRule, OldPathsRule, OfficeOnlyRule, IdPs swapped for the embedded provider`,
    );
    expect(alb.listener.rules.at(-1)?.name).toBe(DEFAULT_RULE);
    expect(alb.listener.notes).toContain(
      "HttpListener: another listener of the template, not emulated (--listener HttpListener runs it instead)",
    );
  });

  it("--listener still picks any listener, the redirecting one included", () => {
    const source = templateListener({ path: TEMPLATE, listenerId: "HttpListener", embeddedIdp: true, env: {} });
    expect(source.needsEmbeddedProvider).toBe(false);
    const built = source.build(undefined);
    expect(built.rules.map((r) => [r.name, r.action.type])).toEqual([["HttpListener DefaultActions", "redirect"]]);
    expect(built.notes).toContain(
      "HttpsListener: another listener of the template, not emulated (--listener HttpsListener runs it instead)",
    );
  });

  it("two listeners that authenticate (authenticate-oidc on one, jwt-validation in a rule of the other): refuses to guess, names both, asks for --listener", () => {
    expect(() => templateListener({ path: TWO_AUTHENTICATING, embeddedIdp: true, env: {} })).toThrow(
      `--template ${TWO_AUTHENTICATING}: 2 listeners authenticate (PublicListener, InternalListener): pick one with --listener <logicalId>`,
    );
    const internal = templateListener({ path: TWO_AUTHENTICATING, listenerId: "InternalListener", embeddedIdp: true, env: {} });
    expect(internal.description).toContain("listener InternalListener with rules InternalMachineRule");
  });

  it("several listeners and none authenticates: refuses to guess and names them", () => {
    const redirect = (port: string) => ({
      Type: "AWS::ElasticLoadBalancingV2::Listener",
      Properties: { Port: 80, DefaultActions: [{ Type: "redirect", RedirectConfig: { Port: port, StatusCode: "HTTP_301" } }] },
    });
    const path = join(mkdtempSync(join(tmpdir(), "alb-template-")), "redirects.template.json");
    writeFileSync(path, JSON.stringify({ Resources: { ToA: redirect("8080"), ToB: redirect("8081") } }));
    expect(() => templateListener({ path, embeddedIdp: true, env: {} })).toThrow(
      `--template ${path}: has 2 listeners (ToA, ToB) and none authenticates: pick one with --listener <logicalId>`,
    );
  });

  it("a listener --listener does not name is refused with the template's listeners", () => {
    expect(() => templateListener({ path: TEMPLATE, listenerId: "Nope", embeddedIdp: true, env: {} })).toThrow(
      `--listener Nope: not a listener of ${TEMPLATE} (listeners: HttpsListener, HttpListener)`,
    );
  });
});

describe("an existing listener (AlbOidcTarget's rules on a listener ARN, no Listener resource)", () => {
  let existing: TestEmulator;
  beforeAll(async () => {
    existing = await testEmulator({ listener: templateListener({ path: EXISTING, embeddedIdp: true, env: {} }) });
  });
  afterAll(async () => {
    await existing.stop();
  });

  it("is the listener: its rules in priority order, a named 404 in place of the default action the template does not hold", async () => {
    expect(existing.listener.rules.map((r) => [r.priority, r.name])).toEqual([
      [100, "LoginMachineRule"],
      [101, "LoginLoginRule"],
      [undefined, "existing listener DefaultActions"],
    ]);
    expect(existing.listener.notes).toEqual([
      `${EXISTING_LISTENER_ARN}: an existing listener: its DefaultActions are not in the template, so a request no rule of the template matches gets a 404 here`,
    ]);
    const res = await fetch(`${existing.url}/elsewhere`);
    expect(res.status).toBe(404);
    expect(res.headers.get("x-alb-emulator-rule")).toBe("existing listener DefaultActions");
    expect(await res.text()).toBe("No rule of the template matches (the existing listener's default action is not in the template).");
    expect(existing.events).toHaveLength(0);
  });

  it("signs as the listener's load balancer (its ARN, from the listener's), and the function trusts that signer", async () => {
    const loadBalancerArn = "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/shared-alb/50dc6c495c0c9188";
    expect(existing.config.LoadBalancerArn).toBe(loadBalancerArn);
    expect(existing.functionEnv.LOAD_BALANCER_ARN).toBe(loadBalancerArn);
    const browser = new Browser();
    const { final } = await browser.login(`${existing.url}/notes`, "alice");
    expect(final.res.status).toBe(200);
    expect(final.res.headers.get("x-alb-emulator-rule")).toBe("LoginLoginRule");
    expect((await browser.jar.getCookies(existing.url)).map((c) => c.key)).toEqual(["NotesSession-0"]);
    const data = lastEvent(existing).headers?.["x-amzn-oidc-data"] ?? "";
    expect(decodePart(data, 0).signer).toBe(loadBalancerArn);
  });
});

describe("which rule answers", () => {
  it("host-header status.*.example.com (any case): the fixed-response rule, before any login", async () => {
    const res = await getWithHost(`${alb.url}/`, "Status.EU.example.com");
    expect(res).toEqual({ status: 503, rule: "MaintenanceRule", body: "down for maintenance" });
    expect((await getWithHost(`${alb.url}/`, "status.example.com")).rule).toBe(DEFAULT_RULE);
  });

  it("/xhr/* without a session: the deny rule's 401, no redirect", async () => {
    const res = await new Browser().fetch(`${alb.url}/xhr/poll`);
    expect(res.status).toBe(401);
    expect(res.headers.get("x-alb-emulator-rule")).toBe("XhrRule");
    expect(res.headers.get("x-alb-emulator-error")).toBe("AuthUnauthenticatedRequest");
  });

  it("/api/*: the jwt-validation rule, against the embedded provider's issuer, with the template's AdditionalClaims", async () => {
    const none = await fetch(`${alb.url}/api/orders`);
    expect(none.status).toBe(401);
    expect(none.headers.get("x-alb-emulator-rule")).toBe("MachineRule");
    expect(none.headers.get("x-alb-emulator-error")).toBe("AuthMissingJwt");
    const issuer = alb.idp?.issuer ?? "";
    const wrongScope = await fetchMachineToken({ issuer, scope: "orders:write" });
    const refused = await fetch(`${alb.url}/api/orders`, { headers: { authorization: `Bearer ${wrongScope}` } });
    expect(refused.status).toBe(401);
    expect(await refused.text()).toContain("claim &#34;scope&#34; does not match space-separated-values");
    const token = await fetchMachineToken({ issuer, scope: "orders:read" });
    const before = alb.events.length;
    const ok = await fetch(`${alb.url}/api/orders`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.headers.get("x-alb-emulator-rule")).toBe("MachineRule");
    expect(alb.events.length).toBe(before + 1);
    // The function re-verified it too: the emulator set M2M_* (and the audience of the embedded provider's tokens) for it.
    expect(ok.status).toBe(200);
  });

  it("/old/*: the redirect rule keeps host, port and query", async () => {
    const res = await fetch(`${alb.url}/old/page?x=1`, { redirect: "manual" });
    expect(res.status).toBe(301);
    expect(res.headers.get("location")).toBe(`${alb.url}/new/old/page?x=1`);
    expect(res.headers.get("x-alb-emulator-rule")).toBe("OldPathsRule");
  });

  it("anything else: the default authenticate-oidc with the template's Scope, extra params and session cookie name; then the deny rule lets the session through", async () => {
    const browser = new Browser();
    const { loginPage, final } = await browser.login(`${alb.url}/whoami`, "alice");
    const auth = new URL(loginPage.hops[0]?.location ?? "");
    expect(auth.origin).toBe(new URL(alb.idp?.issuer ?? "").origin);
    expect(auth.searchParams.get("scope")).toBe("openid profile email");
    expect(auth.searchParams.get("prompt")).toBe("login");
    expect(loginPage.hops[0]?.url).toBe(`${alb.url}/whoami`);
    expect(final.res.status).toBe(200);
    expect(final.res.headers.get("x-alb-emulator-rule")).toBe(DEFAULT_RULE);
    expect((JSON.parse(final.body) as { claims: unknown }).claims).toMatchObject({ ...DEMO_USERS.alice, iss: alb.idp?.issuer });
    const cookies = await browser.jar.getCookies(alb.url);
    expect(cookies.map((c) => c.key)).toEqual(["MyAppSession-0"]);
    expect(cookies[0]?.expires).toBeInstanceOf(Date);
    // The cookie lives the ALB's 7 days whatever SessionTimeout (3600 here) says: the session's end is sealed inside it.
    const ttl = ((cookies[0]?.expires as Date).getTime() - Date.now()) / 1000;
    expect(ttl).toBeGreaterThan(604800 - 100);
    expect(ttl).toBeLessThanOrEqual(604800);
    const xhr = await browser.fetch(`${alb.url}/xhr/poll`);
    expect(xhr.headers.get("x-alb-emulator-rule")).toBe("XhrRule");
    expect(xhr.status).not.toBe(401);
  });
});

describe("--embedded-idp with --config", () => {
  it("swaps the file's LINE endpoints, client and JwtValidation issuer for the embedded provider, keeping Scope and the rule's paths", async () => {
    const line = {
      Issuer: "https://access.line.me",
      AuthorizationEndpoint: "https://access.line.me/oauth2/v2.1/authorize",
      TokenEndpoint: "https://api.line.me/oauth2/v2.1/token",
      UserInfoEndpoint: "https://api.line.me/oauth2/v2.1/userinfo",
      ClientId: "1234567890",
      ClientSecret: "line-secret",
      Scope: "openid profile email",
      SessionCookieName: "LineSession",
      JwtValidation: { PathPrefixes: ["/m2m/"], Issuer: "https://auth.example.com", JwksEndpoint: "https://auth.example.com/jwks" },
    };
    const e = await testEmulator({ file: withEmbeddedIdp(line) });
    try {
      expect(e.config).toMatchObject({
        Issuer: e.idp?.issuer,
        ClientId: "alb-oidc-local",
        Scope: "openid profile email",
        SessionCookieName: "LineSession",
      });
      expect(e.config.JwtValidation).toMatchObject({ PathPrefixes: ["/m2m/"], Issuer: e.idp?.issuer, JwksEndpoint: e.idp?.jwksUri });
      const browser = new Browser();
      const { final } = await browser.login(`${e.url}/`, "alice");
      expect(final.res.status).toBe(200);
      expect((await browser.jar.getCookies(e.url)).map((c) => c.key)).toEqual(["LineSession-0"]);
      expect((await fetch(`${e.url}/m2m/x`)).headers.get("x-alb-emulator-error")).toBe("AuthMissingJwt");
    } finally {
      await e.stop();
    }
  });
});

describe("a YAML template (hand-written CloudFormation, short-form tags)", () => {
  let yaml: TestEmulator;
  beforeAll(async () => {
    yaml = await testEmulator({ listener: templateListener({ path: YAML_TEMPLATE, embeddedIdp: true, env: {} }) });
  });
  afterAll(async () => {
    await yaml.stop();
  });

  it("reads the same listener as the JSON template: the same rules, actions and notes", () => {
    const env = { ALB_CLIENT_SECRET: "from-env" };
    const fromJson = templateListener({ path: TEMPLATE, listenerId: "HttpsListener", embeddedIdp: false, env }).build(undefined);
    const fromYaml = templateListener({ path: YAML_TEMPLATE, listenerId: "HttpsListener", embeddedIdp: false, env }).build(undefined);
    expect(fromYaml.rules).toEqual(fromJson.rules);
    expect(fromYaml.notes).toEqual(fromJson.notes);
    expect(fromYaml.rules.map((r) => r.name)).toEqual(["MaintenanceRule", "XhrRule", "MachineRule", "OldPathsRule", DEFAULT_RULE]);
    expect(templateListener({ path: YAML_TEMPLATE, embeddedIdp: true, env: {} }).description).toBe(
      `${YAML_TEMPLATE} listener HttpsListener (the one whose rules authenticate) with rules MaintenanceRule, XhrRule, MachineRule, OldPathsRule, OfficeOnlyRule, IdPs swapped for the embedded provider`,
    );
  });

  it("routes as the JSON template does: host-header fixed-response, deny, jwt-validation, redirect, then the default login", async () => {
    expect(await getWithHost(`${yaml.url}/`, "Status.EU.example.com")).toEqual({
      status: 503,
      rule: "MaintenanceRule",
      body: "down for maintenance",
    });
    const xhr = await new Browser().fetch(`${yaml.url}/xhr/poll`);
    expect([xhr.status, xhr.headers.get("x-alb-emulator-rule")]).toEqual([401, "XhrRule"]);
    const api = await fetch(`${yaml.url}/api/orders`);
    expect([api.status, api.headers.get("x-alb-emulator-rule"), api.headers.get("x-alb-emulator-error")]).toEqual([
      401,
      "MachineRule",
      "AuthMissingJwt",
    ]);
    const old = await fetch(`${yaml.url}/old/page?x=1`, { redirect: "manual" });
    expect([old.status, old.headers.get("location")]).toEqual([301, `${yaml.url}/new/old/page?x=1`]);
    const browser = new Browser();
    const { final } = await browser.login(`${yaml.url}/whoami`, "alice");
    expect(final.res.status).toBe(200);
    expect(final.res.headers.get("x-alb-emulator-rule")).toBe(DEFAULT_RULE);
    expect((await browser.jar.getCookies(yaml.url)).map((c) => c.key)).toEqual(["MyAppSession-0"]);
    expect(yaml.events).toHaveLength(1);
  });

  it("each short-form tag is its long form; the core schema keeps 2010-09-09 a string", () => {
    const text = [
      "AWSTemplateFormatVersion: 2010-09-09",
      "Quoted: '2010-09-09'",
      "Ref: !Ref Bucket",
      "Condition: !Condition IsProd",
      "GetAtt: !GetAtt Db.Endpoint.Address",
      "GetAttList: !GetAtt [Db, Arn]",
      'Sub: !Sub "${AWS::Region}-x"',
      'SubList: !Sub ["${A}-x", { A: !Ref Y }]',
      'Join: !Join [",", [!Ref A, !GetAtt B.Arn]]',
      "Select: !Select [0, !GetAZs '']",
      'Split: !Split [",", !ImportValue subnets]',
      'If: !If [IsProd, !Ref A, !Ref "AWS::NoValue"]',
      "Not: !Not [!Equals [!Ref Stage, prod]]",
      "And: !And [!Condition A, !Or [!Condition B, !Condition C]]",
      "FindInMap: !FindInMap [Regions, !Ref AWS::Region, Ami]",
      "Base64: !Base64 hello",
      'Cidr: !Cidr ["10.0.0.0/16", 4, 8]',
      "GetAZs: !GetAZs",
      "Transform: !Transform { Name: AWS::Include, Parameters: { Location: s3://bucket/x.yaml } }",
      "",
    ].join("\n");
    expect(parseYamlTemplate(text, "t.yaml")).toEqual({
      AWSTemplateFormatVersion: "2010-09-09",
      Quoted: "2010-09-09",
      Ref: { Ref: "Bucket" },
      Condition: { Condition: "IsProd" },
      GetAtt: { "Fn::GetAtt": ["Db", "Endpoint.Address"] },
      GetAttList: { "Fn::GetAtt": ["Db", "Arn"] },
      Sub: { "Fn::Sub": "${AWS::Region}-x" },
      SubList: { "Fn::Sub": ["${A}-x", { A: { Ref: "Y" } }] },
      Join: { "Fn::Join": [",", [{ Ref: "A" }, { "Fn::GetAtt": ["B", "Arn"] }]] },
      Select: { "Fn::Select": [0, { "Fn::GetAZs": "" }] },
      Split: { "Fn::Split": [",", { "Fn::ImportValue": "subnets" }] },
      If: { "Fn::If": ["IsProd", { Ref: "A" }, { Ref: "AWS::NoValue" }] },
      Not: { "Fn::Not": [{ "Fn::Equals": [{ Ref: "Stage" }, "prod"] }] },
      And: { "Fn::And": [{ Condition: "A" }, { "Fn::Or": [{ Condition: "B" }, { Condition: "C" }] }] },
      FindInMap: { "Fn::FindInMap": ["Regions", { Ref: "AWS::Region" }, "Ami"] },
      Base64: { "Fn::Base64": "hello" },
      Cidr: { "Fn::Cidr": ["10.0.0.0/16", 4, 8] },
      GetAZs: { "Fn::GetAZs": "" },
      Transform: { "Fn::Transform": { Name: "AWS::Include", Parameters: { Location: "s3://bucket/x.yaml" } } },
    });
  });
});

describe("YAML that CloudFormation refuses (and a duplicate key, which it accepts)", () => {
  const dir = mkdtempSync(join(tmpdir(), "alb-template-yaml-"));
  const write = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it("malformed YAML: one line naming the file, the line and the column", () => {
    const path = write("bad.yaml", "Resources:\n  Listener:\n    Type: AWS::ElasticLoadBalancingV2::Listener\n    Properties: [\n");
    expect(() => templateListener({ path, embeddedIdp: true, env: {} })).toThrow(
      new RegExp(`^--template ${path}: cannot be read as YAML at line 5, column 1: [^\\n]+$`),
    );
  });

  it("a tag CloudFormation does not have (a typo) is refused, named with its line", () => {
    const path = write("typo.yml", "Resources:\n  Rule:\n    Properties:\n      ListenerArn: !Reff Listener\n");
    expect(() => templateListener({ path, embeddedIdp: true, env: {} })).toThrow(
      `--template ${path}: cannot be read as YAML at line 4, column 20: Unresolved tag: !Reff`,
    );
  });

  it("a short-form tag directly on another is refused, as CloudFormation refuses it", () => {
    const path = write("nested.yaml", "UserData: !Base64 !Sub x\n");
    expect(() => templateListener({ path, embeddedIdp: true, env: {} })).toThrow(
      `--template ${path}: cannot be read as YAML at line 1, column 19: A node can have at most one tag`,
    );
  });

  it("a key written twice is not an error: the last one wins, as CloudFormation deploys it (and as JSON.parse reads a JSON template)", () => {
    expect(parseYamlTemplate("Resources:\n  Fn: { Type: A }\n  Fn: { Type: B }\n", "t.yaml")).toEqual({ Resources: { Fn: { Type: "B" } } });
  });

  it("the CLI prints it as one configuration error, no stack trace, and exits 1", async () => {
    const path = write("template.yaml", "Resources:\n  Listener: {Type: AWS::ElasticLoadBalancingV2::Listener\n");
    const failed = await promisify(execFile)(process.execPath, ["--import", "tsx", "src/cli.ts", "--template", path], {
      env: { ...process.env, PORT: "0", IDP_PORT: "0", KEY_PORT: "0" },
    }).then(
      () => undefined,
      (err: unknown) => err as { code: number; stderr: string },
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toMatch(
      new RegExp(`^Configuration error: --template ${path}: cannot be read as YAML at line 3, column 1: [^\\n]+\\n$`),
    );
  });
});
