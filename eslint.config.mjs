// Lint as part of `npm test`: typescript-eslint's recommended and type-checked rules, which
// catch floating promises and unsafe `any` flowing into typed code.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "bench/peer/", "data/", ".worktrees/", "eslint.config.mjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // An `async` method that never awaits is how an interface that wants a promise is met
      // (Apollo plugin hooks, route handlers, test doubles of async interfaces). It is not a
      // hazard: the hazards, a promise nobody waits for or one passed where a callback's result
      // is ignored, are no-floating-promises and no-misused-promises, which stay on.
      "@typescript-eslint/require-await": "off",
      // A leading underscore marks a parameter or binding kept on purpose (an interface's
      // signature, a property dropped with a rest spread); anything else unused is still an error.
      "@typescript-eslint/no-unused-vars": [
        "error",
        {
          argsIgnorePattern: "^_",
          varsIgnorePattern: "^_",
          caughtErrorsIgnorePattern: "^_",
          destructuredArrayIgnorePattern: "^_",
          ignoreRestSiblings: true,
        },
      ],
      // node:test's describe/it/test return a promise the runner itself tracks; awaiting or
      // voiding every top-level block would be noise. Subtests (`t.test`) are still checked.
      "@typescript-eslint/no-floating-promises": [
        "error",
        {
          allowForKnownSafeCalls: [
            { from: "package", package: "node:test", name: ["describe", "it", "test", "suite"] },
          ],
        },
      ],
    },
  },
  {
    // Which better-sqlite3 loads depends on the Node running (src/db/better-sqlite3.ts): a direct
    // import loads 12 everywhere, which aborts processes on Node 24. Types may still be imported.
    files: ["**/*.ts"],
    ignores: ["src/db/better-sqlite3.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [
            { name: "better-sqlite3", allowTypeImports: true, message: "Use betterSqlite3() from src/db/better-sqlite3.ts." },
            { name: "better-sqlite3-napi", allowTypeImports: true, message: "Use betterSqlite3() from src/db/better-sqlite3.ts." },
          ],
        },
      ],
    },
  },
  {
    // Without simpleResolvers type-graphql wraps every plain field in a middleware runner (we have
    // no middlewares): two allocations per field per row, and graphql-jit, which reads a field with
    // no resolver straight off the object, had to call the wrapper instead.
    files: ["src/**/*.ts"],
    rules: {
      "no-restricted-syntax": [
        "error",
        {
          selector: "CallExpression[callee.name='ObjectType']:not(:has(Property[key.name='simpleResolvers']))",
          message: "Give @ObjectType simpleResolvers: true (see eslint.config.mjs).",
        },
      ],
    },
  },
  {
    // Tests and benchmarks read GraphQL responses, JSON bodies and child-process output, which
    // are untyped by nature (`JSON.parse`, `res.json()`); typing every response shape would add
    // casts without catching anything, since the assertions themselves check the shape. src/
    // keeps the full no-unsafe-* / no-explicit-any set. Promise rules stay on here too: a
    // forgotten await in a test is a test that cannot fail.
    files: ["tests/**/*.ts", "bench/**/*.ts"],
    rules: {
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      "@typescript-eslint/no-explicit-any": "off",
    },
  },
);
