// Lint rules: eslint's and typescript-eslint's recommended sets (syntax-level, no type
// information, so the whole tree lints in seconds). Formatting is prettier's job (.prettierrc.json).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      "dist/",
      "coverage/",
      "reports/",
      ".stryker-tmp/",
      "examples/**/node_modules/",
      // AssemblyScript, not TypeScript (npm run build:wasm compiles it).
      "properties/audit/adapters/tlsf/assembly/",
      "properties/audit/adapters/tlsf/build/",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: "readonly",
        process: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        URL: "readonly",
      },
    },
    rules: {
      // Unused names are tsc's job (noUnusedLocals, noUnusedParameters); `_`-prefixed ones are meant.
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      "no-constant-condition": ["error", { checkLoops: false }],
      // problems.expect(condition)`message`: a tagged template is how a check() states a problem.
      "@typescript-eslint/no-unused-expressions": ["error", { allowTaggedTemplates: true }],
    },
  },
);
