// Test runner settings for `npm run test:security`: the security suite with the soak (too slow for npm test) and the authorization attacks, ending on a `N passed, N failed` line.
import { defineConfig } from "vitest/config";
import { workspaceConfig } from "../../vitest.shared.js";

export default defineConfig(
  workspaceConfig("security", {
    // The security suite, the soak, and the attacks on the authorization rules (users and machines).
    include: [
      "test/security/**/*.test.ts",
      "test/security/**/*.long.ts",
      "test/integration/authorize.test.ts",
      "test/integration/machine-audience.test.ts",
    ],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    restoreMocks: true,
    unstubEnvs: true,
    reporters: ["default", "./test/security/summary-reporter.ts"],
  }),
);
