// `node --expose-gc --import tsx test/bench/routing.ts`: what telling a plain path without parsing it saves, as a share of a request on a function with machine routes whose token the memo knows.
import { createApp } from "../../src/app.js";
import { machinePaths } from "../../src/routes/route.js";
import { createFakeAlb } from "../../src/testing/index.js";
import { echoApp } from "../echo-app.js";
import { benchEvent } from "./common.js";
import { median, timeAsync, timeSync } from "./stats.js";

const ROUNDS = 15;
const ITERATIONS = 2000;
/** Paths as a user and a machine send them: plain, so the shortcut applies. */
const PATHS = ["/whoami", "/api/orders/42", "/notes/8c7d0a9e-5d3b-4f7e-9a51-3c2b1d0e9f88", "/internal/reports"];

async function main(): Promise<void> {
  const alb = await createFakeAlb();
  try {
    const env = {
      ...alb.env,
      M2M_PATH_PREFIXES: "/api/,/internal/",
      M2M_ISSUER: "https://auth.example.com",
      M2M_JWKS_URI: "https://auth.example.com/jwks.json",
      M2M_AUDIENCE: "none",
    };
    const app = createApp(env, { app: echoApp, writeLog: () => undefined });
    const token = alb.userToken();
    await app.handler(benchEvent(alb, token));
    const fast = machinePaths(["/api/", "/internal/"], { caseSensitive: false });
    const parsed = machinePaths(["/api/", "/internal/"], { caseSensitive: false, parseEveryPath: true });
    const requestNs: number[] = [];
    const savedNs: number[] = [];
    for (let round = 0; round <= ROUNDS; round++) {
      const events = Array.from({ length: ITERATIONS }, () => benchEvent(alb, token));
      const request = await timeAsync(ITERATIONS, (i) => app.handler(events[i] ?? benchEvent(alb, token)));
      const slow = timeSync(ITERATIONS, (i) => parsed.kindOf(PATHS[i % PATHS.length] as string));
      const quick = timeSync(ITERATIONS, (i) => fast.kindOf(PATHS[i % PATHS.length] as string));
      if (round === 0) continue; // warm-up
      requestNs.push(request);
      savedNs.push(slow - quick);
    }
    const request = median(requestNs);
    const saved = median(savedNs);
    process.stdout.write(
      `a remembered token's request: ${(request / 1000).toFixed(1)} us; parsing a plain path's forms: ${(saved / 1000).toFixed(2)} us more` +
        ` (${((saved / (request + saved)) * 100).toFixed(1)} % of the request that parses them)\n`,
    );
  } finally {
    await alb.stop();
  }
}

await main();
