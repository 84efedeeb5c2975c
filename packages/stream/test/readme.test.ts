// The README shows the example of readme-example.test.ts verbatim, so it always compiles and
// runs, and it names the package's main exports.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULT_INBOUND_BUFFER_SIZE, MAX_FRAME_SIZE } from "../src/index.js";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");

describe("README.md", () => {
  it("shows the example of readme-example.test.ts, verbatim", () => {
    const source = readFileSync(new URL("./readme-example.test.ts", import.meta.url), "utf8");
    const example = source
      .slice(
        source.indexOf("// #region readme\n") + "// #region readme\n".length,
        source.indexOf("// #endregion readme"),
      )
      .trimEnd();
    expect(example.length).toBeGreaterThan(200);
    expect(readme).toContain(`\`\`\`ts\n${example}\n\`\`\``);
  });

  it("names the exports and states the sizes the code uses", async () => {
    const api = await import("../src/index.js");
    for (const name of Object.keys(api)) expect(readme, name).toContain(`\`${name}`);
    expect(MAX_FRAME_SIZE).toBe(1024 * 1024);
    expect(readme).toContain("frames of at most **1 MiB**");
    expect(DEFAULT_INBOUND_BUFFER_SIZE).toBe(1024 * 1024);
    expect(readme).toContain("1 MiB");
  });
});
