import { readFileSync } from "node:fs";
import { expect, it } from "vitest";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");

it("README.md shows the example of readme-example.test.ts, verbatim", () => {
  const source = readFileSync(new URL("./readme-example.test.ts", import.meta.url), "utf8");
  const example = source
    .slice(
      source.indexOf("// #region readme\n") + "// #region readme\n".length,
      source.indexOf("// #endregion readme"),
    )
    .trimEnd();
  expect(example.length).toBeGreaterThan(500);
  expect(readme).toContain(`\`\`\`ts\n${example}\n\`\`\``);
});
