/**
 * README examples are compiled and run in CI by keeping each one in a test file between
 * `// #region <name>` and `// #endregion <name>` lines; these helpers check that a Markdown file
 * shows that region verbatim as a fenced `ts` block, so the two cannot drift apart.
 */
import { readFileSync } from "node:fs";
import { expect } from "vitest";

/** The lines between `// #region <name>` and `// #endregion <name>` of a file, trailing blanks cut. */
export function sourceRegion(file: URL, name = "readme"): string {
  const source = readFileSync(file, "utf8");
  const start = `// #region ${name}\n`;
  const from = source.indexOf(start);
  const to = source.indexOf(`// #endregion ${name}\n`, from);
  // Both markers are required, in order; a missing one would otherwise compare an empty example.
  expect(from, `${file.pathname}: // #region ${name}`).toBeGreaterThanOrEqual(0);
  expect(to, `${file.pathname}: // #endregion ${name}`).toBeGreaterThan(from);
  return source.slice(from + start.length, to).trimEnd();
}

/**
 * Asserts that `markdown` holds the region `name` of `source` as a whole ```ts block. With
 * `heading`, the block must come after that line (so an example stays in its section).
 */
export function expectMarkdownShowsRegion(
  markdown: URL,
  source: URL,
  name = "readme",
  heading?: string,
): void {
  const example = sourceRegion(source, name);
  expect(example.split("\n").length, `${name} is a real example`).toBeGreaterThan(3);
  let text = readFileSync(markdown, "utf8");
  if (heading !== undefined) {
    const at = `\n${text}`.indexOf(`\n${heading}\n`); // the heading is a whole line
    expect(at, `${markdown.pathname}: ${heading}`).toBeGreaterThanOrEqual(0);
    text = text.slice(at);
  }
  expect(text).toContain(`\`\`\`ts\n${example}\n\`\`\``);
}
