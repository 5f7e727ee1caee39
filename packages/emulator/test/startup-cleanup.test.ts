// startEmulator undoes every step it took when a later one throws: nothing left listening, its ports free again, process.env as it was.
import { createServer as createNetServer, type AddressInfo, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmulatorConfigError } from "../src/emulator/listener/config-file.js";
import { startEmulator, type EmulatorOptions } from "../src/emulator/emulator.js";

function listenOn(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once("error", reject);
    s.listen(port, "127.0.0.1", () => resolve(s));
  });
}

const close = (s: Server) => new Promise<void>((resolve) => s.close(() => resolve()));
const portOf = (s: Server) => (s.address() as AddressInfo).port;

/** A port the OS just handed out and that nothing holds now. */
async function freePort(): Promise<number> {
  const s = await listenOn(0);
  const port = portOf(s);
  await close(s);
  return port;
}

/** Nothing listens on these ports any more: each can be taken again. */
async function expectFree(ports: readonly number[]): Promise<void> {
  for (const p of ports) await close(await listenOn(p));
}

describe("a start-up step that throws after others have started", () => {
  let blocker: Server;
  beforeAll(async () => {
    blocker = await listenOn(0);
  });
  afterAll(async () => {
    await close(blocker);
  });

  /** Starts with the listener and the embedded provider on known ports; expects `message` and nothing left behind. */
  async function expectCleanFailure(o: EmulatorOptions, message: RegExp | (new (...a: never[]) => Error)): Promise<void> {
    const port = await freePort();
    const idpPort = await freePort();
    const envBefore = { ...process.env };
    const logs: string[] = [];
    await expect(startEmulator({ port, idpPort, keyPort: 0, writeLog: (l) => logs.push(l), ...o })).rejects.toThrow(message);
    // The listener and the provider let go of their ports.
    await expectFree([port, idpPort]);
    expect(process.env).toEqual(envBefore);
    expect(logs.join("")).not.toContain("emulator cleanup failed");
  }

  it("the ALB key port already in use: the listener and the provider are closed", async () => {
    await expectCleanFailure({ keyPort: portOf(blocker) }, /EADDRINUSE/);
  });

  it("the provider's port already in use: the listener is closed", async () => {
    const port = await freePort();
    await expect(startEmulator({ port, idpPort: portOf(blocker), writeLog: () => undefined })).rejects.toThrow(/EADDRINUSE/);
    await expectFree([port]);
  });

  it("a handler module path that does not exist, after the provider and the key server started", async () => {
    await expectCleanFailure({ target: { kind: "handler", handler: "test/fixtures/no-such-handler.mjs" } }, EmulatorConfigError);
  });

  it("a template listener that fails to build once the provider listens", async () => {
    let built = 0;
    await expectCleanFailure(
      {
        listener: {
          description: "a broken template",
          needsEmbeddedProvider: true,
          build: () => {
            built++;
            throw new EmulatorConfigError("template.json: Listener.DefaultActions cannot be resolved");
          },
        },
      },
      /Listener\.DefaultActions cannot be resolved/,
    );
    expect(built).toBe(1);
  });

  it("a configuration edit that throws (adjustConfig), after the provider started", async () => {
    await expectCleanFailure(
      {
        adjustConfig: () => {
          throw new Error("bad edit");
        },
      },
      /bad edit/,
    );
  });

  it("a rule that cannot be built after the handler module loaded: process.env is put back", async () => {
    expect(process.env.ALB_PUBLIC_KEY_ENDPOINT).toBeUndefined();
    await expectCleanFailure(
      {
        target: { kind: "handler", handler: "test/fixtures/plain-handler.mjs" },
        file: { JwtValidation: { PathPrefixes: ["/api/"] } },
        adjustConfig: (c) => (c.JwtValidation ? { ...c, JwtValidation: { ...c.JwtValidation, JwksEndpoint: "not a URL" } } : c),
      },
      /Invalid URL/,
    );
  });
});

describe("stop()", () => {
  it("closes the listener, the provider and the key server, and can be called again", async () => {
    const alb = await startEmulator({ port: 0, idpPort: 0, keyPort: 0, writeLog: () => undefined });
    const ports = [alb.port, alb.idp?.port ?? 0, alb.keyServer.port];
    expect(ports.every((p) => p > 0)).toBe(true);
    await alb.stop();
    await expectFree(ports);
    await alb.stop();
  });
});
