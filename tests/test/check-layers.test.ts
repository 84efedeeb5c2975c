import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const script = join(repo, "scripts", "check-layers.mjs");
const temps: string[] = [];

/** A copy of the repository's packages (sources and manifests only) in a temporary folder. */
function copyOfPackages(): string {
  const dir = mkdtempSync(join(tmpdir(), "layers-"));
  temps.push(dir);
  cpSync(join(repo, "packages"), join(dir, "packages"), {
    recursive: true,
    filter: (src) => !/[\\/](node_modules|dist)([\\/]|$)/.test(src),
  });
  return dir;
}

function check(root: string) {
  return spawnSync(process.execPath, [script, "--root", root], { encoding: "utf8" });
}

function addSource(root: string, pkg: string, file: string, text: string) {
  const path = join(root, "packages", pkg, "src", file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("layer check", () => {
  it("passes on the repository as it is", () => {
    const result = check(repo);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
  });

  it.each([
    ["protocol", 'import { createHash } from "node:crypto";\n', "must stay portable"],
    ["protocol", 'import * as fs from "fs";\n', "must stay portable"],
    ["protocol", "export const t = setTimeout;\n", "uses setTimeout"],
    ["protocol", "export const b = Buffer.alloc(1);\n", "uses Buffer"],
    ["errors", 'export * from "@netsockets/protocol";\n', "may not import @netsockets/protocol"],
    ["data", 'import "@netsockets/node";\n', "may not import @netsockets/node"],
    [
      "protocol",
      'export const m = await import("@netsockets/data");\n',
      "may not import @netsockets/data",
    ],
  ])("fails on a forbidden edge in %s: %s", (pkg, text, message) => {
    const root = copyOfPackages();
    addSource(root, pkg, "forbidden.ts", text);
    const result = check(root);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(message);
  });

  it("fails when message imports its sibling stream", () => {
    const root = copyOfPackages();
    for (const pkg of ["message", "stream"]) {
      mkdirSync(join(root, "packages", pkg, "src"), { recursive: true });
      writeFileSync(
        join(root, "packages", pkg, "package.json"),
        JSON.stringify({ name: `@netsockets/${pkg}`, dependencies: {} }),
      );
    }
    addSource(
      root,
      "message",
      "index.ts",
      'import { StreamWebSocket } from "@netsockets/stream";\n',
    );
    const result = check(root);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("@netsockets/message may not import @netsockets/stream");
  });

  it("fails when the facade holds logic", () => {
    const root = copyOfPackages();
    mkdirSync(join(root, "packages", "netsockets", "src"), { recursive: true });
    writeFileSync(
      join(root, "packages", "netsockets", "package.json"),
      JSON.stringify({ name: "netsockets" }),
    );
    addSource(
      root,
      "netsockets",
      "index.ts",
      'export { CloseCode } from "@netsockets/errors";\nexport const x = 1;\n',
    );
    const result = check(root);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("only `export … from` lines");
  });
});
