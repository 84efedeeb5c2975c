// Every TypeScript block of the Markdown users read (the repository README, packages/*/README.md,
// apps/*/README.md, docs/*.md) is compiled and run in CI: each must be the `// #region` of a test
// file, verbatim (the package's own README test says which test runs it). A new block that is
// not yet a region fails here, so examples cannot go stale unnoticed.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { expect, it } from "vitest";

const root = new URL("../../", import.meta.url).pathname;

const markdownFiles = [
  "README.md",
  ...["packages", "apps"].flatMap((dir) =>
    readdirSync(join(root, dir)).map((name) => `${dir}/${name}/README.md`),
  ),
  ...readdirSync(join(root, "docs"))
    .filter((name) => name.endsWith(".md"))
    .map((name) => `docs/${name}`),
].filter((file) => existsSync(join(root, file)));

/** Test sources that may hold README regions (sources and tests of every workspace). */
function testFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name === "dist" || entry.name.startsWith(".")) {
      continue;
    }
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...testFiles(path));
    else if (entry.name.endsWith(".test.ts")) files.push(path);
  }
  return files;
}

/** Every `// #region NAME` … `// #endregion NAME` of every test file, with that file's text. */
const regions = ["packages", "apps", "tests"]
  .flatMap((dir) => testFiles(join(root, dir)))
  .flatMap((file) => {
    const source = readFileSync(file, "utf8");
    return [...source.matchAll(/^\/\/ #region (\S+)\n([\s\S]*?)^\/\/ #endregion \1$/gm)].map(
      (match) => ({ file: relative(root, file), source, code: (match[2] ?? "").trimEnd() }),
    );
  });

/** The ```ts / ```typescript / ```js blocks of a Markdown text, with their line numbers. */
function codeBlocks(text: string): { line: number; code: string }[] {
  const blocks: { line: number; code: string }[] = [];
  for (const match of text.matchAll(
    /^```(ts|tsx|typescript|js|javascript|mjs)\n([\s\S]*?)^```$/gm,
  )) {
    const line = text.slice(0, match.index).split("\n").length;
    blocks.push({ line, code: (match[2] ?? "").trimEnd() });
  }
  return blocks;
}

/**
 * A block is covered when it is a region, or a region preceded only by import lines that stand
 * verbatim at the top of that region's file (so the file's import sorting cannot reorder them).
 */
function coveringRegion(code: string): string | undefined {
  for (const region of regions) {
    if (code === region.code) return region.file;
    if (!code.endsWith(`\n\n${region.code}`)) continue;
    const head = code.slice(0, code.length - region.code.length).trim();
    if (/^import [\s\S]*;$/.test(head) && region.source.includes(head)) return region.file;
  }
  return undefined;
}

it("finds the README regions of the workspace", () => {
  expect(markdownFiles.length).toBeGreaterThan(10);
  expect(regions.length).toBeGreaterThan(10);
});

it.each(markdownFiles)("%s: every TypeScript block is a region of a test", (file) => {
  const uncovered = codeBlocks(readFileSync(join(root, file), "utf8"))
    .filter(({ code }) => coveringRegion(code) === undefined)
    .map(({ line, code }) => `${file}:${line}: ${code.split("\n")[0]}`);
  expect(uncovered).toEqual([]);
});
