// Lint rules for every workspace's sources, tests and scripts: typescript-eslint's strict, type-aware set; formatting is prettier's job.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "**/dist/**",
      "**/node_modules/**",
      "packages/*/lib/**",
      "**/cdk.out/**",
      "**/cdk.out.variants/**",
      "**/coverage/**",
      "**/test-results/**",
      ".bench/**",
      "packages/emulator/test/fixtures/**/*.{mjs,cjs,js}",
      ".consumer/**",
      "packages/*/test/consumer/fixture/**",
      "examples/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: [
            "*.mjs",
            "scripts/*.mjs",
            "packages/*/scripts/*.mjs",
            "packages/*/test/consumer/*.mjs",
            "sample/*.mjs",
            "sample/scripts/*.mjs",
          ],
          // Nine build, pack and consumer scripts outside every tsconfig; the default cap is eight.
          maximumDefaultProjectFileMatchCount_THIS_WILL_SLOW_DOWN_LINTING: 16,
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-confusing-void-expression": "off",
      "@typescript-eslint/no-unnecessary-condition": ["error", { allowConstantLoopConditions: true }],
    },
  },
  {
    // node:test's describe/it return promises its runner awaits; the CDK tests read CloudFormation
    // JSON, which is untyped by nature (the construct and the sample's CDK app keep the full rule set).
    files: ["packages/cdk/test/**/*.ts", "sample/infra/test/**/*.ts"],
    rules: {
      "@typescript-eslint/no-floating-promises": "off",
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
    },
  },
  {
    files: ["**/*.mjs"],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { process: "readonly", console: "readonly" } },
  },
);
