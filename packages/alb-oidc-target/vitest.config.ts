// Test runner settings of the runtime package: `npm test` runs its unit, integration, package and security suites (the soak and the bench have their own scripts).
import { defineConfig } from "vitest/config";
import { workspaceConfig } from "../../vitest.shared.js";

export default defineConfig(
  workspaceConfig("runtime", {
    include: ["test/**/*.test.ts"],
    exclude: ["test/bench/**", "test/consumer/**", "node_modules/**"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    restoreMocks: true,
    unstubEnvs: true,
  }),
);
