// Starting an emulator for a test: ephemeral loopback ports, the embedded provider, the log captured, the function's events recorded.
import type { ALBEvent } from "aws-lambda";
import { resolve } from "node:path";
import { isLambdaTarget, startEmulator, type Emulator, type EmulatorOptions } from "../src/emulator/emulator.js";

/** The repository's root: its alb.config.json (what `npm start` reads), README.md and docs/. */
export const REPOSITORY_ROOT = resolve(import.meta.dirname, "../../..");

export interface TestEmulator extends Emulator {
  /** Raw log lines (emulator and function). */
  readonly logs: string[];
  /** Every event the function received, in order. */
  readonly events: ALBEvent[];
}

/** Demo profile scopes: without them userinfo carries only `sub`. */
export const PROFILE_SCOPE = "openid profile email";

/**
 * Starts an emulator on ports chosen by the OS. The function is the real one; wrapping its handler
 * only records each event on the way in.
 */
export async function testEmulator(o: EmulatorOptions = {}): Promise<TestEmulator> {
  const logs: string[] = [];
  const events: ALBEvent[] = [];
  const e = await startEmulator({
    port: 0,
    idpPort: 0,
    writeLog: (l) => logs.push(l),
    ...o,
    file: { Scope: PROFILE_SCOPE, ...o.file },
  });
  const target = e.target;
  if (isLambdaTarget(target)) {
    const real = target.handler;
    // Three parameters, so that a callback-style handler still gets its callback through the wrapper.
    target.handler = (ev, ctx, callback) => {
      events.push(ev as ALBEvent);
      return real(ev, ctx, callback);
    };
  }
  return Object.assign(e, { logs, events });
}

/** The last event the function received. */
export function lastEvent(e: TestEmulator): ALBEvent {
  const ev = e.events[e.events.length - 1];
  if (!ev) throw new Error("the function received no event");
  return ev;
}
