// A machine route trusts a token only for its audience: without M2M_AUDIENCE the cold start fails, an ID token of the same issuer is refused, and `none` is the only way to skip the check.
import type { ALBEvent } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { ConfigError } from "../../src/errors.js";
import { albEvent } from "../../src/testing/events.js";
import { createRsaKey } from "../../src/testing/keys.js";
import { DEFAULT_M2M_AUDIENCE, DEFAULT_M2M_ISSUER, mintMachineToken } from "../../src/testing/machine-token.js";
import { echoApp, expectUnauthorized, harness, testEnv, useKeyServer } from "../helpers.js";

const rsa = createRsaKey();
const server = useKeyServer([rsa]);

describe("an ID token of the machine issuer is not a machine token", () => {
  const m2m = { M2M_PATH_PREFIXES: "/api/", M2M_ISSUER: DEFAULT_M2M_ISSUER };
  const jwks = (): Record<string, string> => ({ ...m2m, M2M_JWKS_URI: `${server.url}/jwks.json` });
  /** An ID token from the same issuer: a web client's aud, no scope, a person's sub. */
  const idToken = (): string =>
    mintMachineToken({ key: rsa, audience: "web-client-id", scope: null, payload: { sub: "alice", email: "alice@example.com" } });
  const api = (token: string): ALBEvent => albEvent({ path: "/api/orders", headers: { authorization: `Bearer ${token}` } });

  it("any token is a machine: without M2M_AUDIENCE the cold start fails naming it", () => {
    expect(() => createApp(testEnv(server, jwks()), { app: echoApp })).toThrow(ConfigError);
    expect(() => createApp(testEnv(server, jwks()), { app: echoApp })).toThrow(/^M2M_AUDIENCE is required/);
  });

  it("any token is a machine: an ID-token-shaped token is 401 invalid_audience once M2M_AUDIENCE is set", async () => {
    const h = harness(server, { ...jwks(), M2M_AUDIENCE: DEFAULT_M2M_AUDIENCE });
    expectUnauthorized(await h.handler(api(idToken())), "invalid_audience");
    expect((await h.handler(api(mintMachineToken({ key: rsa, scope: "orders:read" })))).statusCode).toBe(200);
  });

  it("any token is a machine: M2M_AUDIENCE=none is the explicit way to skip the check", async () => {
    const h = harness(server, { ...jwks(), M2M_AUDIENCE: "none" });
    expect((await h.handler(api(idToken()))).statusCode).toBe(200);
  });
});
