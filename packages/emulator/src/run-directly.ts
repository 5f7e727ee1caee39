// The "run when executed directly" check shared by start.ts, invoke.ts and token.ts (the bin imports them instead).
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * Is the module at `moduleUrl` the process's entry script (`tsx src/start.ts`), not imported by the bin or a test?
 * @example if (runDirectly(import.meta.url)) void main(process.argv.slice(2));
 */
export function runDirectly(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}
