// Lint rules for src, test, scripts and infra: typescript-eslint's strict, type-aware set; formatting is prettier's job.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "**/dist/**",
      "node_modules/**",
      "infra/node_modules/**",
      "infra/dist/**",
      "infra/cdk.out/**",
      "infra/cdk.out.variants/**",
      "examples/notes-api/infra/**",
      "coverage/**",
      "test-results/**",
      ".bench/**",
      "test/emulator/fixtures/**/*.{mjs,cjs,js}",
      "lib/**",
      "examples/notes-api/node_modules/**",
      ".consumer/**",
      "test/consumer/fixture/**",
      "examples/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ["*.mjs", "scripts/*.mjs", "test/consumer/*.mjs"] },
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
    // node:test's describe/it return promises its runner awaits; the infra tests read CloudFormation
    // JSON, which is untyped by nature (the lib itself keeps the full rule set).
    files: ["infra/test/**/*.ts"],
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
