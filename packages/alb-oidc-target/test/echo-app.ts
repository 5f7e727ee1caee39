// The app the tests and the bench put behind the request flow: it answers who the verified caller is, in the JSON shape of the emulator's sample app whoami (whoami itself lives in the emulator package, which depends on this one).
import type { AlbApp } from "../src/api.js";

/**
 * `{ message, identity, claims }` for a user, `{ message, principal, claims }` for a machine, as JSON
 * (delivered in the event's header mode by the flow).
 * @example const { handler } = createApp(env, { app: echoApp });
 */
export const echoApp: AlbApp = ({ principal }) => {
  const body =
    principal.type === "machine"
      ? (({ claims, ...who }) => ({ message: "Token is valid", principal: who, claims }))(principal)
      : { message: "Token is valid", identity: principal.sub, claims: principal.claims };
  return { statusCode: 200, headers: { "content-type": "application/json", "cache-control": "no-store" }, body: JSON.stringify(body) };
};
