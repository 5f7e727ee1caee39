// The function's timeout (--timeout, Lambda's 3 s by default): a handler that has not settled by then is the ALB's 502, context.getRemainingTimeInMillis() counts down to the same deadline, and other requests are served meanwhile.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorOptions } from "../src/start.js";
import { testEmulator, type TestEmulator } from "./setup.js";

const SLOW = "test/fixtures/slow-handler.mjs";

describe("a function with a 1 s timeout", () => {
  let alb: TestEmulator;
  beforeAll(async () => {
    alb = await testEmulator({ target: { kind: "handler", handler: SLOW, timeoutS: 1 }, file: { OnUnauthenticatedRequest: "allow" } });
  });
  afterAll(async () => {
    await alb.stop();
  });

  it("a handler that never settles is a 502 (LambdaUnhandled, Lambda's 'Task timed out'), and a request sent meanwhile is answered", async () => {
    let neverSettled = false;
    const never = fetch(`${alb.url}/never`).then(async (res) => {
      neverSettled = true;
      return { status: res.status, reason: res.headers.get("x-alb-emulator-error"), page: await res.text() };
    });
    // Sent after /never reached the function, answered while /never still waits.
    await expect.poll(() => alb.events.some((e) => e.path === "/never")).toBe(true);
    const quick = await fetch(`${alb.url}/quick`);
    expect(quick.status).toBe(200);
    expect(await quick.text()).toBe("quick /quick");
    expect(neverSettled).toBe(false);
    const timedOut = await never;
    expect(timedOut.status).toBe(502);
    expect(timedOut.reason).toBe("LambdaUnhandled");
    expect(timedOut.page).toContain("Task timed out after 1.00 seconds");
    const line = alb.logs.find((l) => l.includes("Task timed out"));
    expect(JSON.parse(line ?? "{}")).toMatchObject({
      level: "error",
      reason: "LambdaUnhandled",
      detail: "Task timed out after 1.00 seconds",
    });
  });

  it("context.getRemainingTimeInMillis() counts down to the same deadline", async () => {
    const res = await fetch(`${alb.url}/remaining`);
    const remaining = Number(await res.text());
    expect(remaining).toBeGreaterThan(0);
    expect(remaining).toBeLessThanOrEqual(1000);
  });
});

describe("the default timeout", () => {
  it("is Lambda's 3 seconds", async () => {
    const alb = await testEmulator({ target: { kind: "handler", handler: SLOW }, file: { OnUnauthenticatedRequest: "allow" } });
    try {
      const remaining = Number(await (await fetch(`${alb.url}/remaining`)).text());
      expect(remaining).toBeLessThanOrEqual(3000);
      expect(remaining).toBeGreaterThan(1000);
    } finally {
      await alb.stop();
    }
  });
});

describe("--timeout", () => {
  it("sets the function's timeout in seconds, for a handler module and the sample function", () => {
    expect(emulatorOptions(["--handler", SLOW, "--timeout", "10"], {}).options.target).toEqual({
      kind: "handler",
      handler: SLOW,
      timeoutS: 10,
    });
    expect(emulatorOptions(["--timeout", "900"], {}).options.target).toEqual({ kind: "sample", timeoutS: 900 });
  });

  it.each([
    [["--timeout", "0"], '--timeout must be whole seconds from 1 to 900 (Lambda\'s range), got "0"'],
    [["--timeout", "901"], '--timeout must be whole seconds from 1 to 900 (Lambda\'s range), got "901"'],
    [["--timeout", "1.5"], '--timeout must be whole seconds from 1 to 900 (Lambda\'s range), got "1.5"'],
    [["--timeout", "soon"], '--timeout must be whole seconds from 1 to 900 (Lambda\'s range), got "soon"'],
    [["--upstream", "http://127.0.0.1:1", "--timeout", "5"], "--timeout is the function's; an HTTP upstream has --upstream-timeout"],
  ])("%j is refused: %s", (argv, message) => {
    expect(() => emulatorOptions(argv, {})).toThrow(message);
  });
});
