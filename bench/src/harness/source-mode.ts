/**
 * Which code of the workspace packages the benchmarks run: their built `dist/` (the default:
 * what users install, without tsx's `keepNames` wrappers, which add heap per closure and would
 * overstate our idle memory) or their TypeScript sources (`NETSOCKETS_BENCH_SOURCE=1`, for
 * profiling with source lines, no build needed). `pnpm bench` builds the packages first.
 */
export const fromSource = process.env.NETSOCKETS_BENCH_SOURCE === "1";

/** The Node flags that pick that code, for every process a benchmark starts. */
export const packageConditions: readonly string[] = fromSource
  ? ["--conditions=@netsockets/source"]
  : [];
