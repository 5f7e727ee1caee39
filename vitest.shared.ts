// What every workspace's vitest config shares: sister packages resolved from their sources (the export condition alb-oidc-target-source) in vite, in the test workers and in every process a test starts; the loopback-only network guard; a JSON report per suite when CI asks for one (VITEST_JSON_DIR).
import { fileURLToPath } from "node:url";
import { defaultClientConditions, defaultServerConditions } from "vite";
import type { TestUserConfig, ViteUserConfig } from "vitest/config";

/**
 * The export condition under which this repository's packages point at their src/*.ts: set in tsconfig
 * (customConditions), vite, esbuild and node (--conditions) here, never by a user's tools, so an installed
 * package always resolves to its built lib/.
 */
export const SOURCE_CONDITION = "alb-oidc-target-source";

/** Tests talk to loopback only: any other connection fails the test that made it. */
export const NETWORK_GUARD = fileURLToPath(new URL("./packages/alb-oidc-target/test/setup/network-guard.ts", import.meta.url));

/** NODE_OPTIONS for the processes tests start: the source condition added to what is already set (CI's V8 flags stay). */
function nodeOptions(): string {
  const given = process.env.NODE_OPTIONS ?? "";
  const flag = `--conditions=${SOURCE_CONDITION}`;
  return given.includes(flag) ? given : `${given} ${flag}`.trim();
}

/**
 * A workspace's vitest config: `test` as given, with the shared settings around it; `suite` names its JSON report.
 * @example export default defineConfig(workspaceConfig("runtime", { include: ["test/**\/*.test.ts"] }));
 */
export function workspaceConfig(suite: string, test: TestUserConfig): ViteUserConfig {
  const jsonDir = process.env.VITEST_JSON_DIR;
  const reporters = test.reporters ?? ["default"];
  return {
    resolve: { conditions: [SOURCE_CONDITION, ...defaultClientConditions] },
    ssr: { resolve: { conditions: [SOURCE_CONDITION, ...defaultServerConditions] } },
    test: {
      ...test,
      setupFiles: [NETWORK_GUARD, ...[test.setupFiles ?? []].flat()],
      // The workers resolve the sister packages from source too when they import natively (a handler module through tsx).
      execArgv: [...(test.execArgv ?? []), `--conditions=${SOURCE_CONDITION}`],
      env: { ...test.env, NODE_OPTIONS: nodeOptions() },
      reporters: jsonDir ? [...[reporters].flat(), ["json", { outputFile: `${jsonDir}/${suite}.json` }]] : reporters,
    },
  };
}
