/**
 * Compiles the bench's TypeScript (`src/**.ts` and `probes/**.ts`, except tests) to `build/` with
 * esbuild, one JavaScript module per file and the same layout (`build/src/…`, `build/probes/…`),
 * so that benchmark children, server ends and probes run
 * under plain `node`: no tsx loader thread, hooks or `keepNames` wrappers in the processes
 * measured (they cost ≈ 0.3 s of start-up per process and tens of MiB of RSS that shrink on a
 * schedule of their own, which the idle-memory workload had to wait out). Type errors are
 * `pnpm typecheck`'s business; esbuild only strips types.
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { build } from "esbuild";
import { benchRoot, filesUnder } from "./discover.js";

/** Where the compiled bench goes (git-ignored). */
export const buildDir = join(benchRoot, "build");

/** Every `.ts` file under `src/` and `probes/` that is not a test, relative to the bench folder. */
export async function compilableFiles(): Promise<string[]> {
  const source = (name: string): boolean => name.endsWith(".ts") && !name.endsWith(".test.ts");
  return [...(await filesUnder("src", source)), ...(await filesUnder("probes", source))].sort();
}

/** Replaces `build/` with a fresh compilation of the sources; resolves with the file count. */
export async function compileBench(): Promise<number> {
  const files = await compilableFiles();
  await rm(buildDir, { recursive: true, force: true });
  await build({
    entryPoints: files.map((file) => join(benchRoot, file)),
    outdir: buildDir,
    outbase: benchRoot,
    format: "esm",
    platform: "node",
    target: "node20",
    bundle: false,
    logLevel: "warning",
  });
  return files.length;
}
