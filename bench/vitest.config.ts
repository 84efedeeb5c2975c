import { defineConfig, mergeConfig } from "vitest/config";
import shared from "../vitest.shared.js";

// The tests run the benchmark children from the packages' TypeScript sources, as every other
// test does (no build needed first); `pnpm bench` runs the built dist (src/harness/source-mode.ts).
export default mergeConfig(
  shared,
  defineConfig({ test: { env: { NETSOCKETS_BENCH_SOURCE: "1" } } }),
);
