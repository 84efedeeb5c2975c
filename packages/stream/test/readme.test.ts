// The README shows the examples of readme-example.test.ts and readme-data-example.test.ts
// verbatim, so they always compile and run, and it names the package's main exports.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { expectMarkdownShowsRegion } from "../../../tests/support/readme.js";
import { DEFAULT_INBOUND_BUFFER_SIZE, MAX_FRAME_SIZE } from "../src/index.js";

const readmeUrl = new URL("../README.md", import.meta.url);
const readme = readFileSync(readmeUrl, "utf8");

describe("README.md", () => {
  it.each([
    ["readme-example.test.ts", "readme"],
    ["readme-data-example.test.ts", "readme-data"],
  ])("shows the example of %s (region %s), verbatim", (file, region) => {
    expectMarkdownShowsRegion(readmeUrl, new URL(`./${file}`, import.meta.url), region);
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
