// Test setup for every vitest config: a connection or name lookup that would leave the machine (anything but 127.0.0.0/8, ::1, localhost) fails the test that made it.
import dns from "node:dns";
import { syncBuiltinESMExports } from "node:module";
import net from "node:net";
import { afterAll, afterEach } from "vitest";
import { isLoopbackHost } from "../../src/guards.js";

// What it covers: net.Socket.prototype.connect, which net.connect, tls.connect, http, https and
// fetch (undici) all end in, and dns.lookup / dns.promises.lookup called directly. What it cannot
// see: child processes a test starts (the CLI, the Python verifier, Chromium in e2e, the bundle
// run in a fresh node) run their own code, out of this hook's reach; they are pointed at loopback
// by the tests that start them.

/** The error a refused connection or lookup carries (and the message the failing test shows). */
export class NetworkGuardError extends Error {
  readonly code = "ERR_TEST_NETWORK_GUARD";
  constructor(what: string) {
    super(
      `network guard: ${what} leaves the machine; tests may only talk to 127.0.0.0/8, ::1 or localhost (packages/alb-oidc-target/test/setup/network-guard.ts)`,
    );
    this.name = "NetworkGuardError";
  }
}

/** Refusals not yet reported: afterEach fails the test that made them, even if its code caught the error. */
const refused: NetworkGuardError[] = [];

/** Hands over (and forgets) the refusals so far: for the guard's own tests, which expect them. */
export function takeRefusals(): NetworkGuardError[] {
  return refused.splice(0);
}

function refuse(what: string): NetworkGuardError {
  const err = new NetworkGuardError(what);
  refused.push(err);
  return err;
}

/** A host as a socket or lookup names it: loopback addresses and localhost (its own sub-names too) pass. */
function isLocal(host: string): boolean {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  return isLoopbackHost(bare) || bare === "localhost" || bare.endsWith(".localhost");
}

/** The host a Socket#connect call is for, or undefined for a local (IPC) socket path. */
function hostOf(args: unknown[]): string | undefined {
  // net.connect hands Socket#connect its arguments already normalised, as [options, callback].
  const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
  if (typeof first === "object" && first !== null) {
    const o = first as { path?: unknown; host?: unknown };
    if (typeof o.path === "string") return undefined;
    return typeof o.host === "string" ? o.host : "localhost";
  }
  if (typeof first === "string" && !/^\d+$/.test(first)) return undefined; // a pipe or unix socket path
  return typeof args[1] === "string" ? args[1] : "localhost";
}

type Connect = (this: net.Socket, ...args: unknown[]) => net.Socket;
const connect = Reflect.get(net.Socket.prototype, "connect") as Connect;
net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]): net.Socket {
  const host = hostOf(args);
  if (host === undefined || isLocal(host)) return connect.apply(this, args);
  const err = refuse(`a connection to ${host}`);
  // Fail as an unreachable host would: asynchronously, on the socket, so callers see a network error.
  process.nextTick(() => this.destroy(err));
  return this;
};

const lookup = dns.lookup;
dns.lookup = function guardedLookup(hostname: string, ...rest: unknown[]): void {
  if (isLocal(hostname)) return (lookup as (...a: unknown[]) => void).call(dns, hostname, ...rest);
  const callback = rest[rest.length - 1] as (err: Error) => void;
  const err = refuse(`a DNS lookup of ${hostname}`);
  process.nextTick(() => callback(err));
} as typeof dns.lookup;

const lookupPromise = dns.promises.lookup;
dns.promises.lookup = function guardedLookup(hostname: string, ...rest: unknown[]): Promise<unknown> {
  if (isLocal(hostname)) return (lookupPromise as (...a: unknown[]) => Promise<unknown>).call(dns.promises, hostname, ...rest);
  return Promise.reject(refuse(`a DNS lookup of ${hostname}`));
} as typeof dns.promises.lookup;

// `import { lookup } from "node:dns"` sees the guarded functions too.
syncBuiltinESMExports();

afterEach(() => {
  const errors = takeRefusals();
  if (errors.length > 0) throw errors[0] as NetworkGuardError;
});

// A refusal from a file's last hook (afterAll) fails the file.
afterAll(() => {
  const errors = takeRefusals();
  if (errors.length > 0) throw errors[0] as NetworkGuardError;
});
