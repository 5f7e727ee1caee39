// The function's result, checked as the ALB checks it: each shape a handler module can return, over HTTP, answered as the ALB would (the result or a 502 naming its access-log error_reason, with the cause on the console).
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { escapeHtml } from "../src/oidc/pages.js";
import { testEmulator, type TestEmulator } from "./setup.js";

const SHAPES = "test/fixtures/response-shapes.mjs";

/** The emulator's console lines (JSON) whose detail mentions `detail`. */
function consoleLines(alb: TestEmulator, detail: string): Record<string, unknown>[] {
  return alb.logs
    .join("")
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => typeof l.detail === "string" && l.detail.includes(detail));
}

/** Asserts a 502 with `reason`, the function called, and a console line with the reason and `detail`. */
async function expectRefused(alb: TestEmulator, shape: string, reason: string, detail: string): Promise<void> {
  const before = alb.events.length;
  const res = await fetch(`${alb.url}/${shape}`);
  const page = await res.text();
  expect(res.status).toBe(502);
  expect(res.headers.get("x-alb-emulator-error")).toBe(reason);
  expect(page).toContain(escapeHtml(detail));
  // The function ran: it is its result that was refused.
  expect(alb.events.length).toBe(before + 1);
  const line = consoleLines(alb, detail).at(-1);
  expect(line).toMatchObject({ level: "error", reason });
  expect(String(line?.detail)).toContain(detail);
}

describe("Lambda target results (single-value headers, the default)", () => {
  let alb: TestEmulator;
  beforeAll(async () => {
    alb = await testEmulator({ target: { kind: "handler", handler: SHAPES }, file: { OnUnauthenticatedRequest: "allow" } });
  });
  afterAll(async () => {
    await alb.stop();
  });

  it("a valid result with string header values is answered as it is", async () => {
    const res = await fetch(`${alb.url}/valid`);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-flag")).toBe("true");
    expect(res.headers.get("x-count")).toBe("5");
    expect(await res.text()).toBe("ok");
  });

  it("a result without body is an empty 200 body; statusCode alone is enough", async () => {
    for (const shape of ["no-body", "status-only"]) {
      const res = await fetch(`${alb.url}/${shape}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-length")).toBe("0");
      expect(await res.text()).toBe("");
    }
  });

  it("multiValueHeaders: null next to headers (what aws-lambda-go's struct writes) is accepted in single-value mode", async () => {
    const res = await fetch(`${alb.url}/go-style-null-multi-value`);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-shape")).toBe("go");
    expect(await res.text()).toBe("go");
  });

  it("the result's Content-Length, Transfer-Encoding and Connection are not honoured: the emulator computes the length, as the ALB", async () => {
    const res = await fetch(`${alb.url}/own-headers`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-length")).toBe("4");
    expect(res.headers.get("transfer-encoding")).toBeNull();
    expect(res.headers.get("x-kept")).toBe("yes");
    expect(await res.text()).toBe("four");
  });

  it("a result whose JSON is exactly 1 MiB is answered", async () => {
    const res = await fetch(`${alb.url}/json-exactly-1mib`);
    expect(res.status).toBe(200);
    expect((await res.arrayBuffer()).byteLength).toBe(1024 * 1024 - Buffer.byteLength(JSON.stringify({ statusCode: 200, body: "" })));
  });

  it("a result whose JSON is 1 byte over 1 MiB (its body alone under) is a 502 LambdaResponseTooLarge", async () => {
    await expectRefused(
      alb,
      "json-over-1mib",
      "LambdaResponseTooLarge",
      "the result's JSON is 1048577 bytes, over the 1 MB (1048576 bytes) limit",
    );
  });

  it("a header value that is a boolean, a number or an object is a 502 LambdaInvalidResponse naming the header", async () => {
    await expectRefused(
      alb,
      "header-boolean",
      "LambdaInvalidResponse",
      "headers.access-control-allow-credentials is a boolean, not a string",
    );
    await expectRefused(alb, "header-number", "LambdaInvalidResponse", "headers.x-count is a number, not a string");
    await expectRefused(alb, "header-object", "LambdaInvalidResponse", "headers.x-obj is an object, not a string");
  });

  it("headers: null, body: null, statusDescription: null are 502 LambdaInvalidResponse", async () => {
    await expectRefused(alb, "headers-null", "LambdaInvalidResponse", "headers is null, not an object");
    await expectRefused(alb, "body-null", "LambdaInvalidResponse", "body is null, not a string");
    await expectRefused(alb, "status-description-null", "LambdaInvalidResponse", "statusDescription is null, not a string");
    await expectRefused(alb, "body-number", "LambdaInvalidResponse", "body is a number, not a string");
  });

  it("statusCode missing, a string or not an integer is a 502 LambdaInvalidResponse", async () => {
    await expectRefused(alb, "status-missing", "LambdaInvalidResponse", "statusCode is missing");
    await expectRefused(alb, "status-string", "LambdaInvalidResponse", "statusCode is a string, not an integer");
    await expectRefused(alb, "status-fraction", "LambdaInvalidResponse", "statusCode 200.5 is not an integer");
  });

  it("a result that is not an object (a string, or undefined, which Lambda returns as null) is a 502 LambdaInvalidResponse", async () => {
    await expectRefused(alb, "not-an-object", "LambdaInvalidResponse", "the result is a string, not an object");
    await expectRefused(alb, "undefined", "LambdaInvalidResponse", "the result is null, not an object");
  });

  it("a header name or value HTTP cannot carry is a 502 LambdaInvalidResponse, never a header injected into the answer", async () => {
    await expectRefused(alb, "header-name-space", "LambdaInvalidResponse", 'headers: "bad name" is not a valid header name');
    const res = await fetch(`${alb.url}/header-value-newline`);
    expect(res.status).toBe(502);
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(await res.text()).toContain("headers.x-split holds a character a header value cannot carry");
  });

  it("a result Lambda cannot serialize (a BigInt) fails the invocation: 502 LambdaUnhandled", async () => {
    await expectRefused(alb, "bigint", "LambdaUnhandled", "the result cannot be serialized to JSON");
  });
});

describe("Lambda target results in multi-value headers mode", () => {
  let alb: TestEmulator;
  beforeAll(async () => {
    alb = await testEmulator({
      target: { kind: "handler", handler: SHAPES },
      file: { OnUnauthenticatedRequest: "allow", MultiValueHeaders: true },
    });
  });
  afterAll(async () => {
    await alb.stop();
  });

  it("arrays of strings are answered, every set-cookie its own line", async () => {
    const res = await fetch(`${alb.url}/multi-value-valid`);
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    expect(res.headers.get("x-flag")).toBe("true");
  });

  it("a number or a boolean in an array, a value that is not an array, multiValueHeaders: null are 502 LambdaInvalidResponse", async () => {
    await expectRefused(alb, "multi-value-number", "LambdaInvalidResponse", "multiValueHeaders.x-count[0] is a number, not a string");
    await expectRefused(alb, "multi-value-boolean", "LambdaInvalidResponse", "multiValueHeaders.x-flag[0] is a boolean, not a string");
    await expectRefused(
      alb,
      "multi-value-not-array",
      "LambdaInvalidResponse",
      "multiValueHeaders.x-a is a string, not an array of strings",
    );
    await expectRefused(alb, "multi-value-null", "LambdaInvalidResponse", "multiValueHeaders is null, not an object");
    await expectRefused(
      alb,
      "headers-in-multi-value-mode",
      "LambdaInvalidResponse",
      "multi-value mode needs multiValueHeaders, got headers",
    );
  });
});

describe("alb-oidc-target-emulator invoke", () => {
  const run = promisify(execFile);
  const invoke = (...args: string[]) => run(process.execPath, ["--import", "tsx", "src/cli.ts", "invoke", ...args]);

  it("prints the result, then what the ALB answers for it and why (a boolean header: 502 LambdaInvalidResponse)", async () => {
    const { stdout, stderr } = await invoke("test/fixtures/shape-event.json", "--handler", SHAPES);
    expect(JSON.parse(stdout)).toEqual({ statusCode: 200, headers: { "access-control-allow-credentials": true }, body: "x" });
    expect(stderr).toContain(
      "ALB: 502 Bad Gateway (LambdaInvalidResponse: headers.access-control-allow-credentials is a boolean, not a string)",
    );
  });

  it("says so when the ALB answers the result as it is (alice's event through a handler module)", async () => {
    const { stdout, stderr } = await invoke("events/whoami.json", "--handler", "test/fixtures/my-handler.ts");
    const result = JSON.parse(stdout) as { statusCode: number; body: string };
    expect(result.statusCode).toBe(200);
    expect(stderr).toContain(`ALB: 200, ${Buffer.byteLength(result.body)} body bytes (the result is valid)`);
  });
});
