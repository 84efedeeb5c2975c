// The README shows the example of readme-example.test.ts and the contracts of
// readme-contracts.test.ts verbatim, so they always compile and run (or type-check).
import { readFileSync } from "node:fs";
import { type ErrorCode, errorCodes } from "@netsockets/errors";
import { describe, expect, it } from "vitest";
import { expectMarkdownShowsRegion } from "../../../tests/support/readme.js";

const readmeUrl = new URL("../README.md", import.meta.url);
const readme = readFileSync(readmeUrl, "utf8");

describe("README.md", () => {
  it.each([
    ["readme-example.test.ts", "readme", "## Example"],
    ["readme-contracts.test.ts", "readme-contracts", "## Stream contracts"],
  ])("shows the code of %s (region %s), verbatim", (file, region, heading) => {
    expectMarkdownShowsRegion(readmeUrl, new URL(`./${file}`, import.meta.url), region, heading);
  });

  it("names every export of the package", async () => {
    const api = await import("../src/index.js");
    for (const name of Object.keys(api)) expect(readme, name).toContain(`\`${name}`);
  });

  it("gives each error of the Errors table the class and HRESULT of @netsockets/errors", () => {
    const section = readme.slice(readme.indexOf("## Errors"), readme.indexOf("## Decisions"));
    const rows = section
      .split("\n")
      .filter((line) => line.startsWith("| ") && line.includes("`ERR_"));
    expect(rows).toHaveLength(8);
    for (const row of rows) {
      const [, classCell, codeCell, hresultCell] = row.split(" | ").map((c) => c.trim());
      const code = codeCell?.replaceAll("`", "") as ErrorCode;
      const info = errorCodes[code] as { class: string; hresult?: number };
      expect(classCell, code).toBe(`\`${info.class}\``);
      const hex = /0x([0-9A-F]{8})/.exec(hresultCell ?? "")?.[1];
      expect(hex && Number.parseInt(hex, 16), code).toBe(info.hresult);
    }
  });
});
