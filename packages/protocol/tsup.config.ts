import { defineConfig } from "tsup";

/**
 * The shared library build (ESM + CJS + declarations) with a second entry: the test helpers,
 * published as `@netsockets/protocol/testing`. Entry names keep the folder, so the helpers land
 * in dist/testing/index.* as package.json `exports` expects.
 */
export default defineConfig({
  entry: { index: "src/index.ts", "testing/index": "src/testing/index.ts" },
  format: ["esm", "cjs"],
  // tsup 8.5 forces `baseUrl` into its d.ts compile; TypeScript 6 rejects that
  // (TS5101) unless deprecations are silenced for this one compile.
  dts: { compilerOptions: { ignoreDeprecations: "6.0" } },
  sourcemap: true,
  clean: true,
  target: "node20",
});
