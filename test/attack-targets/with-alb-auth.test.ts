// The attack catalogue against a handler built with the package's withAlbAuth (an app that echoes the principal as the sample does), not the sample flow.
import { withAlbAuth } from "../../src/api.js";
import { jsonResult } from "../../src/alb/result.js";
import { isMultiValue } from "../../src/alb/event.js";
import { testEnv } from "../helpers.js";
import { capture, useTarget } from "./target.js";

useTarget((server, extra = {}) => {
  const log = capture();
  const handler = withAlbAuth(
    ({ event, principal }) =>
      jsonResult(200, { message: "Token is valid", identity: principal.sub, claims: principal.claims }, undefined, isMultiValue(event)),
    { env: testEnv(server, extra), writeLog: log.write },
  );
  return { handler: (e) => handler(e), rawLogs: log.rawLogs, logs: log.logs, tokenMemo: undefined };
});

await import("../security/attacks.test.js");
