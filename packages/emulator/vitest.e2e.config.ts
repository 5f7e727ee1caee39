// Test runner settings for the browser suite (`npm run test:e2e`): Debian's Chromium driving the local ALB emulator.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Tests talk to loopback only: any other connection fails the test that made it.
    setupFiles: ["./test/setup/network-guard.ts"],
    include: ["test/e2e/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // One browser at a time: the CI machine has two cores.
    fileParallelism: false,
  },
});
