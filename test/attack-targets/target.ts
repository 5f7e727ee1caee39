// Which handler the attack catalogue (test/security/attacks.test.ts) attacks: the sample flow by default; the files beside this one run the same catalogue against withAlbAuth and dist/index.js.
import type { ALBEvent, ALBResult } from "aws-lambda";
import { harness as sampleHarness } from "../helpers.js";
import type { KeyServer } from "../../src/testing/key-server.js";
import type { TokenMemo } from "../../src/auth/memo.js";

/** What the catalogue needs of a cold start: the handler and every log line it wrote. */
export interface AttackHarness {
  readonly handler: (event: ALBEvent) => Promise<ALBResult>;
  readonly rawLogs: string[];
  readonly logs: Record<string, unknown>[];
  /** The sample flow exposes its memo; a packaged handler does not (its memo is asserted through behaviour only). */
  readonly tokenMemo: TokenMemo | undefined;
}

export type AttackTarget = (server: Pick<KeyServer, "url">, extra?: Record<string, string>) => AttackHarness;

let current: AttackTarget = sampleHarness;

/** Chooses the handler for the catalogue; call before importing it. */
export function useTarget(target: AttackTarget): void {
  current = target;
}

/** A fresh cold start of the chosen handler against the key server. */
export function harness(server: Pick<KeyServer, "url">, extra: Record<string, string> = {}): AttackHarness {
  return current(server, extra);
}

/** Log capture shared by the targets. */
export function capture(): { rawLogs: string[]; logs: Record<string, unknown>[]; write: (line: string) => void } {
  const rawLogs: string[] = [];
  const logs: Record<string, unknown>[] = [];
  return {
    rawLogs,
    logs,
    write: (l) => {
      rawLogs.push(l);
      logs.push(JSON.parse(l) as Record<string, unknown>);
    },
  };
}
