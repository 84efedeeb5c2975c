import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { hresultStatusTable } from "./hresult-status.js";
import {
  type ErrorCode,
  errorCodes,
  systemErrorStatusTable,
  tlsErrorStatusTable,
  webErrorStatusName,
} from "./index.js";

// The README documents tables that live in code; these tests fail as soon as the two differ.
const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");

/** The rows (cells trimmed) of the first Markdown table after the line `heading`. */
function tableAfter(heading: string, header: string): string[][] {
  const lines = readme.split("\n");
  const start = lines.indexOf(heading);
  expect(start, `heading ${heading}`).toBeGreaterThanOrEqual(0);
  const first = lines.findIndex((line, i) => i > start && line.startsWith("|"));
  expect(lines[first]).toBe(header);
  const rows: string[][] = [];
  for (let i = first + 2; i < lines.length && lines[i]?.startsWith("|"); i++) {
    rows.push(
      (lines[i] ?? "")
        .split("|")
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
  }
  return rows;
}

/** `` `name` (N) `` → [name, N]. */
function parseStatus(cell: string): [string, number] {
  const match = /^`(\w+)` \((\d+)\)$/.exec(cell);
  expect(match, cell).not.toBeNull();
  return [match?.[1] ?? "", Number(match?.[2])];
}

const backticked = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
const hex = (value: number) => `\`0x${value.toString(16).toUpperCase().padStart(8, "0")}\``;

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

  it("lists every error code exactly once, with the class, status, HRESULT, close code and meaning of errorCodes", () => {
    const rows = tableAfter(
      "## Error codes",
      "| Code | Class | Status | HRESULT | Close code | Meaning |",
    );
    const listed = rows.map((row) => backticked(row[0] ?? "")[0]);
    expect(listed).toEqual(Object.keys(errorCodes));
    for (const [codeCell, classCell, statusCell, hresultCell, closeCell, meaning] of rows) {
      const code = backticked(codeCell ?? "")[0] as ErrorCode;
      const row: {
        class: string;
        status: number;
        hresult?: number;
        closeCode?: number;
        meaning: string;
      } = errorCodes[code];
      expect(classCell, code).toBe(`\`${row.class}\``);
      expect(parseStatus(statusCell ?? ""), code).toEqual([
        webErrorStatusName(row.status as never),
        row.status,
      ]);
      expect(hresultCell, code).toBe(row.hresult === undefined ? "—" : hex(row.hresult));
      expect(closeCell, code).toBe(row.closeCode === undefined ? "—" : String(row.closeCode));
      expect(meaning, code).toBe(row.meaning);
    }
  });

  it.each([
    ["### Node system errors", systemErrorStatusTable],
    ["### Node TLS errors", tlsErrorStatusTable],
  ] as const)("%s lists exactly the rows of the table", (heading, table) => {
    const documented: Record<string, string> = {};
    for (const [codes, status] of tableAfter(heading, "| Node `err.code` | Status |")) {
      const [name, value] = parseStatus(status ?? "");
      expect(webErrorStatusName(value as never)).toBe(name);
      for (const code of backticked(codes ?? "")) {
        expect(Object.hasOwn(documented, code ?? ""), `${code} listed twice`).toBe(false);
        documented[code as string] = name;
      }
    }
    expect(documented).toEqual(
      Object.fromEntries(Object.entries(table).map(([code, s]) => [code, webErrorStatusName(s)])),
    );
  });

  it("### HRESULTs lists exactly the named rows of the table", () => {
    const rows = tableAfter("### HRESULTs", "| HRESULT | Name | Status |");
    const named = hresultStatusTable.filter((row) => !/^HTTP_E_STATUS_\d+$/.test(row.name));
    expect(rows).toEqual(
      named.map((row) => [
        hex(row.hresult),
        `\`${row.name}\``,
        `\`${webErrorStatusName(row.status)}\` (${row.status})`,
      ]),
    );
    // The rest are the HTTP_E_STATUS_<N> rows the prose describes, one per HTTP member.
    expect(hresultStatusTable.length - named.length).toBe(31);
  });
});
