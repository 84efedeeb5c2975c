import { defineConfig } from "tsup";

/** The build every library package shares: ESM + CJS + declarations from src/index.ts. */
export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  // tsup 8.5 forces `baseUrl` into its d.ts compile; TypeScript 6 rejects that
  // (TS5101) unless deprecations are silenced for this one compile.
  dts: { compilerOptions: { ignoreDeprecations: "6.0" } },
  sourcemap: true,
  clean: true,
  target: "node20",
});
