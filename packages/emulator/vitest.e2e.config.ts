// Test runner settings for the browser suite (`npm run test:e2e`): Debian's Chromium driving the local ALB emulator.
import { defineConfig } from "vitest/config";
import { workspaceConfig } from "../../vitest.shared.js";

export default defineConfig(
  workspaceConfig("e2e", {
    include: ["test/e2e/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // One browser at a time: the CI machine has two cores.
    fileParallelism: false,
  }),
);
