// `alb-oidc-target-emulator invoke`: sample events by name from the package (whatever the working directory), a JSON file by path, an event built from flags; a mistake is one line on stderr naming it, exit 2.
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import type { ALBResult } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { DEFAULT_ALB_ARN, DEFAULT_CLIENT_ID, DEFAULT_ISSUER } from "alb-oidc-target/testing";
import { eventFromFlags, readEvent, sampleEventNames } from "../src/invoke-event.js";
import { REPOSITORY_ROOT } from "./setup.js";

const execFileAsync = promisify(execFile);
const CLI = resolve(import.meta.dirname, "../src/cli.ts");
/** tsx by file URL: the command runs in other directories, where `--import tsx` would not resolve. */
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
const EVENTS = resolve(import.meta.dirname, "../events");

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The bin from source, in `cwd` (a directory with no events/ of its own by default). */
async function invoke(args: string[], cwd = tmpdir(), env: Record<string, string> = {}): Promise<Run> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, ["--import", TSX, CLI, "invoke", ...args], {
      cwd,
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function resultOf(run: Run): ALBResult & { json: Record<string, unknown> } {
  expect(run.code, run.stderr).toBe(0);
  const result = JSON.parse(run.stdout) as ALBResult;
  return { ...result, json: JSON.parse(result.body ?? "{}") as Record<string, unknown> };
}

/** A usage mistake: exit 2, nothing on stdout, exactly one line on stderr, no stack trace. */
function oneLine(run: Run): string {
  expect(run.code).toBe(2);
  expect(run.stdout).toBe("");
  expect(run.stderr.endsWith("\n")).toBe(true);
  expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  return run.stderr.trimEnd();
}

describe("sample events by name", () => {
  it("every event file of the package is a name, and only those", () => {
    const files = readdirSync(EVENTS).filter((f) => f.endsWith(".json"));
    expect(sampleEventNames()).toEqual(files.map((f) => f.replace(/\.json$/, "")).sort());
    expect(sampleEventNames()).toEqual(expect.arrayContaining(["whoami", "expired", "machine-orders"]) as unknown);
    expect(readEvent("machine-orders").mintMachine).toEqual({ scope: "orders:read orders:write", clientId: "orders-service" });
  });

  it("`invoke whoami` from a directory without events/: the package's sample, a fresh token, 200 for alice", async () => {
    const res = resultOf(await invoke(["whoami"]));
    expect(res.statusCode).toBe(200);
    expect(res.json).toMatchObject({ message: "Token is valid", identity: "alice" });
  });

  it("`invoke expired`: 401 expired", async () => {
    const res = resultOf(await invoke(["expired"]));
    expect([res.statusCode, res.json.error]).toEqual([401, "expired"]);
  });

  it("--help lists every sample event by name with what it shows", async () => {
    const run = await invoke(["--help"]);
    expect(run.code).toBe(0);
    for (const name of sampleEventNames()) expect(run.stdout).toMatch(new RegExp(`^  ${name} +\\S`, "m"));
    expect(run.stdout).toContain("  machine-orders             A service calling /api/orders");
    for (const flag of ["--path", "--method", "--query", "--header", "--body", "--multi-value", "--user", "--machine", "--scope"])
      expect(run.stdout).toContain(`  ${flag} `);
  });

  it("an unknown name is one line naming it and listing the sample events", async () => {
    const line = oneLine(await invoke(["whoamii"]));
    expect(line).toBe(
      `invoke: unknown sample event "whoamii" (sample events: ${sampleEventNames().join(", ")}; or give a path to a JSON file) (alb-oidc-target-emulator invoke --help)`,
    );
  });
});

describe("an event file by path", () => {
  it("a path still works (relative to the working directory)", async () => {
    const res = resultOf(await invoke(["events/machine-orders.json"], resolve(import.meta.dirname, "..")));
    expect(res.statusCode).toBe(200);
    expect(res.json.principal).toMatchObject({ type: "machine", clientId: "orders-service" });
  });

  it("a missing file is one line naming it", async () => {
    expect(oneLine(await invoke(["captured/nope.json"]))).toBe(
      "invoke: event file not found: captured/nope.json (alb-oidc-target-emulator invoke --help)",
    );
  });

  it("a missing file named like a sample says which name to use", async () => {
    expect(oneLine(await invoke(["whoami.json"]))).toBe(
      "invoke: event file not found: whoami.json (the sample event of that name is `invoke whoami`) (alb-oidc-target-emulator invoke --help)",
    );
  });

  it("a file that is not JSON is one line naming it", async () => {
    const line = oneLine(await invoke(["test/fixtures/plain-handler.mjs"], resolve(import.meta.dirname, "..")));
    expect(line).toMatch(/^invoke: event file test\/fixtures\/plain-handler\.mjs is not valid JSON \(/);
  });

  it("a missing --handler file is one line too, before anything runs", async () => {
    expect(oneLine(await invoke(["whoami", "--handler", "nope.mjs"]))).toMatch(/^invoke: --handler file does not exist: "nope\.mjs"/);
  });
});

describe("an event built from flags", () => {
  it("--path --method --query --header --body --multi-value --user: the request as the ALB forwards it, for that user", () => {
    const sample = eventFromFlags(
      {
        path: "/notes",
        method: "post",
        query: ["q=a b", "tag=x", "tag=y"],
        header: ["Content-Type: application/json", "X-Trace: 1:2"],
        body: '{"title":"t"}',
        "multi-value": true,
        user: "bob",
      },
      {},
    );
    expect(sample).toMatchObject({
      httpMethod: "POST",
      path: "/notes",
      body: '{"title":"t"}',
      isBase64Encoded: false,
      multiValueQueryStringParameters: { q: ["a%20b"], tag: ["x", "y"] },
      multiValueHeaders: { "content-type": ["application/json"], "x-trace": ["1:2"] },
      mint: { claims: { sub: "bob", email: "bob@example.org", email_verified: true } },
    });
    expect(sample.mintMachine).toBeUndefined();
    expect(sample.headers).toBeUndefined();
  });

  it("--machine goes to the first machine route unless --path says otherwise; --scope and --client-id go into the token", () => {
    expect(eventFromFlags({ machine: true, scope: "orders:read" }, {})).toMatchObject({
      path: "/api/",
      mintMachine: { scope: "orders:read" },
    });
    expect(eventFromFlags({ machine: true, "client-id": "billing" }, { M2M_PATH_PREFIXES: "/internal/,/api/" })).toMatchObject({
      path: "/internal/",
      mintMachine: { clientId: "billing" },
    });
    expect(eventFromFlags({ user: "alice" }, {})).toMatchObject({ path: "/", httpMethod: "GET" });
    expect(eventFromFlags({ path: "/health" }, {}).mint).toBeUndefined();
  });

  it.each([
    [{ user: "alice", machine: true }, "--user and --machine: a request comes through authenticate-oidc or jwt-validation, not both"],
    [{ scope: "orders:read" }, "--scope needs --machine"],
    [{ "client-id": "x" }, "--client-id needs --machine"],
    [{ "expires-in": "-5" }, "--expires-in needs --user or --machine (the token it mints)"],
    [{ user: "alice", "expires-in": "soon" }, '--expires-in must be whole seconds (negative: already expired), got "soon"'],
    [{ user: "<script>" }, '--user must be a login name (letters, digits, . _ @ + -), got "<script>"'],
    [{ header: ["no-colon"] }, '--header must look like "name: value", got "no-colon"'],
    [{ query: ["=x"] }, '--query must look like name=value, got "=x"'],
  ])("%j is refused: %s", (flags, message) => {
    expect(() => eventFromFlags(flags, {})).toThrow(message);
  });

  it("`invoke --path /whoami --user alice --multi-value`: 200 for alice, multi-value headers out", async () => {
    const res = resultOf(await invoke(["--path", "/whoami", "--user", "alice", "--multi-value"]));
    expect(res.statusCode).toBe(200);
    expect(res.json.identity).toBe("alice");
    expect(res.multiValueHeaders?.["content-type"]).toEqual(["application/json"]);
  });

  it("`invoke --user alice --expires-in -120`: 401 expired (the token was minted expired)", async () => {
    const res = resultOf(await invoke(["--user", "alice", "--expires-in=-120"]));
    expect([res.statusCode, res.json.error]).toEqual([401, "expired"]);
  });

  it("`invoke --machine --scope orders:read`: a machine request on /api/, 200 with the token's scope", async () => {
    const res = resultOf(await invoke(["--machine", "--scope", "orders:read"]));
    expect(res.statusCode).toBe(200);
    expect(res.json.principal).toMatchObject({ type: "machine", clientId: "orders-service", scopes: ["orders:read"] });
  });

  it("no user and no machine: the request did not pass authenticate-oidc, 401 missing_token", async () => {
    const res = resultOf(await invoke(["--path", "/whoami"]));
    expect([res.statusCode, res.json.error]).toEqual([401, "missing_token"]);
  });

  it("an event and flags together, or nothing at all, is one line", async () => {
    expect(oneLine(await invoke(["whoami", "--user", "bob"]))).toBe(
      "invoke: give an event (whoami) or build one with flags (--user), not both (alb-oidc-target-emulator invoke --help)",
    );
    expect(oneLine(await invoke([]))).toMatch(/^invoke: no event: name one \(expired, /);
    expect(oneLine(await invoke(["--bogus"]))).toBe("invoke: Unknown option '--bogus' (alb-oidc-target-emulator invoke --help)");
  });
});

describe("--handler", () => {
  it("stdout carries the ALB result alone: the module's console.log and stdout writes go to stderr", async () => {
    const run = await invoke(["--path", "/x", "--handler", "test/fixtures/logging-handler.mjs"], resolve(import.meta.dirname, ".."));
    expect(JSON.parse(run.stdout)).toEqual({ statusCode: 200, headers: { "content-type": "text/plain" }, body: "saw /x" });
    expect(run.stderr).toContain("cold start of logging-handler\n");
    expect(run.stderr).toContain('{"level":"INFO","message":"request","path":"/x"}\n');
    expect(run.stderr).toContain("a raw write\n");
  });
});

describe("--as-is", () => {
  it("runs the event as given against your environment: no token minted, so a sample without one is a 401 (its mint block is not part of the event)", async () => {
    const env = {
      LOAD_BALANCER_ARN: DEFAULT_ALB_ARN,
      ISSUER: DEFAULT_ISSUER,
      CLIENT_ID: DEFAULT_CLIENT_ID,
      ALB_PUBLIC_KEY_ENDPOINT: "http://127.0.0.1:9",
    };
    const res = resultOf(await invoke(["whoami", "--as-is"], tmpdir(), env));
    expect([res.statusCode, res.json.error]).toEqual([401, "missing_token"]);
  });

  it("without that environment, the function's configuration error is one line naming the variable, exit 1", async () => {
    const run = await invoke(["whoami", "--as-is"], tmpdir(), { LOAD_BALANCER_ARN: "" });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^invoke: the function's configuration: LOAD_BALANCER_ARN is required: .*\n$/);
  });
});

describe("from the repository root", () => {
  it("`npm run invoke -- whoami` runs the package's sample", async () => {
    const { stdout } = await execFileAsync("npm", ["run", "-s", "invoke", "--", "whoami"], { cwd: REPOSITORY_ROOT });
    const result = JSON.parse(stdout) as ALBResult;
    expect(result.statusCode).toBe(200);
    expect((JSON.parse(result.body ?? "{}") as { identity?: string }).identity).toBe("alice");
  });
});
