// Test runner settings: `npm test` runs unit, integration and security suites; the browser (e2e) and bench suites have their own scripts.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Tests talk to loopback only: any other connection fails the test that made it.
    setupFiles: ["./test/setup/network-guard.ts"],
    include: ["test/**/*.test.ts"],
    exclude: ["test/e2e/**", "test/bench/**", "node_modules/**", "infra/**"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    restoreMocks: true,
    unstubEnvs: true,
  },
});
