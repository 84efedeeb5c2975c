#!/usr/bin/env node
// Scaffolds a library package under packages/<folder> with the shared layout:
// node scripts/new-package.mjs <folder> <npm-name> "<description>" [dep ...]
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [folder, name, description, ...deps] = process.argv.slice(2);
if (!folder || !name || !description) {
  console.error('usage: new-package.mjs <folder> <npm-name> "<description>" [dep ...]');
  process.exit(2);
}
const dir = join("packages", folder);
if (existsSync(join(dir, "package.json"))) {
  console.error(`${dir} exists`);
  process.exit(1);
}
mkdirSync(join(dir, "src"), { recursive: true });
const dist = {
  import: { types: "./dist/index.d.ts", default: "./dist/index.js" },
  require: { types: "./dist/index.d.cts", default: "./dist/index.cjs" },
};
const pkg = {
  name,
  version: "0.0.0",
  description,
  license: "MIT",
  type: "module",
  sideEffects: false,
  engines: { node: ">=20.19" },
  files: ["dist"],
  main: "./dist/index.cjs",
  module: "./dist/index.js",
  types: "./dist/index.d.cts",
  exports: {
    ".": { "@netsockets/source": "./src/index.ts", ...dist },
    "./package.json": "./package.json",
  },
  publishConfig: { exports: { ".": dist, "./package.json": "./package.json" } },
  scripts: {
    build: "tsup",
    test: "vitest run",
    typecheck: "tsc --noEmit",
    "check-exports": "publint && attw --pack .",
  },
  dependencies: Object.fromEntries(deps.map((d) => [d, "workspace:*"])),
};
writeFileSync(join(dir, "package.json"), `${JSON.stringify(pkg, null, 2)}\n`);
writeFileSync(
  join(dir, "tsconfig.json"),
  `${JSON.stringify({ extends: "../../tsconfig.base.json", include: ["src", "test", "*.ts"] }, null, 2)}\n`,
);
writeFileSync(join(dir, "tsup.config.ts"), 'export { default } from "../../tsup.shared.js";\n');
writeFileSync(join(dir, "vitest.config.ts"), 'export { default } from "../../vitest.shared.js";\n');
console.log(`created ${dir}`);
