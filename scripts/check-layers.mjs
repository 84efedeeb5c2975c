#!/usr/bin/env node
// The layer check of design §1: reads every import of every package's source and fails on an
// edge the design forbids (an upward or sideways import, `protocol` touching `node:*`, timers
// or Buffer, logic in the facade). Usage: node scripts/check-layers.mjs [--root DIR]
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { join, relative } from "node:path";

const args = process.argv.slice(2);
const root = args[0] === "--root" && args[1] ? args[1] : process.cwd();

/** Which workspace packages each package may import. */
const allowed = {
  "@netsockets/errors": [],
  "@netsockets/protocol": ["@netsockets/errors"],
  "@netsockets/data": ["@netsockets/errors"],
  "@netsockets/node": ["@netsockets/protocol", "@netsockets/errors"],
  "@netsockets/message": [
    "@netsockets/node",
    "@netsockets/protocol",
    "@netsockets/data",
    "@netsockets/errors",
  ],
  "@netsockets/stream": [
    "@netsockets/node",
    "@netsockets/protocol",
    "@netsockets/data",
    "@netsockets/errors",
  ],
  netsockets: [
    "@netsockets/errors",
    "@netsockets/protocol",
    "@netsockets/data",
    "@netsockets/node",
    "@netsockets/message",
    "@netsockets/stream",
  ],
};
/** Packages that must stay portable: no Node built-ins, no Buffer, no timers. */
const portable = new Set(["@netsockets/errors", "@netsockets/protocol"]);
const builtins = new Set(builtinModules);

const importRe =
  /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[\w*${}\s,]+\s+from\s+)?["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']\s*\)|\brequire\s*\(\s*["']([^"']+)["']\s*\)/g;

function sourceFiles(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(m|c)?[tj]sx?$/.test(name) && !/\.test\.[mc]?[tj]s$/.test(name)) out.push(path);
  }
  return out;
}

function stripComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
}

function workspaceDirs() {
  const dirs = [];
  for (const group of ["packages", "apps"]) {
    const base = join(root, group);
    if (!existsSync(base)) continue;
    for (const name of readdirSync(base)) {
      if (existsSync(join(base, name, "package.json"))) dirs.push(join(base, name));
    }
  }
  return dirs;
}

const problems = [];
let checked = 0;
for (const dir of workspaceDirs()) {
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const name = pkg.name;
  const isApp = relative(root, dir).startsWith("apps");
  const mayImport = isApp
    ? name === "@netsockets-apps/autobahn"
      ? Object.keys(allowed)
      : ["netsockets"]
    : allowed[name];
  if (mayImport === undefined) {
    problems.push(`${relative(root, dir)}: package ${name} has no place in the layer table`);
    continue;
  }
  for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies })) {
    if ((dep === "netsockets" || dep.startsWith("@netsockets/")) && !mayImport.includes(dep)) {
      problems.push(`${relative(root, dir)}/package.json: ${name} may not depend on ${dep}`);
    }
  }
  for (const file of sourceFiles(join(dir, "src"))) {
    checked++;
    const rel = relative(root, file);
    const text = stripComments(readFileSync(file, "utf8"));
    for (const match of text.matchAll(importRe)) {
      const spec = match[1] ?? match[2] ?? match[3];
      const target = spec.startsWith("@")
        ? spec.split("/").slice(0, 2).join("/")
        : spec.split("/")[0];
      if (target === "netsockets" || target.startsWith("@netsockets/")) {
        if (target !== name && !mayImport.includes(target)) {
          problems.push(`${rel}: ${name} may not import ${spec}`);
        }
      } else if (portable.has(name) && (spec.startsWith("node:") || builtins.has(target))) {
        problems.push(`${rel}: ${name} must stay portable but imports ${spec}`);
      }
    }
    if (portable.has(name)) {
      for (const banned of ["Buffer", "setTimeout", "setInterval", "setImmediate", "process"]) {
        if (new RegExp(`\\b${banned}\\b`).test(text.replace(/(["'`])(?:\\.|(?!\1).)*\1/g, '""'))) {
          problems.push(`${rel}: ${name} must stay portable but uses ${banned}`);
        }
      }
    }
    if (name === "netsockets") {
      const code = text
        .replace(/export\s+(?:type\s+)?(?:\*|\{[^}]*\})\s+from\s+["'][^"']+["'];?/g, "")
        .trim();
      if (code !== "") problems.push(`${rel}: the facade may contain only \`export … from\` lines`);
    }
  }
}

if (problems.length > 0) {
  console.error(`layer check: ${problems.length} forbidden edge(s)`);
  for (const p of problems) console.error(`  ${p}`);
  process.exit(1);
}
console.log(`layer check: ${checked} source files, no forbidden edge`);
