// `--template` with no --handler: each target group whose target is a function of the template runs that function's own code (CDK asset, SAM CodeUri, inline ZipFile), Handler, Environment and Timeout; a function the emulator cannot run is named at start and answers 502 LambdaUnhandled.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { ALICE } from "alb-oidc-target/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { banner } from "../src/emulator/banner.js";
import { templateListener } from "../src/emulator/listener/template.js";
import { splitHandler } from "../src/emulator/listener/template-function.js";
import { emulatorOptions } from "../src/start.js";
import { Browser } from "alb-oidc-target-test-support/browser";
import { startCli } from "alb-oidc-target-test-support/emulator-cli";
import { testEmulator, type TestEmulator } from "./setup.js";

const FIXTURE = resolve(import.meta.dirname, "fixtures/template-functions/functions.template.json");
/** A SAM project after `sam build`: .aws-sam/build/template.yaml, each function's CodeUri its built directory beside it. */
const SAM_PROJECT = resolve(import.meta.dirname, "fixtures/template-functions");

interface MainAnswer {
  which: string;
  path: string;
  functionName: string;
  targetGroupArn: string;
  env: Record<string, string>;
}

function fixtureListener() {
  return templateListener({ path: FIXTURE, embeddedIdp: false, env: {} });
}

describe("a template's own functions, with no --handler", () => {
  let alb: TestEmulator;
  beforeAll(async () => {
    // The shell's variables reach the function too; the template's Environment wins over them, the emulator's own over both.
    alb = await testEmulator({ listener: fixtureListener(), functionEnv: { GREETING: "from the shell", EXTRA: "only in the shell" } });
  });
  afterAll(async () => {
    await alb.stop();
  });

  it("the default action's target group runs its function's code from its aws:asset:path directory (CommonJS index.js, Handler index.handler)", async () => {
    const res = await fetch(`${alb.url}/anything?q=1`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as MainAnswer;
    expect(body).toMatchObject({ which: "main", path: "/anything", functionName: "MainFunction" });
    expect(res.headers.get("x-alb-emulator-rule")).toBe("Listener DefaultActions");
  });

  it("its Environment: the load balancer, listener and target group resolved to the emulator's values, pseudo parameters local, a parameter's default", async () => {
    const { env, targetGroupArn } = (await (await fetch(`${alb.url}/env`)).json()) as MainAnswer;
    expect(env.LB_REF).toBe(alb.config.LoadBalancerArn);
    expect(env.LB_FULL_NAME).toBe(alb.config.LoadBalancerArn.split(":loadbalancer/")[1]);
    expect(env.LISTENER_REF).toMatch(
      /^arn:aws:elasticloadbalancing:us-east-1:123456789012:listener\/app\/my-alb\/50dc6c495c0c9188\/[0-9a-f]{16}$/,
    );
    // The target group's ARN is the one in every event's requestContext.
    expect(env.TARGET_GROUP_REF).toBe(targetGroupArn);
    expect(env).toMatchObject({
      REGION: "us-east-1",
      ACCOUNT: "account 123456789012 in aws",
      PARTITION: "aws",
      STACK: "local",
      PARAM: "test",
    });
  });

  it("a variable that cannot be resolved (a Ref to a table) is left out and named at start", async () => {
    const { env } = (await (await fetch(`${alb.url}/env`)).json()) as MainAnswer;
    expect(env).not.toHaveProperty("TABLE");
    expect(alb.listener.notes).toContain(
      'MainFunction: Environment TABLE is {"Ref": "Table"} (an AWS::DynamoDB::Table), which cannot be resolved locally: the function runs without it',
    );
  });

  it("the template's variables win over the shell's, the emulator's own (LOAD_BALANCER_ARN, ISSUER) over the template's", async () => {
    const { env } = (await (await fetch(`${alb.url}/env`)).json()) as MainAnswer;
    expect(env.GREETING).toBe("hello from the template");
    expect(env.EXTRA).toBe("only in the shell");
    expect(env.LOAD_BALANCER_ARN).toBe(alb.config.LoadBalancerArn);
    expect(env.LOAD_BALANCER_ARN).not.toContain("deployed");
    expect(env.ISSUER).toBe(alb.config.Issuer);
  });

  it("two target groups, two functions: a nested Handler (lib/handlers/api.handlers.main) finds api.mjs and the nested export, through an alias", async () => {
    const other = await fetch(`${alb.url}/other/x`);
    expect(other.status).toBe(200);
    expect(await other.text()).toBe("other /other/x");
    expect(other.headers.get("x-alb-emulator-rule")).toBe("OtherRule");
    const main = (await (await fetch(`${alb.url}/main`)).json()) as MainAnswer;
    expect(main.which).toBe("main");
  });

  it("the function's Timeout: a function still running after its 1 s is the ALB's 502", async () => {
    const res = await fetch(`${alb.url}/slow`);
    expect(res.status).toBe(502);
    expect(res.headers.get("x-alb-emulator-error")).toBe("LambdaUnhandled");
    expect(await res.text()).toContain("Task timed out after 1.00 seconds");
  });

  it("inline Code.ZipFile runs as index.js", async () => {
    const res = await fetch(`${alb.url}/inline/a`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("inline /inline/a");
  });

  it("a SAM function: CodeUri, its Handler, Globals.Function's Runtime", async () => {
    const res = await fetch(`${alb.url}/sam`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("sam from SAM");
  });

  it("functions it cannot run (a container image, Python, a missing asset directory) are named at start, and their requests get the ALB's 502 LambdaUnhandled", async () => {
    const printed = banner(alb, "template");
    expect(printed).toContain("ImageTargetGroup -> Lambda (ImageFunction: cannot run here: a container image (PackageType Image)");
    expect(printed).toContain(
      "PythonTargetGroup -> Lambda (PythonFunction: cannot run here: Runtime python3.12: the emulator runs nodejs* functions only",
    );
    expect(printed).toMatch(
      /GoneTargetGroup -> Lambda \(GoneFunction: cannot run here: its code directory \S+asset\.gone \(aws:asset:path\) does not exist/,
    );
    for (const path of ["/image", "/python", "/gone"]) {
      const res = await fetch(`${alb.url}${path}`);
      expect(res.status, path).toBe(502);
      expect(res.headers.get("x-alb-emulator-error"), path).toBe("LambdaUnhandled");
    }
    // The functions that can run still answer.
    expect((await fetch(`${alb.url}/inline/b`)).status).toBe(200);
  });

  it("layers are named: the function runs without them", () => {
    expect(alb.listener.notes).toContain("OtherFunction: Layers are not emulated (the function runs without them; /opt is not there)");
  });
});

describe("with --embedded-idp", () => {
  it("the embedded provider's machine tokens are for the emulator's URL: the template's M2M_AUDIENCE gives way to it", async () => {
    // The fixture with a jwt-validation rule on /api/*, its asset directory named by an absolute path from a copy elsewhere.
    const template = JSON.parse(readFileSync(FIXTURE, "utf8")) as { Resources: Record<string, unknown> };
    const main = template.Resources.MainFunction as {
      Properties: { Environment: { Variables: Record<string, unknown> } };
      Metadata: Record<string, string>;
    };
    main.Metadata["aws:asset:path"] = resolve(dirname(FIXTURE), "asset.main");
    main.Properties.Environment.Variables.M2M_AUDIENCE = "https://api.example.com";
    template.Resources.MachineRule = {
      Type: "AWS::ElasticLoadBalancingV2::ListenerRule",
      Properties: {
        ListenerArn: { Ref: "Listener" },
        Priority: 100,
        Conditions: [{ Field: "path-pattern", PathPatternConfig: { Values: ["/api/*"] } }],
        Actions: [
          {
            Type: "jwt-validation",
            Order: 1,
            JwtValidationConfig: { Issuer: "https://auth.example.com", JwksEndpoint: "https://auth.example.com/jwks" },
          },
          { Type: "forward", Order: 2, TargetGroupArn: { Ref: "MainTargetGroup" } },
        ],
      },
    };
    const path = join(mkdtempSync(join(tmpdir(), "alb-template-function-")), "machine.template.json");
    writeFileSync(path, JSON.stringify(template));
    const alb = await testEmulator({ listener: templateListener({ path, embeddedIdp: true, env: {} }) });
    try {
      const { env } = (await (await fetch(`${alb.url}/env`)).json()) as MainAnswer;
      expect(env.M2M_AUDIENCE).toBe(`${alb.url}/`);
      expect((await fetch(`${alb.url}/api/orders`)).status).toBe(401);
    } finally {
      await alb.stop();
    }
  });
});

describe("flags given explicitly", () => {
  it("--timeout wins over the template's Timeout", async () => {
    expect(emulatorOptions(["--template", FIXTURE, "--timeout", "3"], {}).options.target).toEqual({ kind: "template", timeoutS: 3 });
    const alb = await testEmulator({ listener: fixtureListener(), target: { kind: "template", timeoutS: 3 } });
    try {
      const res = await fetch(`${alb.url}/slow`);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe("slow, but done");
    } finally {
      await alb.stop();
    }
  });

  it("--handler wins over every function of the template", async () => {
    const alb = await testEmulator({ listener: fixtureListener(), target: { kind: "handler", handler: "test/fixtures/ok-handler.mjs" } });
    try {
      for (const path of ["/", "/other/x", "/image"]) {
        const res = await fetch(`${alb.url}${path}`);
        expect(res.status, path).toBe(200);
        expect(await res.text(), path).toBe("ok");
      }
      expect(alb.targets.size).toBe(0);
    } finally {
      await alb.stop();
    }
  });
});

describe("the CLI: alb-oidc-target-emulator --template <file>", () => {
  it("runs the template's functions with no other flag", async () => {
    const cli = await startCli(["--template", FIXTURE]);
    try {
      const printed = cli.banner;
      expect(printed).toContain("  Targets (the template's own functions, by target group):\n");
      expect(cli.url).toMatch(/^http:\/\/localhost:\d+$/);
      const res = await fetch(`${cli.url}/other/y`);
      expect(await res.text()).toBe("other /other/y");
    } finally {
      await cli.stop();
    }
  });
});

describe("after sam build: alb-oidc-target-emulator --template .aws-sam/build/template.yaml --embedded-idp", () => {
  it("alice logs in through the template's authenticate-oidc and the function's own answer comes back, its Environment resolved", async () => {
    const cli = await startCli(["--template", ".aws-sam/build/template.yaml", "--embedded-idp"], { cwd: SAM_PROJECT });
    try {
      expect(cli.banner).toContain("  Targets (the template's own functions, by target group):\n");
      expect(cli.banner).toMatch(/AppTargetGroup -> Lambda \(AppFunction\b/);
      // The variable that names a table cannot be resolved here: named at start, left out.
      expect(cli.banner).toContain(
        'AppFunction: Environment TABLE is {"Ref": "Table"} (an AWS::Serverless::SimpleTable), which cannot be resolved locally',
      );
      const browser = new Browser();
      const { loginPage, final } = await browser.login(`${cli.url}/orders?id=7`, "alice");
      expect(loginPage.hops[0]?.status).toBe(302);
      expect(final.res.status).toBe(200);
      expect(final.res.headers.get("x-alb-emulator-rule")).toBe("Listener DefaultActions");
      const body = JSON.parse(final.body) as { which: string; path: string; identity: string; env: Record<string, string> };
      expect(body).toMatchObject({ which: "sam-built", path: "/orders", identity: ALICE.sub });
      expect(body.identity).toBe("alice");
      // !Sub "${Stage}-session" in the listener's SessionCookieName.
      expect((await browser.jar.getCookies(cli.url)).map((c) => c.key)).toEqual(["test-session-0"]);
      const { LB_ARN, LISTENER_ARN, ...rest } = body.env;
      expect(LB_ARN).toMatch(/^arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer\/app\/[^/]+\/[0-9a-f]+$/);
      expect(LISTENER_ARN).toMatch(new RegExp(`^${(LB_ARN ?? "").replace(":loadbalancer/", ":listener/")}/[0-9a-f]{16}$`));
      expect(rest).toEqual({
        STAGE: "test",
        PUBLIC_URL: "https://localhost/test",
        JOINED: "test-us-east-1",
        FROM_GLOBALS: "local in us-east-1",
      });
    } finally {
      await cli.stop();
    }
  });
});

describe("a Handler as the Lambda Node.js runtime reads it", () => {
  it("the module up to the first dot after the last slash, then the export path", () => {
    expect(splitHandler("index.handler")).toEqual({ module: "index", exportPath: "handler" });
    expect(splitHandler("lib/handlers/api.handlers.main")).toEqual({ module: "lib/handlers/api", exportPath: "handlers.main" });
    expect(splitHandler("src/v1.2/app.handler")).toEqual({ module: "src/v1.2/app", exportPath: "handler" });
    expect(splitHandler("index")).toBeUndefined();
    expect(splitHandler("index.")).toBeUndefined();
  });
});
