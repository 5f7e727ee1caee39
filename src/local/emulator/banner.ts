// What `npm start` prints: the URLs, the demo users and the configuration in force (the client secret masked).
import { DEMO_USERS } from "../oidc/users.js";
import { maskSecret } from "./config.js";
import type { Emulator } from "./emulator.js";

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

/** The start-up banner, as lines of text. */
export function banner(e: Emulator, configSource: string): string {
  const c = e.config;
  const lines = [
    "",
    "alb-oidc-target: local ALB emulator",
    "",
    `  Application (ALB listener):  ${e.url}/`,
    `  Login callback:              ${e.url}/oauth2/idpresponse`,
    `  Logout:                      ${e.url}/logout`,
    `  ALB public keys (loopback):  ${e.keyServer.url}/<kid>`,
  ];
  if (e.idp) {
    lines.push(`  Embedded OIDC provider:      ${e.idp.issuer}/.well-known/openid-configuration`);
    lines.push("", "  Demo users (type the name on the login page; any other name works too, with an unverified email):");
    for (const u of Object.values(DEMO_USERS)) lines.push(`    ${u.sub.padEnd(8)} ${u.name}, ${u.email}`);
  }
  const jwt = c.JwtValidation;
  if (jwt) {
    lines.push("", `  Machine routes (jwt-validation, RS256 bearer tokens): ${jwt.PathPrefixes.map((p) => `${e.url}${p}`).join(", ")}`);
    lines.push(`    Issuer        ${jwt.Issuer}`, `    JwksEndpoint  ${jwt.JwksEndpoint}`);
    for (const claim of jwt.AdditionalClaims)
      lines.push(`    Claim         ${claim.Name} (${claim.Format}) ${JSON.stringify(claim.Values)}`);
    const machine = e.idp?.machineClient;
    if (machine && jwt.Issuer === e.idp.issuer) {
      const example = `${e.url}${jwt.PathPrefixes[0] ?? "/"}`;
      lines.push(
        `    Demo client   ${machine.clientId} (client credentials; secret ${maskSecret(machine.clientSecret)}, see docs/readme/run-locally.md)`,
      );
      // npm run token finds the provider on 3001 by default; say where it is otherwise.
      const env = e.idp.port === 3001 ? "" : `IDP_PORT=${e.idp.port} `;
      lines.push(`    Try           curl -H "Authorization: Bearer $(${env}npm run -s token -- --scope 'orders:read')" ${example}orders`);
    }
  }
  lines.push("", `  Configuration (${configSource}):`);
  const shown: Record<string, unknown> = { ...c, ClientSecret: maskSecret(c.ClientSecret) };
  for (const k of FIELD_ORDER) {
    const v = shown[k];
    if (v !== undefined) lines.push(`    ${k.padEnd(34)} ${typeof v === "string" ? v : JSON.stringify(v)}`);
  }
  lines.push("", "  Ctrl-C stops everything.", "");
  return lines.join("\n");
}
