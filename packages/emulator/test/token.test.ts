// `npm run token`: the client-credentials token from the running emulator's embedded provider, in-process and as the command.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { banner } from "../src/emulator/banner.js";
import { DEMO_MACHINE_CLIENT } from "../src/oidc/machine-client.js";
import { defaultIssuer, fetchMachineToken, TokenError } from "../src/token.js";
import { Browser } from "alb-oidc-target-test-support/browser";
import { testEmulator, type TestEmulator } from "./setup.js";

let alb: TestEmulator;
let issuer: string;

beforeAll(async () => {
  alb = await testEmulator({ file: { JwtValidation: { PathPrefixes: ["/api/"] } } });
  issuer = alb.idp?.issuer ?? "";
});
afterAll(async () => {
  await alb.stop();
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** Runs `tsx src/token.ts` as `npm run token` does. */
function runTokenCommand(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/token.ts", ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("fetchMachineToken (the command's core)", () => {
  it("gets a token from the embedded provider that the emulator's jwt-validation rule and the function accept", async () => {
    const token = await fetchMachineToken({ issuer, scope: "orders:read" });
    const res = await new Browser().fetch(`${alb.url}/api/orders`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { principal: unknown }).principal).toEqual({
      type: "machine",
      sub: DEMO_MACHINE_CLIENT.clientId,
      clientId: DEMO_MACHINE_CLIENT.clientId,
      scopes: ["orders:read"],
    });
  });

  it("fails with a hint to start the emulator when nothing listens at the issuer", async () => {
    const port = await closedPort();
    const err = await fetchMachineToken({ issuer: `http://127.0.0.1:${port}`, scope: "orders:read" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TokenError);
    expect((err as Error).message).toBe(
      `cannot reach the OIDC provider at http://127.0.0.1:${port}: start the emulator with \`npm start\` first (or pass --issuer)`,
    );
  });

  it("reports a refused client without echoing the secret", async () => {
    const secret = "not-the-demo-secret-4b1d";
    const err = await fetchMachineToken({ issuer, scope: "orders:read", clientSecret: secret }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TokenError);
    expect((err as Error).message).toMatch(
      /^the provider refused the client-credentials request for client "demo-service" \(invalid_client/,
    );
    expect((err as Error).message).not.toContain(secret);
  });

  it("is refused for a resource other than the emulator's API", async () => {
    const err = await fetchMachineToken({ issuer, scope: "orders:read", resource: "https://elsewhere.example.com/" }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TokenError);
    expect((err as Error).message).toContain("invalid_target");
  });
});

describe("defaultIssuer", () => {
  it.each<[NodeJS.ProcessEnv, string]>([
    [{}, "http://127.0.0.1:3001"],
    [{ PORT: "4000" }, "http://127.0.0.1:4001"],
    [{ PORT: "4000", IDP_PORT: "5000" }, "http://127.0.0.1:5000"],
  ])("follows npm start's ports: %j -> %s", (env, expected) => {
    expect(defaultIssuer(env)).toBe(expected);
  });

  it("refuses a port that is not one", () => {
    expect(() => defaultIssuer({ IDP_PORT: "http" })).toThrow(TokenError);
  });
});

describe("the command (npm run token)", () => {
  it("prints only the access token on stdout, ready for curl", async () => {
    const { code, stdout, stderr } = await runTokenCommand(["--scope", "orders:read orders:write"], { IDP_PORT: String(alb.idp?.port) });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\n$/);
    const res = await new Browser().fetch(`${alb.url}/api/orders`, { headers: { authorization: `Bearer ${stdout.trim()}` } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { principal: { scopes: string[] } }).principal.scopes).toEqual(["orders:read", "orders:write"]);
  });

  it("exits non-zero with a one-line hint on stderr and nothing on stdout when the emulator is not running", async () => {
    const port = await closedPort();
    const { code, stdout, stderr } = await runTokenCommand(["--scope", "orders:read", "--issuer", `http://127.0.0.1:${port}`]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toBe(
      `npm run token: cannot reach the OIDC provider at http://127.0.0.1:${port}: start the emulator with \`npm start\` first (or pass --issuer)\n`,
    );
  });
});

describe("the start-up banner", () => {
  it("shows the machine routes and a curl line that finds this provider, never the client secret in full", () => {
    const text = banner(alb, "test");
    expect(text).toContain(`Machine routes (jwt-validation, RS256 bearer tokens): ${alb.url}/api/`);
    expect(text).toContain(
      `curl -H "Authorization: Bearer $(IDP_PORT=${String(alb.idp?.port)} npm run -s token -- --scope 'orders:read')" ${alb.url}/api/orders`,
    );
    expect(text).not.toContain(DEMO_MACHINE_CLIENT.clientSecret);
  });
});
