// `npm start`'s first act: the login configuration checked against the IdP, then one ALB event for demo user alice (as in events/whoami.json) through the function, so a broken configuration shows before the first browser visit.
import type { ALBResult } from "aws-lambda";
import { albEvent } from "alb-oidc-target/testing";
import { DEMO_USERS } from "../oidc/users.js";
import { authorizationUrl } from "./authenticate-oidc/idp-client.js";
import { CALLBACK_PATH } from "./authenticate-oidc/action.js";
import type { Emulator } from "./emulator.js";
import type { EmulatorConfig } from "./listener/config-file.js";

/** As long as the ALB waits for an IdP endpoint. */
const IDP_TIMEOUT_MS = 5000;

/** The issuer the IdP names for itself: the embedded provider's own, else its discovery document's (OIDC Discovery 4.3: it must equal the Issuer). */
async function idpIssuer(e: Emulator, c: EmulatorConfig): Promise<{ issuer: string; from: string } | { unreadable: string }> {
  if (e.idp && c.TokenEndpoint === e.idp.tokenEndpoint) return { issuer: e.idp.issuer, from: "the embedded provider's issuer" };
  const url = `${c.Issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(IDP_TIMEOUT_MS) });
    if (!res.ok) return { unreadable: `${url} answered ${res.status}` };
    const issuer = ((await res.json()) as { issuer?: unknown }).issuer;
    if (typeof issuer !== "string") return { unreadable: `${url} names no issuer` };
    return { issuer, from: `the IdP's discovery document (${url})` };
  } catch (err) {
    return { unreadable: `${url} could not be read (${err instanceof Error ? err.message : String(err)})` };
  }
}

/** The embedded provider's verdict on the authorization request the ALB would send: its error, if it refuses. */
async function embeddedRefusal(e: Emulator, c: EmulatorConfig): Promise<string | undefined> {
  const redirectUri = `${e.url}${CALLBACK_PATH}`;
  const res = await fetch(authorizationUrl(c, redirectUri, "self-check"), {
    redirect: "manual",
    signal: AbortSignal.timeout(IDP_TIMEOUT_MS),
  });
  const location = res.headers.get("location");
  if (res.status >= 300 && res.status < 400 && location !== null) {
    const back = new URL(location, c.AuthorizationEndpoint);
    const error = back.searchParams.get("error");
    if (`${back.origin}${back.pathname}` !== redirectUri || error === null) return undefined;
    return `the embedded provider sends error=${error} back to ${CALLBACK_PATH} (${back.searchParams.get("error_description") ?? ""}): Scope is "${c.Scope}"; the login would answer 401`;
  }
  const page = await res.text();
  const error = /<h1>([^<]*)<\/h1>/.exec(page)?.[1] ?? `HTTP ${res.status}`;
  if (error === "invalid_client")
    return `the embedded provider does not know ClientId "${c.ClientId}" (invalid_client): the login would stop at its 400 page`;
  if (error === "invalid_redirect_uri")
    return `the embedded provider has not registered redirect_uri ${redirectUri} (invalid_redirect_uri): the login would stop at its 400 page`;
  return `the embedded provider refuses the authorization request (${error})`;
}

/**
 * What the login would refuse in the first authenticate-oidc action's configuration: an Issuer other than
 * the one the IdP names (ID token validation fails: 561), and, with the embedded provider, a ClientId,
 * redirect URI or Scope it refuses. Empty when none of these differ (or the listener has no such action).
 */
export async function loginProblems(e: Emulator): Promise<string[]> {
  if (!e.listener.rules.some((r) => r.auth?.type === "authenticate-oidc")) return [];
  const c = e.config;
  const problems: string[] = [];
  const named = await idpIssuer(e, c);
  if ("unreadable" in named) problems.push(`Issuer "${c.Issuer}": ${named.unreadable}; the Issuer must be the IdP's issuer exactly`);
  else if (named.issuer !== c.Issuer)
    problems.push(
      `Issuer: the rule says "${c.Issuer}", ${named.from} says "${named.issuer}": the login would answer 561 AuthInvalidIdToken`,
    );
  if (e.idp && c.AuthorizationEndpoint === e.idp.authorizationEndpoint) {
    const refusal = await embeddedRefusal(e, c);
    if (refusal) problems.push(refusal);
  }
  return problems;
}

const SESSION = "npm-start-self-check";

/**
 * Sends the function what the ALB would forward for alice's request to /whoami (claims token
 * signed by the emulator's key, identity, an opaque access token) and returns its ALB result.
 */
export async function selfCheck(e: Emulator): Promise<ALBResult> {
  if (!e.app) throw new Error("the self-check needs the sample function as the target");
  const alice = DEMO_USERS.alice;
  if (!alice) throw new Error("demo user alice is missing");
  const data = e.claimsTokens.tokenFor(SESSION, { ...alice });
  e.claimsTokens.forget(SESSION);
  const event = albEvent({
    path: "/whoami",
    oidc: { data, identity: alice.sub, accessToken: "self-check-access-token" },
    multiValue: e.config.MultiValueHeaders,
  });
  return e.app.handler(event, { awsRequestId: "npm-start-self-check" });
}

/**
 * The self-check as printed by `npm start`: the ALB result with a one-line verdict; FAILED with what
 * differs (and no result) when the login would be refused, since a browser never gets as far as the function.
 */
export function describeSelfCheck(result: ALBResult, problems: readonly string[] = []): string {
  if (problems.length > 0)
    return `Self-check FAILED: the login would be refused before the function runs:\n${problems.map((p) => `  - ${p}\n`).join("")}`;
  const verdict =
    result.statusCode === 200
      ? "the function verified alice's ALB-signed claims"
      : "the function refused the emulator's token: check LoadBalancerArn, Issuer and ClientId against the function's environment";
  return `Self-check: GET /whoami as alice, straight to the function (${verdict}):\n${JSON.stringify(result, null, 2)}\n`;
}
