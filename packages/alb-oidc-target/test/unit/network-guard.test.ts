// The test setup's network guard: a connection or lookup beyond loopback fails with a clear message, and fails its test even if caught; loopback works.
import { execFile } from "node:child_process";
import { lookup, promises as dnsPromises } from "node:dns";
import { createServer, get as httpGet } from "node:http";
import { get as httpsGet } from "node:https";
import { createRequire } from "node:module";
import { connect } from "node:net";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loopback } from "../../src/testing/loopback.js";
import { NetworkGuardError, takeRefusals } from "../setup/network-guard.js";

/** The repository's packages/ folder. */
const PACKAGES = fileURLToPath(new URL("../../..", import.meta.url));
/** vitest's own CLI, as installed for this repository. */
const VITEST = join(createRequire(import.meta.url).resolve("vitest/package.json"), "..", "vitest.mjs");

const MESSAGE = /^network guard: .* leaves the machine; tests may only talk to 127\.0\.0\.0\/8, ::1 or localhost/;

/** The error a socket ends with (or "connected"). */
function outcome(socket: ReturnType<typeof connect>): Promise<unknown> {
  return new Promise((resolve) => {
    socket.once("connect", () => {
      socket.destroy();
      resolve("connected");
    });
    socket.once("error", resolve);
  });
}

/** The refusals this test made, taken so that the guard's afterEach does not fail it for them. */
function refusals(): string[] {
  return takeRefusals().map((e) => e.message);
}

describe("connections beyond loopback are refused", () => {
  it("net.connect to 192.0.2.1 ends in a NetworkGuardError naming the address", async () => {
    const err = await outcome(connect(80, "192.0.2.1"));
    expect(err).toBeInstanceOf(NetworkGuardError);
    expect((err as Error).message).toMatch(MESSAGE);
    expect(refusals()).toEqual([expect.stringContaining("a connection to 192.0.2.1 leaves the machine")]);
  });

  it("a host name other than localhost is refused before any lookup", async () => {
    const err = await outcome(connect({ host: "example.com", port: 443 }));
    expect((err as Error).message).toMatch(/^network guard: a connection to example\.com leaves/);
    expect(refusals()).toHaveLength(1);
  });

  it("fetch (undici) of http://example.com/ fails, the guard's error as its cause", async () => {
    const err = await fetch("http://example.com/").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError);
    expect((err as Error).cause).toBeInstanceOf(NetworkGuardError);
    expect(refusals()).toEqual([expect.stringMatching(/a connection to example\.com/)]);
  });

  it("http.get and https.get to 192.0.2.1 fail the same way", async () => {
    for (const get of [httpGet, httpsGet]) {
      const err = await new Promise((resolve) => get({ host: "192.0.2.1", path: "/" }, () => resolve("answered")).on("error", resolve));
      expect(err).toBeInstanceOf(NetworkGuardError);
    }
    expect(refusals()).toHaveLength(2);
  });

  it("a DNS lookup of example.com is refused, by callback and by promise", async () => {
    await expect(dnsPromises.lookup("example.com")).rejects.toThrow(/^network guard: a DNS lookup of example\.com leaves/);
    const err = await new Promise((resolve) => lookup("example.com", (e) => resolve(e)));
    expect(err).toBeInstanceOf(NetworkGuardError);
    expect(refusals()).toHaveLength(2);
  });
});

describe("loopback is allowed", () => {
  const server = createServer((_req, res) => res.end("here"));
  const lb = loopback(server);
  let port = 0;
  beforeAll(async () => {
    port = await lb.listen(0);
  });
  afterAll(() => lb.close());

  it.each(["127.0.0.1", "localhost"])("fetch of http://%s works", async (host) => {
    const res = await fetch(`http://${host}:${port}/`);
    expect(await res.text()).toBe("here");
  });

  it("net.connect to 127.0.0.1 and a lookup of localhost work", async () => {
    expect(await outcome(connect(port, "127.0.0.1"))).toBe("connected");
    expect((await dnsPromises.lookup("localhost")).address).toMatch(/^(127\.0\.0\.1|::1)$/);
    expect(refusals()).toEqual([]);
  });
});

describe("a refused connection fails its test", () => {
  it("even when the test catches the error itself (a test file run in a child vitest fails, naming the guard)", async () => {
    const out = await new Promise<{ code: number | null; text: string }>((resolve) => {
      execFile(
        process.execPath,
        [VITEST, "run", "--config", fileURLToPath(new URL("../setup/fixtures/vitest.guard.config.ts", import.meta.url))],
        { env: { ...process.env, CI: "true", NO_COLOR: "1" } },
        (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, text: `${stdout}${stderr}` }),
      );
    });
    expect(out.code).toBe(1);
    expect(out.text).toContain("network guard: a connection to 192.0.2.1 leaves the machine");
    expect(out.text).toMatch(/1 failed/);
    expect(out.text).toMatch(/1 passed/);
  });
});

describe("every vitest config installs the guard", () => {
  it.each([
    "alb-oidc-target/vitest.config.ts",
    "alb-oidc-target/vitest.security.config.ts",
    "emulator/vitest.config.ts",
    "emulator/vitest.e2e.config.ts",
  ])("packages/%s lists it in setupFiles", async (file) => {
    const config = (await import(/* @vite-ignore */ pathToFileURL(join(PACKAGES, file)).href)) as {
      default: { test?: { setupFiles?: string[] } };
    };
    expect(config.default.test?.setupFiles).toContain(fileURLToPath(new URL("../setup/network-guard.ts", import.meta.url)));
  });
});
