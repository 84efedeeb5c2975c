/**
 * Compiles the bench's TypeScript (`src/**.ts` and `probes/**.ts`, except tests) to `build/` with
 * esbuild, one JavaScript module per file and the same layout (`build/src/…`, `build/probes/…`),
 * so that benchmark children, server ends and probes run
 * under plain `node`: no tsx loader thread, hooks or `keepNames` wrappers in the processes
 * measured (they cost ≈ 0.3 s of start-up per process and tens of MiB of RSS that shrink on a
 * schedule of their own, which the idle-memory workload had to wait out). Type errors are
 * `pnpm typecheck`'s business; esbuild only strips types.
 */
import { readdir, rm } from "node:fs/promises";
import { join, relative } from "node:path";
import { build } from "esbuild";
import { benchRoot } from "./discover.js";

/** Where the compiled bench goes (git-ignored). */
export const buildDir = join(benchRoot, "build");

/** Every `.ts` file under `src/` and `probes/` that is not a test, relative to the bench folder. */
export async function compilableFiles(): Promise<string[]> {
  const files: string[] = [];
  for (const folder of ["src", "probes"]) {
    const entries = await readdir(join(benchRoot, folder), {
      recursive: true,
      withFileTypes: true,
    });
    files.push(
      ...entries
        .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".test.ts"))
        .map((e) => relative(benchRoot, join(e.parentPath, e.name))),
    );
  }
  return files.sort();
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
