// Throughput of the local ALB emulator for a logged-in user on loopback: log in once through the embedded provider, then autocannon with the session cookie.
import autocannon from "autocannon";
import { startEmulator } from "../../src/local/emulator/emulator.js";
import { Browser } from "../emulator/browser.js";

export interface EmulatorResult {
  /** Mean requests per second answered 2xx, or null when it could not be measured. */
  readonly rps: number | null;
  readonly note: string;
}

/**
 * Every request goes the whole way: session cookie unsealed, claims token (re-)minted when due,
 * event built, our handler (with its memo) run, result converted to HTTP. Log lines are discarded.
 */
export async function runEmulator(seconds: number, log: (line: string) => void): Promise<EmulatorResult> {
  const alb = await startEmulator({ port: 0, idpPort: 0, writeLog: () => undefined, file: { Scope: "openid profile email" } });
  try {
    const browser = new Browser();
    const { final } = await browser.login(`${alb.url}/whoami`, "alice");
    if (final.res.status !== 200) return { rps: null, note: `login through the emulator answered ${final.res.status}` };
    const cookie = await browser.jar.getCookieString(`${alb.url}/whoami`);
    const result = await autocannon({ url: `${alb.url}/whoami`, headers: { cookie }, duration: seconds, connections: 10 });
    const ok = result["2xx"];
    const total = ok + result.non2xx + result.errors + result.timeouts;
    log(`emulator: ${ok} of ${total} requests 2xx in ${seconds} s`);
    if (ok === 0 || ok < total * 0.99) return { rps: null, note: `only ${ok} of ${total} requests answered 2xx` };
    return {
      rps: Math.round(result.requests.average),
      note: `autocannon, 10 connections, ${seconds} s, GET /whoami with alice's session cookie; log lines discarded`,
    };
  } finally {
    await alb.stop();
  }
}
