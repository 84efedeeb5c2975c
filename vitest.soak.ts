import { defineConfig } from "vitest/config";

// Long transfers (over 256 MiB) and soak runs: `*.soak.test.ts`, run by `pnpm test:soak`.
export default defineConfig({
  ssr: {
    resolve: {
      conditions: ["@netsockets/source", "module", "node", "development|production"],
    },
  },
  test: {
    include: ["src/**/*.soak.test.ts", "test/**/*.soak.test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**"],
    testTimeout: 1_200_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
