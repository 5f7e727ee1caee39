// Test runner settings for `npm run test:security`: the security suite alone, with the soak (too slow for npm test), ending on a `N passed, N failed` line.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Tests talk to loopback only: any other connection fails the test that made it.
    setupFiles: ["./test/setup/network-guard.ts"],
    include: ["test/security/**/*.test.ts", "test/security/**/*.long.ts"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    restoreMocks: true,
    unstubEnvs: true,
    reporters: ["default", "./test/security/summary-reporter.ts"],
  },
});
