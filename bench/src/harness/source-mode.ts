import { fileURLToPath } from "node:url";

/**
 * Which code the benchmark processes run.
 *
 * - The workspace packages: their built `dist/` (the default: what users install, without tsx's
 *   `keepNames` wrappers, which add heap per closure and would overstate our idle memory) or
 *   their TypeScript sources (`NETSOCKETS_BENCH_SOURCE=1`, for profiling with source lines, no
 *   build needed). `pnpm bench` builds the packages first.
 * - The bench's own code: compiled to `bench/build/` (see `compile.ts`) and run by plain `node`
 *   (the default of `pnpm bench`: no tsx loader in the processes measured, as users run theirs),
 *   or its TypeScript under tsx (source mode, the tests, the probes).
 */
export const fromSource = process.env.NETSOCKETS_BENCH_SOURCE === "1";

/** The Node flags that pick the packages' code, for every process a benchmark starts. */
export const packageConditions: readonly string[] = fromSource
  ? ["--conditions=@netsockets/source"]
  : [];

/**
 * Whether this process runs the compiled bench (`build/**.js` under plain node) rather than its
 * TypeScript under tsx: decided by this module's own file name, so a compiled child starts
 * compiled server ends, and anything started from TypeScript stays on TypeScript.
 */
export const compiled = import.meta.url.endsWith(".js");

/**
 * Where `compileBench()` puts the module of a bench source file (both relative to the bench
 * folder): `src/network/peer.ts` → `build/src/network/peer.js`.
 */
export function compiledPath(sourceFile: string): string {
  return `build/${sourceFile.replace(/\.ts$/, ".js")}`;
}

/**
 * The Node arguments that run a bench module, given its path relative to the bench folder as
 * TypeScript (`src/network/peer.ts`): `["build/src/network/peer.js"]` when `asCompiled`, else
 * `["--import", "tsx", "src/network/peer.ts"]`.
 */
export function moduleArgs(sourceFile: string, asCompiled: boolean): string[] {
  return asCompiled ? [compiledPath(sourceFile)] : ["--import", "tsx", sourceFile];
}

/**
 * The bench folder, from the URL of a module in `src/<folder>/` (or `probes/`) of this process:
 * two levels up from a TypeScript module, three from a compiled one in `build/src/<folder>/`.
 */
export function benchFolder(moduleUrl: string): string {
  return fileURLToPath(new URL(compiled ? "../../../" : "../../", moduleUrl));
}
