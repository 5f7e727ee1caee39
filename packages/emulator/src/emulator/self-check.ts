// `npm start`'s first act: one ALB event for demo user alice (as in events/whoami.json) through the function, so a broken configuration shows before the first browser visit.
import type { ALBResult } from "aws-lambda";
import { albEvent } from "alb-oidc-target/testing";
import { DEMO_USERS } from "../oidc/users.js";
import type { Emulator } from "./emulator.js";

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

/** The self-check as printed by `npm start`: the ALB result, with a one-line verdict. */
export function describeSelfCheck(result: ALBResult): string {
  const verdict =
    result.statusCode === 200
      ? "the function verified alice's ALB-signed claims"
      : "the function refused the emulator's token: check LoadBalancerArn, Issuer and ClientId against the function's environment";
  return `Self-check: GET /whoami as alice, straight to the function (${verdict}):\n${JSON.stringify(result, null, 2)}\n`;
}
