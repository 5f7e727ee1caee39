// Where `invoke`'s event comes from: a sample event shipped in the package's events/ folder (by name), a JSON file, or flags describing the request.
import { readdirSync, readFileSync } from "node:fs";
import { basename, extname } from "node:path";
import { fileURLToPath } from "node:url";
import type { ALBEvent } from "aws-lambda";
import { albEvent } from "alb-oidc-target/testing";
import { EmulatorConfigError } from "./emulator/errors.js";
import { claimsFor, isLoginName } from "./oidc/users.js";

/**
 * A sample event: an ALB event plus an optional `mint` block describing the user whose token
 * the tool mints. Samples describe claims, never stale tokens.
 */
export interface SampleEvent extends ALBEvent {
  readonly description?: string;
  readonly mint?: {
    /** Userinfo claims of the user (`sub` becomes x-amzn-oidc-identity). */
    readonly claims: Readonly<Record<string, unknown>>;
    /** Seconds until exp; negative for an expired token. Default 60, as the ALB. */
    readonly expiresIn?: number;
    /** Send this x-amzn-oidc-identity instead of the claims' sub. */
    readonly identity?: string;
  };
  /**
   * A machine request: mint an RS256 client-credentials token sent as `Authorization: Bearer`,
   * signed by a local RSA key whose JWKS the key server serves at /jwks.json.
   */
  readonly mintMachine?: {
    /** Space-separated scopes. */
    readonly scope?: string;
    /** Seconds until exp; negative for an expired token. Default 300. */
    readonly expiresIn?: number;
    readonly clientId?: string;
    /** Further claims to add or override. */
    readonly claims?: Readonly<Record<string, unknown>>;
  };
  /** Variables this sample needs (e.g. ALLOWED_EMAIL_DOMAINS); the real environment overrides them. */
  readonly env?: Readonly<Record<string, string>>;
}

/** The sample events shipped with the package: `events/` next to `src/` (from source) and `lib/` (installed). */
export const EVENTS_DIR = fileURLToPath(new URL("../events/", import.meta.url));

/** A bare sample name (`whoami`, `machine-orders`): anything else is a path. */
const SAMPLE_NAME = /^[a-z0-9][a-z0-9-]*$/;

/**
 * The sample events by name (the file's base name), sorted.
 * @example sampleEventNames() // ["expired", "forbidden-claims", ..., "whoami", "whoami-multivalue"]
 */
export function sampleEventNames(): string[] {
  return readdirSync(EVENTS_DIR)
    .filter((f) => extname(f) === ".json")
    .map((f) => basename(f, ".json"))
    .sort();
}

function readJson(file: string, shown: string): SampleEvent {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const hint = SAMPLE_NAME.test(basename(shown, ".json")) && sampleEventNames().includes(basename(shown, ".json"));
    if (code === "ENOENT")
      throw new EmulatorConfigError(
        `event file not found: ${shown}${hint ? ` (the sample event of that name is \`invoke ${basename(shown, ".json")}\`)` : ""}`,
        { cause: err },
      );
    throw new EmulatorConfigError(`event file ${shown} cannot be read (${code ?? (err as Error).message})`, { cause: err });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new EmulatorConfigError(`event file ${shown} is not valid JSON (${(err as Error).message})`, { cause: err });
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw new EmulatorConfigError(`event file ${shown} must hold one JSON object (an ALB event)`);
  return raw as SampleEvent;
}

/**
 * A sample event by name, or the JSON file at a path (relative to the working directory).
 * @throws EmulatorConfigError naming the file or the unknown name (and the names there are).
 * @example readEvent("whoami") // events/whoami.json of the package
 */
export function readEvent(nameOrPath: string): SampleEvent {
  if (!SAMPLE_NAME.test(nameOrPath)) return readJson(nameOrPath, nameOrPath);
  const names = sampleEventNames();
  if (!names.includes(nameOrPath))
    throw new EmulatorConfigError(
      `unknown sample event "${nameOrPath}" (sample events: ${names.join(", ")}; or give a path to a JSON file)`,
    );
  return readJson(`${EVENTS_DIR}${nameOrPath}.json`, nameOrPath);
}

/** The flags that build an event instead of reading one. */
export interface EventFlags {
  readonly path?: string;
  readonly method?: string;
  readonly query?: readonly string[];
  readonly header?: readonly string[];
  readonly body?: string;
  readonly "multi-value"?: boolean;
  readonly user?: string;
  readonly machine?: boolean;
  readonly scope?: string;
  readonly "client-id"?: string;
  readonly "expires-in"?: string;
}

/** The names of the event flags (parseArgs options), for the usage text and the "not both" check. */
export const EVENT_FLAGS = {
  path: { type: "string" },
  method: { type: "string" },
  query: { type: "string", multiple: true },
  header: { type: "string", multiple: true },
  body: { type: "string" },
  "multi-value": { type: "boolean" },
  user: { type: "string" },
  machine: { type: "boolean" },
  scope: { type: "string" },
  "client-id": { type: "string" },
  "expires-in": { type: "string" },
} as const;

/** Which event flags were given, as `--name`. */
export function givenEventFlags(f: EventFlags): string[] {
  return Object.keys(EVENT_FLAGS)
    .filter((k) => f[k as keyof EventFlags] !== undefined)
    .map((k) => `--${k}`);
}

function splitPair(flag: string, raw: string, separator: string, example: string): [string, string] {
  const at = raw.indexOf(separator);
  const name = at < 0 ? "" : raw.slice(0, at).trim();
  if (name === "") throw new EmulatorConfigError(`--${flag} must look like ${example}, got "${raw}"`);
  return [name, raw.slice(at + separator.length).trim()];
}

/** Repeated names become arrays, as the event builder takes them. */
function collect(pairs: readonly [string, string][]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of pairs) (out[k] ??= []).push(v);
  return out;
}

/**
 * The request the flags describe, as a sample event: a user authenticate-oidc let through (`--user`),
 * a machine with a bearer token (`--machine`), or a request with neither.
 * @throws EmulatorConfigError naming the flag.
 * @example eventFromFlags({ path: "/whoami", user: "alice" }, process.env)
 */
export function eventFromFlags(f: EventFlags, env: Readonly<Record<string, string | undefined>>): SampleEvent {
  if (f.user !== undefined && f.machine)
    throw new EmulatorConfigError("--user and --machine: a request comes through authenticate-oidc or jwt-validation, not both");
  if (!f.machine && (f.scope !== undefined || f["client-id"] !== undefined))
    throw new EmulatorConfigError(`${f.scope !== undefined ? "--scope" : "--client-id"} needs --machine`);
  if (f.user !== undefined && !isLoginName(f.user))
    throw new EmulatorConfigError(`--user must be a login name (letters, digits, . _ @ + -), got "${f.user}"`);
  let expiresIn: number | undefined;
  if (f["expires-in"] !== undefined) {
    if (f.user === undefined && !f.machine) throw new EmulatorConfigError("--expires-in needs --user or --machine (the token it mints)");
    expiresIn = Number(f["expires-in"]);
    if (!Number.isInteger(expiresIn))
      throw new EmulatorConfigError(`--expires-in must be whole seconds (negative: already expired), got "${f["expires-in"]}"`);
  }
  const headers = collect((f.header ?? []).map((h) => splitPair("header", h, ":", '"name: value"')));
  const query = collect((f.query ?? []).map((q) => splitPair("query", q, "=", "name=value")));
  // A machine request goes to a machine route unless told otherwise: the first of M2M_PATH_PREFIXES, as prepare() sets it.
  const machinePath = (env.M2M_PATH_PREFIXES ?? "/api/").split(",")[0]?.trim() || "/api/";
  const event = albEvent({
    path: f.path ?? (f.machine ? machinePath : "/"),
    method: (f.method ?? "GET").toUpperCase(),
    headers,
    query,
    ...(f.body !== undefined && { body: f.body }),
    multiValue: f["multi-value"] ?? false,
  });
  const describe = f.user !== undefined ? `user ${f.user}` : f.machine ? "a machine client" : "no authentication";
  return {
    ...event,
    description: `Built from flags: ${event.httpMethod} ${event.path} (${describe}).`,
    ...(f.user !== undefined && { mint: { claims: { ...claimsFor(f.user) }, ...(expiresIn !== undefined && { expiresIn }) } }),
    ...(f.machine && {
      mintMachine: {
        ...(f.scope !== undefined && { scope: f.scope }),
        ...(f["client-id"] !== undefined && { clientId: f["client-id"] }),
        ...(expiresIn !== undefined && { expiresIn }),
      },
    }),
  };
}
