// The emulator's listener: rules with a priority, path-pattern / host-header / http-request-method conditions (ALB wildcards), one authenticate action and one final action; the default rule last.
import type { JwtValidationConfig } from "../jwt-validation/rule-config.js";
import type { EmulatorConfig } from "./config-file.js";

/** A rule condition as the ALB evaluates it: any one of the values matches. */
export interface Condition {
  readonly field: "path-pattern" | "host-header" | "http-request-method";
  readonly values: readonly string[];
}

/** The authenticate-oidc action: the resolved ALB fields of its AuthenticateOidcConfig. */
export interface OidcAuth {
  readonly type: "authenticate-oidc";
  readonly config: EmulatorConfig;
}

/** The jwt-validation action (JwtValidationConfig). */
export interface JwtAuth {
  readonly type: "jwt-validation";
  readonly config: Omit<JwtValidationConfig, "PathPrefixes">;
}

export type FinalAction =
  | {
      readonly type: "forward";
      /** The template's target group (logical id), when it has a target of its own. */
      readonly targetGroup?: string;
    }
  | { readonly type: "fixed-response"; readonly statusCode: number; readonly contentType?: string; readonly messageBody?: string }
  | {
      readonly type: "redirect";
      readonly statusCode: 301 | 302;
      /** Each may hold the ALB's #{protocol}, #{host}, #{port}, #{path}, #{query} placeholders. */
      readonly protocol?: string;
      readonly host?: string;
      readonly port?: string;
      readonly path?: string;
      readonly query?: string;
    };

export interface ListenerRule {
  /** Where it came from, shown on the console and in the x-alb-emulator-rule response header. */
  readonly name: string;
  /** Lowest first; undefined for the default action. */
  readonly priority: number | undefined;
  readonly conditions: readonly Condition[];
  readonly auth?: OidcAuth | JwtAuth;
  readonly action: FinalAction;
}

export interface Listener {
  /** Sorted by priority, the default rule last. */
  readonly rules: readonly ListenerRule[];
  /** What the emulator cannot emulate, named at start (never silently dropped). */
  readonly notes: readonly string[];
}

/**
 * ALB wildcard match: `*` any run of characters (also none), `?` exactly one. The whole value must match.
 * Linear in practice: the classic two-pointer match that only ever backtracks to the last `*`.
 * @example wildcardMatch("/api/*", "/api/orders") // true
 */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const v = ignoreCase ? value.toLowerCase() : value;
  let pi = 0;
  let vi = 0;
  let star = -1;
  let mark = 0;
  while (vi < v.length) {
    if (pi < p.length && (p[pi] === "?" || p[pi] === v[vi])) {
      pi++;
      vi++;
    } else if (pi < p.length && p[pi] === "*") {
      star = pi++;
      mark = vi;
    } else if (star >= 0) {
      pi = star + 1;
      vi = ++mark;
    } else return false;
  }
  while (pi < p.length && p[pi] === "*") pi++;
  return pi === p.length;
}

export interface RequestFacts {
  /** The raw path (no query). */
  readonly path: string;
  /** The Host header's host name, without the port. */
  readonly host: string;
  readonly method: string;
}

function conditionMatches(c: Condition, r: RequestFacts): boolean {
  switch (c.field) {
    case "path-pattern":
      return c.values.some((p) => wildcardMatch(p, r.path));
    case "host-header":
      return c.values.some((p) => wildcardMatch(p, r.host, true));
    case "http-request-method":
      return c.values.includes(r.method);
  }
}

/** The first rule whose conditions all match (the default rule has none, so it always does). */
export function matchRule(listener: Listener, r: RequestFacts): ListenerRule | undefined {
  return listener.rules.find((rule) => rule.conditions.every((c) => conditionMatches(c, r)));
}

/** Sorts rules by priority and puts the default rule last. */
export function sortRules(rules: readonly ListenerRule[]): ListenerRule[] {
  return [...rules].sort((a, b) => (a.priority ?? Number.POSITIVE_INFINITY) - (b.priority ?? Number.POSITIVE_INFINITY));
}

/**
 * The listener the config file describes: the JwtValidation rule on its prefixes first (priority 1),
 * then the default authenticate-oidc rule forwarding to the target.
 */
export function listenerFromConfig(config: EmulatorConfig): Listener {
  const rules: ListenerRule[] = [];
  const jwt = config.JwtValidation;
  if (jwt) {
    const { PathPrefixes, ...action } = jwt;
    rules.push({
      name: "JwtValidation",
      priority: 1,
      conditions: [{ field: "path-pattern", values: PathPrefixes.map((p) => `${p}*`) }],
      auth: { type: "jwt-validation", config: action },
      action: { type: "forward" },
    });
  }
  rules.push({
    name: "default",
    priority: undefined,
    conditions: [],
    auth: { type: "authenticate-oidc", config },
    action: { type: "forward" },
  });
  return { rules, notes: [] };
}

/** The path prefix a path pattern stands for, when it is `<prefix>*` with no other wildcard (what M2M_PATH_PREFIXES can say). */
export function prefixOf(pattern: string): string | undefined {
  if (!pattern.endsWith("*")) return undefined;
  const prefix = pattern.slice(0, -1);
  return /[*?]/.test(prefix) || !prefix.startsWith("/") || /[,\s]/.test(prefix) ? undefined : prefix;
}
