// The emulator in front of a user's Lambda handler module (--handler): .ts outside src/, plain .mjs and callback-style .cjs; the environment set before load; load, throw and malformed-result failures are 502s with the cause on the console.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_USERS } from "../src/oidc/users.js";
import { Browser } from "alb-oidc-target-test-support/browser";
import { startCli } from "alb-oidc-target-test-support/emulator-cli";
import { testEmulator, type TestEmulator } from "./setup.js";

const FIXTURES = "test/fixtures";

describe("a TypeScript handler module outside src/ (the function a user builds)", () => {
  let alb: TestEmulator;
  beforeAll(async () => {
    alb = await testEmulator({ target: { kind: "handler", handler: `${FIXTURES}/my-handler.ts` } });
  });
  afterAll(async () => {
    await alb.stop();
  });

  it("logs alice in and the module, configured at module scope from the emulator's environment, verifies her claims", async () => {
    const { final } = await new Browser().login(`${alb.url}/whoami`, "alice");
    expect(final.url).toBe(`${alb.url}/whoami`);
    expect(final.res.status).toBe(200);
    const body = JSON.parse(final.body) as { message: string; identity: string; claims: Record<string, unknown> };
    expect(body.message).toBe("Token is valid");
    expect(body.identity).toBe("alice");
    expect(body.claims).toMatchObject({ ...DEMO_USERS.alice, iss: alb.config.Issuer });
    expect(alb.app).toBeUndefined();
    expect(alb.target.description).toMatch(/my-handler\.ts#handler\)$/);
  });
});

describe("a plain .mjs handler", () => {
  let alb: TestEmulator;
  beforeAll(async () => {
    alb = await testEmulator({
      target: { kind: "handler", handler: `${FIXTURES}/plain-handler.mjs` },
      file: { JwtValidation: { PathPrefixes: ["/api/"] } },
      functionEnv: { MY_OWN_SETTING: "kept" },
    });
  });
  afterAll(async () => {
    await alb.stop();
  });

  it("saw LOAD_BALANCER_ARN, ISSUER, CLIENT_ID, ALB_PUBLIC_KEY_ENDPOINT, the M2M_* of the rule and the user's own variables at module scope", async () => {
    const { final } = await new Browser().login(`${alb.url}/`, "bob");
    expect(final.res.status).toBe(200);
    const body = JSON.parse(final.body) as { seen: Record<string, string>; identity: string };
    expect(body.identity).toBe("bob");
    expect(body.seen).toEqual({
      LOAD_BALANCER_ARN: alb.config.LoadBalancerArn,
      ISSUER: alb.config.Issuer,
      CLIENT_ID: alb.config.ClientId,
      ALB_PUBLIC_KEY_ENDPOINT: alb.keyServer.url,
      M2M_PATH_PREFIXES: "/api/",
      M2M_ISSUER: alb.idp?.issuer,
      M2M_JWKS_URI: alb.idp?.jwksUri,
      M2M_AUDIENCE: `${alb.url}/`,
      MY_OWN_SETTING: "kept",
    });
  });

  it("a handler that throws is a 502 (LambdaUnhandled), the error printed on the console", async () => {
    const browser = new Browser();
    await browser.login(`${alb.url}/`, "bob");
    const res = await browser.fetch(`${alb.url}/throw`);
    expect(res.status).toBe(502);
    expect(res.headers.get("x-alb-emulator-error")).toBe("LambdaUnhandled");
    expect(alb.logs.join("")).toContain("the handler threw on purpose");
  });

  it("a malformed result is a 502 (LambdaInvalidResponse) saying what is wrong", async () => {
    const browser = new Browser();
    await browser.login(`${alb.url}/`, "bob");
    const res = await browser.fetch(`${alb.url}/malformed`);
    expect(res.status).toBe(502);
    expect(res.headers.get("x-alb-emulator-error")).toBe("LambdaInvalidResponse");
    expect(await res.text()).toContain("statusCode is a string, not an integer");
  });
});

describe("a callback-style CommonJS handler", () => {
  it("is called with a context and its callback result becomes the response", async () => {
    const alb = await testEmulator({
      target: { kind: "handler", handler: `${FIXTURES}/callback-handler.cjs#handler` },
      file: { OnUnauthenticatedRequest: "allow" },
    });
    try {
      const res = await fetch(`${alb.url}/cjs`, { method: "DELETE" });
      expect(res.status).toBe(201);
      expect(await res.text()).toBe("cjs DELETE /cjs function");
    } finally {
      await alb.stop();
    }
  });
});

describe("a handler module that cannot be used", () => {
  it("failing to load: the emulator starts, prints the cause, and answers every request with 502 LambdaUnhandled (Lambda reports a failed init as an unhandled error)", async () => {
    const alb = await testEmulator({
      target: { kind: "handler", handler: `${FIXTURES}/broken-handler.mjs` },
      file: { OnUnauthenticatedRequest: "allow" },
    });
    try {
      expect(alb.logs.join("")).toContain("cannot start: DATABASE_URL is not set (broken on purpose)");
      const res = await fetch(`${alb.url}/`);
      expect(res.status).toBe(502);
      expect(res.headers.get("x-alb-emulator-error")).toBe("LambdaUnhandled");
    } finally {
      await alb.stop();
    }
  });

  it("an export that is not there: 502, naming the exports the module has", async () => {
    const alb = await testEmulator({
      target: { kind: "handler", handler: `${FIXTURES}/my-handler.ts#nope` },
      file: { OnUnauthenticatedRequest: "allow" },
    });
    try {
      expect((await fetch(`${alb.url}/`)).status).toBe(502);
      expect(alb.logs.join("")).toMatch(/has no function export \\"nope\\" \(exports: [^)]*handler/);
    } finally {
      await alb.stop();
    }
  });

  it("a file that does not exist or has another extension is a configuration error at start, quoting the value", async () => {
    await expect(testEmulator({ target: { kind: "handler", handler: "nowhere/index.js" } })).rejects.toThrow(
      '--handler file does not exist: "nowhere/index.js"',
    );
    await expect(testEmulator({ target: { kind: "handler", handler: "README.md" } })).rejects.toThrow(
      '--handler must be a .js, .mjs, .cjs or .ts file, got "README.md"',
    );
  });
});

describe("alb-oidc-target-emulator --handler, as a process", () => {
  it("loads a .ts module through tsx, prints the banner with the key endpoint, and the login flow ends at the module's answer", async () => {
    const cli = await startCli(["--handler", `${FIXTURES}/my-handler.ts`]);
    try {
      const { banner: text, url } = cli;
      expect(text).toMatch(/export ALB_PUBLIC_KEY_ENDPOINT='http:\/\/127\.0\.0\.1:\d+'\n/);
      expect(text).toContain("my-handler.ts#handler)");
      const { final } = await new Browser().login(`${url}/whoami`, "alice");
      expect(final.res.status).toBe(200);
      expect((JSON.parse(final.body) as { identity: string }).identity).toBe("alice");
    } finally {
      expect(await cli.stop()).toBe(0);
    }
  });
});
