// Which kind of request this is: an ALB health check, a logout, a machine request (bearer token) or a user request (x-amzn-oidc-*).
import { readHeader, requestLine } from "../alb/event.js";
import type { MachineTokenVerifier } from "../auth/machine-token.js";
import type { LogoutResponder } from "./logout.js";

/** The ALB health checker's user agent; its requests carry nothing else to authenticate. */
const HEALTH_CHECKER_AGENT = "ELB-HealthChecker/2.0";

/** The special routes; each one absent is simply not there (an empty table makes every request a user request). */
export interface RouteTable {
  /** Exact path answered 200 to the health checker without authentication. */
  readonly healthCheckPath?: string;
  /** Exact path that expires the ALB session cookies. */
  readonly logout?: { readonly path: string; readonly respond: LogoutResponder };
  readonly machine?: { readonly paths: MachinePaths; readonly tokens: MachineTokenVerifier };
}

export type Route =
  | { readonly kind: "health" }
  | { readonly kind: "logout"; readonly respond: LogoutResponder }
  | { readonly kind: "machine"; readonly tokens: MachineTokenVerifier }
  | { readonly kind: "user" }
  /** The forms of the path disagree on machine or user: refused (400 ambiguous_path), never guessed. */
  | { readonly kind: "ambiguous"; readonly reason: string };

/**
 * Picks the route. Only the checker's own request skips authentication on the health path:
 * anything else sent there is an ordinary user (or machine) request.
 * @example routeOf(healthCheckEvent("/health"), table) // { kind: "health" }
 */
export function routeOf(event: unknown, table: RouteTable): Route {
  const { method, path } = requestLine(event);
  if (path === table.healthCheckPath && method === "GET") {
    const agent = readHeader(event, "user-agent");
    if (agent.kind === "one" && agent.value === HEALTH_CHECKER_AGENT) return { kind: "health" };
  }
  if (table.logout && path === table.logout.path) return { kind: "logout", respond: table.logout.respond };
  const machine = table.machine;
  if (!machine) return { kind: "user" };
  const verdict = machine.paths.kindOf(path);
  if (verdict === "machine") return { kind: "machine", tokens: machine.tokens };
  if (verdict === "user") return { kind: "user" };
  return {
    kind: "ambiguous",
    reason: "the path is a machine path in one of its forms (normalised, decoded, lower-cased) and not in another",
  };
}

/** Machine or user, or "ambiguous" when the forms of a path disagree. */
export type PathKind = "machine" | "user" | "ambiguous";

/** Tells machine paths from user paths, in every form a framework may route a path by. */
export interface MachinePaths {
  kindOf(path: string): PathKind;
}

/** Any origin: only the pathname of a URL resolved against it is read. */
const BASE = "https://alb.invalid/";

/** The pathname as WHATWG URL parsing gives it (Powertools' Router, `new URL`): dot segments, `%2e`, backslashes, `//host` and tabs resolved. */
function urlForm(path: string): string | undefined {
  try {
    return new URL(path, BASE).pathname;
  } catch {
    return undefined;
  }
}

/**
 * The pathname as a decode-then-normalise reader sees it (Fastify decodes before it routes; a hand-written
 * app may decode, then collapse slashes as path.posix.normalize does): decoded once, `?` and `#` kept as
 * path characters, runs of slashes and backslashes made one slash, then WHATWG-normalised.
 */
function decodedForm(path: string): string | undefined {
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // A malformed escape stays as written: the other forms judge the path as it is.
  }
  return urlForm(decoded.replace(/[?#]/g, (c) => encodeURIComponent(c)).replace(/[/\\]+/g, "/"));
}

const FORMS: readonly ((path: string) => string | undefined)[] = [(path) => path, urlForm, decodedForm];

/**
 * A path every form leaves as it is: "/" and non-empty segments of RFC 3986 path characters without
 * "%", none of them "." or "..". Nothing to decode, no dot segment, no run of slashes, no character
 * URL parsing encodes. Telling it costs a regex; parsing its forms costs about 4 µs, 11 to 12 % of a request
 * whose token the memo knows on a function with machine routes (test/bench/routing.ts).
 */
const PLAIN_PATH = /^(?=\/)(?:\/(?!\.\.?(?:\/|$))[\w\-.~!$&'()*+,;=:@]+)*\/?$/;

/**
 * The machine path prefixes, compared with a path in each of its forms: as written, WHATWG-normalised and
 * decoded (see the forms above), each lower-cased unless `caseSensitive` (Express matches routes
 * case-insensitively). Every form says machine: a machine path; none does: a user path; some do and
 * some do not: "ambiguous", since the framework behind us may route by any of them. Build it once.
 * `parseEveryPath` skips the shortcut for plain paths (the test that it changes nothing, the bench).
 * @example machinePaths(["/api/"], { caseSensitive: false }).kindOf("/x/../api/orders") // "ambiguous"
 */
export function machinePaths(
  prefixes: readonly string[],
  { caseSensitive, parseEveryPath = false }: { readonly caseSensitive: boolean; readonly parseEveryPath?: boolean },
): MachinePaths {
  const fold = (s: string): string => (caseSensitive ? s : s.toLowerCase());
  // Each prefix in each form, so that a prefix with characters URL parsing encodes still matches itself.
  const prefixForms = FORMS.map((form) => prefixes.map((p) => fold(form(p) ?? p)));
  return {
    kindOf(path) {
      // A plain path is each of its forms: only the prefixes' forms differ.
      const plain = !parseEveryPath && PLAIN_PATH.test(path) ? fold(path) : undefined;
      let machine = 0;
      for (let i = 0; i < FORMS.length; i++) {
        const form = plain ?? FORMS[i]?.(path);
        if (form === undefined) return "ambiguous";
        const folded = plain ?? fold(form);
        if (prefixForms[i]?.some((p) => folded.startsWith(p))) machine++;
      }
      return machine === 0 ? "user" : machine === FORMS.length ? "machine" : "ambiguous";
    },
  };
}
