// What `npm start` prints: the URLs, the target, the listener's rules and the scopes they ask for, the demo users, the environment a target needs (as shell lines) and the configuration in force (the client secret masked).
import { DEMO_USERS } from "../oidc/users.js";
import type { Emulator } from "./emulator.js";
import { maskSecret } from "./listener/config-file.js";
import type { ListenerRule } from "./listener/rules.js";

const FIELD_ORDER = [
  "Issuer",
  "AuthorizationEndpoint",
  "TokenEndpoint",
  "UserInfoEndpoint",
  "EndSessionEndpoint",
  "ClientId",
  "ClientSecret",
  "Scope",
  "SessionCookieName",
  "SessionTimeout",
  "AuthenticationRequestExtraParams",
  "OnUnauthenticatedRequest",
  "LoadBalancerArn",
  "MultiValueHeaders",
] as const;

/** Where the README explains the emulator's targets and template mode. */
export const GUIDE = "README.md#run-your-own-app-behind-the-emulator";

function describeRule(r: ListenerRule): string {
  const when = r.conditions.map((c) => `${c.field} ${c.values.join(" | ")}`).join(" and ") || "any request";
  const auth = r.auth
    ? r.auth.type === "authenticate-oidc"
      ? `authenticate-oidc (${r.auth.config.OnUnauthenticatedRequest}, ${r.auth.config.Issuer}, scope "${r.auth.config.Scope}") -> `
      : `jwt-validation (${r.auth.config.Issuer}) -> `
    : "";
  const a = r.action;
  const then =
    a.type === "forward" ? "forward" : a.type === "fixed-response" ? `fixed-response ${a.statusCode}` : `redirect ${a.statusCode}`;
  return `    ${(r.priority === undefined ? "default" : String(r.priority)).padEnd(8)} ${r.name}: ${when}: ${auth}${then}`;
}

/** The start-up banner, as lines of text; `configSource` says where the listener came from (a file that exists, a template, or "built-in defaults"). */
export function banner(e: Emulator, configSource: string): string {
  return [
    ...addressLines(e),
    ...scopeLines(e),
    ...ruleLines(e, configSource),
    ...environmentLines(e),
    ...providerLines(e),
    ...machineRouteLines(e),
    ...configurationLines(e, configSource),
    "",
    "  Ctrl-C stops everything.",
    "",
  ].join("\n");
}

function addressLines(e: Emulator): string[] {
  return [
    "",
    "alb-oidc-target: local ALB emulator",
    "",
    `  Application (ALB listener):  ${e.url}/`,
    `  Login callback:              ${e.url}/oauth2/idpresponse`,
    `  Logout:                      ${e.url}/logout`,
    `  ALB public keys (loopback):  ${e.keyServer.url}/<kid>`,
    ...targetLines(e),
  ];
}

/** The target; with a template, each target group's own function (or why it cannot run), then the one the others share. */
function targetLines(e: Emulator): string[] {
  if (e.targets.size === 0) return [`  Target:                      ${e.target.description}`];
  const own = [...e.targets].map(([group, t]) => `    ${group} -> ${t.description}`);
  const shared = [...e.targets.values()].includes(e.target) ? [] : [`    (other target groups) -> ${e.target.description}`];
  return ["  Targets (the template's own functions, by target group):", ...own, ...shared];
}

/** The scopes each authenticate-oidc rule asks the IdP for (the claims the target sees depend on them). */
function scopeLines(e: Emulator): string[] {
  const rulesByScope = new Map<string, string[]>();
  for (const r of e.listener.rules) {
    if (r.auth?.type !== "authenticate-oidc") continue;
    const names = rulesByScope.get(r.auth.config.Scope) ?? [];
    names.push(r.name);
    rulesByScope.set(r.auth.config.Scope, names);
  }
  const label = "  Scopes asked for at login:".padEnd(31);
  const scopes = [...rulesByScope.keys()];
  if (scopes.length === 0) return [];
  if (scopes.length > 1) return [label.trimEnd(), ...[...rulesByScope].map(([scope, rules]) => `    ${scope}   (${rules.join(", ")})`)];
  const only = scopes[0] ?? "";
  // The ALB's default Scope is "openid" alone: the IdP then releases little beyond sub (the embedded provider exactly sub).
  const hint =
    only === "openid" ? ' (the ALB\'s default: the claims carry sub and little else; set Scope, e.g. "openid profile email")' : "";
  return [`${label}${only}${hint}`];
}

function ruleLines(e: Emulator, configSource: string): string[] {
  const lines = ["", `  Listener rules (${configSource}; first match wins):`, ...e.listener.rules.map(describeRule)];
  if (e.listener.notes.length > 0) {
    lines.push("", "  Not emulated (named so that nothing is dropped silently):");
    for (const n of e.listener.notes) lines.push(`    - ${n}`);
  }
  return lines;
}

/** The variables a target verifying x-amzn-oidc-data needs, in the order a verifier takes them. */
export const TARGET_VARIABLES = ["LOAD_BALANCER_ARN", "ISSUER", "CLIENT_ID", "ALB_PUBLIC_KEY_ENDPOINT"] as const;

/**
 * A POSIX shell single-quoted word: the value exactly, whatever it holds.
 * @example shellQuote("it's") // 'it'\''s'
 */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, "'\\''")}'`;
}

function environmentLines(e: Emulator): string[] {
  const env = e.functionEnv;
  return [
    "",
    `  Environment of the target: paste into the shell of an --upstream server or a container (see ${GUIDE}):`,
    ...TARGET_VARIABLES.map((name) => `    export ${name}=${shellQuote(env[name] ?? "")}`),
  ];
}

function providerLines(e: Emulator): string[] {
  if (!e.idp) return [];
  const lines = [
    "",
    `  Embedded OIDC provider:      ${e.idp.issuer}/.well-known/openid-configuration`,
    `    Access tokens live ${e.idp.accessTokenTtlS} s (IDP_ACCESS_TOKEN_TTL); a session is refreshed once its token has expired`,
  ];
  lines.push("", "  Demo users (type the name on the login page; any other name works too, with an unverified email):");
  for (const u of Object.values(DEMO_USERS)) lines.push(`    ${u.sub.padEnd(8)} ${u.name}, ${u.email}`);
  return lines;
}

function machineRouteLines(e: Emulator): string[] {
  const jwt = e.config.JwtValidation;
  if (!jwt) return [];
  const lines = ["", `  Machine routes (jwt-validation, RS256 bearer tokens): ${jwt.PathPrefixes.map((p) => `${e.url}${p}`).join(", ")}`];
  lines.push(`    Issuer        ${jwt.Issuer}`, `    JwksEndpoint  ${jwt.JwksEndpoint}`);
  for (const claim of jwt.AdditionalClaims) lines.push(`    Claim         ${claim.Name} (${claim.Format}) ${JSON.stringify(claim.Values)}`);
  const machine = e.idp?.machineClient;
  if (machine && jwt.Issuer === e.idp.issuer) {
    const example = `${e.url}${jwt.PathPrefixes[0] ?? "/"}`;
    lines.push(
      `    Demo client   ${machine.clientId} (client credentials; secret ${maskSecret(machine.clientSecret)}, see README.md#machine-routes-locally)`,
    );
    // npm run token finds the provider on 3001 by default; say where it is otherwise.
    const env = e.idp.port === 3001 ? "" : `IDP_PORT=${e.idp.port} `;
    lines.push(`    Try           curl -H "Authorization: Bearer $(${env}npm run -s token -- --scope 'orders:read')" ${example}orders`);
  }
  return lines;
}

function configurationLines(e: Emulator, configSource: string): string[] {
  const c = e.config;
  const lines = ["", `  Configuration (${configSource}):`];
  const shown: Record<string, unknown> = { ...c, ClientSecret: maskSecret(c.ClientSecret) };
  for (const k of FIELD_ORDER) {
    const v = shown[k];
    if (v !== undefined) lines.push(`    ${k.padEnd(34)} ${typeof v === "string" ? v : JSON.stringify(v)}`);
  }
  return lines;
}
