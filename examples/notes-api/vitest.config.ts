// Test runner settings for the notes API. In this repository alb-oidc-target is a workspace, resolved from its sources through its export condition alb-oidc-target-source; with the installed package, leave `ssr` out.
import { defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";

export default defineConfig({
  ssr: { resolve: { conditions: ["alb-oidc-target-source", ...defaultServerConditions] } },
  test: { include: ["test/**/*.test.ts"], testTimeout: 20_000 },
});
