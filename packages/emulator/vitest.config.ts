// Test runner settings of the emulator package: `npm test` runs its tests (the browser suite and the throughput bench have their own scripts).
import { defineConfig } from "vitest/config";
import { workspaceConfig } from "../../vitest.shared.js";

export default defineConfig(
  workspaceConfig("emulator", {
    include: ["test/**/*.test.ts"],
    exclude: ["test/e2e/**", "test/bench/**", "node_modules/**"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    restoreMocks: true,
    unstubEnvs: true,
  }),
);
