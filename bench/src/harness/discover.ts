import { readdir } from "node:fs/promises";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { benchFolder, compiled, compiledPath } from "./source-mode.js";
import type { Suite } from "./types.js";

/** The bench package folder (holds package.json, src/, results/). */
export const benchRoot = benchFolder(import.meta.url);

/** A suite and the file it came from. */
export interface SuiteEntry {
  /** Path relative to {@link benchRoot}, e.g. `src/protocol/protocol.bench.ts`. */
  readonly file: string;
  readonly suite: Suite;
}

/**
 * Every `src/**\/*.bench.ts` file, sorted by path. A suite is added by creating such a file with
 * `export default defineSuite({...})`; nothing else has to be registered.
 */
export async function findSuiteFiles(): Promise<string[]> {
  return (await filesUnder("src", (name) => name.endsWith(".bench.ts"))).sort();
}

/** The files under `folder` (of the bench folder, recursively) whose name passes `keep`, as paths relative to the bench folder. */
export async function filesUnder(
  folder: string,
  keep: (name: string) => boolean,
): Promise<string[]> {
  const entries = await readdir(join(benchRoot, folder), { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && keep(e.name))
    .map((e) => relative(benchRoot, join(e.parentPath, e.name)));
}

/**
 * Imports one suite file (path relative to {@link benchRoot}, as TypeScript) and returns its
 * default export; a compiled process imports the file's compiled module in `build/`.
 */
export async function loadSuite(file: string): Promise<Suite> {
  const path = compiled ? compiledPath(file) : file;
  const module = (await import(pathToFileURL(join(benchRoot, path)).href)) as { default?: Suite };
  const suite = module.default;
  if (suite === undefined || !Array.isArray(suite.workloads)) {
    throw new Error(`${file} must default-export defineSuite({...})`);
  }
  return suite;
}

/** Loads every suite. */
export async function loadSuites(): Promise<SuiteEntry[]> {
  const files = await findSuiteFiles();
  return Promise.all(files.map(async (file) => ({ file, suite: await loadSuite(file) })));
}
