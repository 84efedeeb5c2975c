import { defineConfig } from "vitest/config";

// Tests import workspace packages through the "@netsockets/source" export
// condition, i.e. straight from their TypeScript source, so no package has to
// be built before another one's tests run. Vitest runs test files in Vite's SSR
// environment, so the condition goes in ssr.resolve.conditions (plain
// resolve.conditions is ignored there); the other entries are Vite's defaults
// for that list, which setting it replaces.
export default defineConfig({
  ssr: {
    resolve: {
      conditions: ["@netsockets/source", "module", "node", "development|production"],
    },
  },
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**", "**/*.dist.test.ts", "**/*.soak.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
