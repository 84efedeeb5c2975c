// Keeps docs/api-map.md honest: every name in its netsockets column is typechecked against the
// facade (`X` exported, `X.member` static or enum member, `X#member` instance member, `X@event`
// an event with its `on<event>` slot, `new X` constructible), every top-level name is exported by
// the package the row names, every row without a name says why, and every enum the page maps is
// listed member by member.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as facade from "netsockets";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..", "..");
const page = readFileSync(join(root, "docs", "api-map.md"), "utf8");

interface Row {
  /** 1-based line in docs/api-map.md. */
  readonly line: number;
  readonly winrt: string;
  /** The code spans of the netsockets column. */
  readonly names: readonly string[];
  readonly netsockets: string;
  /** The code spans of the package column. */
  readonly packages: readonly string[];
  readonly notes: string;
}

/** Splits a table row into cells, ignoring `|` inside code spans. */
function cells(line: string): string[] {
  const out: string[] = [];
  let current = "";
  let code = false;
  for (const ch of line.trim().slice(1, -1)) {
    if (ch === "`") code = !code;
    if (ch === "|" && !code) {
      out.push(current.trim());
      current = "";
    } else {
      current += ch;
    }
  }
  out.push(current.trim());
  return out;
}

const spans = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);

const rows: Row[] = page.split("\n").flatMap((text, index) => {
  if (!text.startsWith("| ") || text.startsWith("| WinRT |")) return [];
  const [winrt = "", netsockets = "", pkg = "", notes = ""] = cells(text);
  return [
    { line: index + 1, winrt, names: spans(netsockets), netsockets, packages: spans(pkg), notes },
  ];
});

const NAME = /^(new )?([A-Za-z_]\w*)(?:([.#@])(\w+(?:\.\w+)*))?$/;

describe("docs/api-map.md", () => {
  it("has a table row for every reference section §2–§16", () => {
    expect(rows.length).toBeGreaterThan(250);
    for (const section of [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]) {
      expect(page).toContain(`\n## §${section} `);
    }
  });

  it("every row names netsockets members in the documented notation, or says why not", () => {
    for (const row of rows) {
      const where = `docs/api-map.md:${row.line} (${row.winrt})`;
      if (row.names.length === 0) {
        expect(row.netsockets, where).toBe("—");
        expect(row.notes, where).toMatch(/\*\*(not implemented|different)\*\*: \S/);
        continue;
      }
      for (const name of row.names) expect(name, where).toMatch(NAME);
      expect(row.packages.length, where).toBeGreaterThan(0);
    }
  });

  it("every name typechecks against the facade, and its package exports it", () => {
    // One check per name, on its own line of a virtual module next to this test (so that
    // "netsockets" resolves as for the demo); a diagnostic's line leads back to the page.
    const imports = new Set<string>();
    const checks: string[] = [];
    const lineToRow: Row[] = [];
    for (const row of rows) {
      row.names.forEach((name, i) => {
        const [, ctor, top, kind, path] = NAME.exec(name) as RegExpExecArray;
        imports.add(top as string);
        const v = `_${row.line}_${i}`;
        const value = `(null as unknown as typeof ${top})`;
        const instance = `(null as unknown as ${top})`;
        let check: string;
        if (ctor !== undefined) {
          check = `const ${v}: abstract new (...args: never[]) => unknown = ${value};`;
        } else if (kind === ".") {
          check = `void ${value}.${path};`;
        } else if (kind === "#") {
          check = `void ${instance}.${path};`;
        } else if (kind === "@") {
          check = `void ${instance}.on${path}; ${instance}.addEventListener("${path}", () => {});`;
        } else {
          check = "// exported: checked by the import line"; // a type, a class or a function
        }
        checks.push(`  ${check}`);
        lineToRow.push(row);
      });
    }
    const header = `import type { ${[...imports].sort().join(", ")} } from "netsockets";\nexport function check(): void {\n`;
    const body = checks.join("\n");
    const source = `${header}${body}\n}\n`;
    const firstCheckLine = header.split("\n").length - 1; // 0-based line of checks[0]

    const virtual = join(here, "__api-map-check__.ts");
    const packageDirs = readdirSync(join(root, "packages")).map((d) => join(root, "packages", d));
    const entryOf = new Map<string, string>();
    for (const dir of packageDirs) {
      try {
        const { name } = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
          name: string;
        };
        entryOf.set(name, join(dir, "src", "index.ts"));
      } catch {
        // not a package
      }
    }
    const options: ts.CompilerOptions = {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      customConditions: ["@netsockets/source"],
      types: ["node"],
      typeRoots: [join(root, "node_modules", "@types")],
    };
    const host = ts.createCompilerHost(options);
    const { getSourceFile, fileExists, readFile } = host;
    host.getSourceFile = (file, language, ...rest) =>
      file === virtual
        ? ts.createSourceFile(file, source, language)
        : getSourceFile.call(host, file, language, ...rest);
    host.fileExists = (file) => file === virtual || fileExists.call(host, file);
    host.readFile = (file) => (file === virtual ? source : readFile.call(host, file));
    const program = ts.createProgram([virtual, ...entryOf.values()], options, host);

    const problems: string[] = [];
    for (const d of ts.getPreEmitDiagnostics(program, program.getSourceFile(virtual))) {
      const text = ts.flattenDiagnosticMessageText(d.messageText, "\n");
      const line =
        d.file !== undefined && d.start !== undefined
          ? d.file.getLineAndCharacterOfPosition(d.start).line
          : -1;
      const row = lineToRow[line - firstCheckLine];
      problems.push(
        row === undefined
          ? text
          : `docs/api-map.md:${row.line} (${row.winrt}: ${row.netsockets}): ${text}`,
      );
    }

    // The package column: each top-level name is exported by one of the packages listed.
    const checker = program.getTypeChecker();
    const exportsOf = new Map<string, Set<string>>();
    for (const [name, entry] of entryOf) {
      const file = program.getSourceFile(entry);
      const symbol = file === undefined ? undefined : checker.getSymbolAtLocation(file);
      exportsOf.set(
        name,
        new Set(symbol === undefined ? [] : checker.getExportsOfModule(symbol).map((s) => s.name)),
      );
    }
    for (const row of rows) {
      for (const name of row.names) {
        const top = NAME.exec(name)?.[2] as string;
        const owners = row.packages.filter((p) => exportsOf.get(p)?.has(top));
        if (row.packages.some((p) => !exportsOf.has(p))) {
          problems.push(
            `docs/api-map.md:${row.line}: unknown package in ${row.packages.join(", ")}`,
          );
        } else if (owners.length === 0) {
          problems.push(
            `docs/api-map.md:${row.line}: ${top} is not exported by ${row.packages.join(", ")}`,
          );
        }
      }
    }
    expect(problems).toEqual([]);
  }, 120_000);

  it("lists every member of every enum it maps", () => {
    const listed = new Map<string, Set<string>>();
    for (const row of rows) {
      for (const name of row.names) {
        const [, , top, kind, path] = NAME.exec(name) as RegExpExecArray;
        if (kind !== ".") continue;
        const value = (facade as Record<string, unknown>)[top as string];
        if (typeof value !== "object" || value === null) continue;
        listed.set(top as string, (listed.get(top as string) ?? new Set()).add(path as string));
      }
    }
    for (const enumName of [
      "ChainValidationResult",
      "SocketSslErrorSeverity",
      "MessageWebSocketReceiveMode",
      "SocketMessageType",
      "WebErrorStatus",
      "InputStreamOptions",
      "UnicodeEncoding",
      "ByteOrder",
    ]) {
      const members = Object.keys((facade as Record<string, object>)[enumName] as object);
      expect([...(listed.get(enumName) ?? [])].sort(), enumName).toEqual(members.sort());
    }
    expect(listed.get("WebErrorStatus")?.size).toBe(55);
  });
});
