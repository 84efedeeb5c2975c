import { defineConfig } from "vitest/config";

// Tests that need built output (spawning dist/, packing tarballs): `*.dist.test.ts`,
// run by the turbo task `test:dist`, which depends on `build`.
export default defineConfig({
  test: {
    include: ["src/**/*.dist.test.ts", "test/**/*.dist.test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
