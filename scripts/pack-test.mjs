#!/usr/bin/env node
// The granular-install check of issue #7: packs every library package with `pnpm pack` (built
// dist required: run after `pnpm build`), then installs the tarballs with npm — offline, from the
// tarballs alone — into three empty projects, and in each runs a loopback echo from an `.mjs`
// and a `.cjs` file:
//   data     @netsockets/data alone: DataWriter → DataReader through memory and through a file
//   message  @netsockets/message alone: MessageWebSocketListener + MessageWebSocket echo
//   facade   netsockets: a MessageWebSocket echo and a StreamWebSocket echo
// Each project gets only the tarballs its package needs (its dependency closure, read from the
// packed package.json files), so a missing dependency declaration fails here instead of being
// hidden by hoisting. Every tarball is also checked: no `src/`, no `@netsockets/source`
// condition and no `workspace:` range in its package.json (publishConfig took effect).
//
// Usage: node scripts/pack-test.mjs [--keep]   (--keep leaves the temporary directory)
// Prints one line per phase with its duration and "pack test: ok" at the end; exits 1 on failure.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const keep = process.argv.includes("--keep");
const work = mkdtempSync(join(tmpdir(), "netsockets-pack-"));
const tarballDir = join(work, "tarballs");
mkdirSync(tarballDir);

/** npm must not see the npm_config_* / pnpm variables of an enclosing pnpm or turbo run. */
const cleanEnv = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !/^(npm_|pnpm_|PNPM_)/i.test(k)),
);

let last = performance.now();
const started = last;
function phase(label) {
  const now = performance.now();
  console.log(`${label} (${((now - last) / 1000).toFixed(1)} s)`);
  last = now;
}

function fail(message) {
  console.error(`pack test: FAILED: ${message}`);
  console.error(`(files kept in ${work})`);
  process.exit(1);
}

// 1. Pack every public package of packages/.
/** @type {Map<string, { tarball: string, dependencies: string[] }>} */
const packed = new Map();
for (const name of readdirSync(join(root, "packages")).sort()) {
  const dir = join(root, "packages", name);
  let pkg;
  try {
    pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  } catch {
    continue;
  }
  if (pkg.private === true) continue;
  const before = new Set(readdirSync(tarballDir));
  execFileSync("pnpm", ["pack", "--pack-destination", tarballDir], {
    cwd: dir,
    stdio: ["ignore", "ignore", "inherit"],
  });
  const made = readdirSync(tarballDir).filter((f) => !before.has(f));
  if (made.length !== 1) fail(`pnpm pack in packages/${name} made ${made.length} tarballs`);
  const tarball = join(tarballDir, made[0]);

  // 2. What the tarball holds.
  const files = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).split("\n");
  const sources = files.filter((f) => f.startsWith("package/src/"));
  if (sources.length > 0) fail(`${made[0]} contains ${sources.join(", ")}`);
  if (!files.some((f) => f.startsWith("package/dist/"))) fail(`${made[0]} has no dist/`);
  const manifestText = execFileSync("tar", ["-xzOf", tarball, "package/package.json"], {
    encoding: "utf8",
  });
  if (manifestText.includes("@netsockets/source")) {
    fail(`${made[0]}: package.json still has the @netsockets/source condition`);
  }
  if (manifestText.includes("workspace:")) fail(`${made[0]}: package.json has a workspace: range`);
  const manifest = JSON.parse(manifestText);
  for (const [dep, range] of Object.entries(manifest.dependencies ?? {})) {
    if (range !== pkg.version) fail(`${made[0]}: ${dep} is ${range}, expected ${pkg.version}`);
  }
  packed.set(manifest.name, {
    tarball,
    dependencies: Object.keys(manifest.dependencies ?? {}),
  });
}
if (!packed.has("netsockets") || !packed.has("@netsockets/message")) {
  fail(`packed only ${[...packed.keys()].join(", ")}`);
}
phase(`packed ${packed.size} packages: ${[...packed.keys()].join(", ")}`);

/** The tarballs `name` needs: itself and every workspace package it depends on, transitively. */
function closure(name, seen = new Set()) {
  if (seen.has(name)) return seen;
  const entry = packed.get(name);
  if (entry === undefined) fail(`${name} is needed but was not packed`);
  seen.add(name);
  for (const dep of entry.dependencies) closure(dep, seen);
  return seen;
}

// 3. The consumer programs. Each body runs inside `async function main()`; `$` is the module.
const bodies = {
  data: {
    module: "@netsockets/data",
    names: [
      "DataReader",
      "DataWriter",
      "MemoryOutputStream",
      "fromBytes",
      "fromFileForRead",
      "fromFileForWrite",
    ],
    body: `
  const write = (writer) => {
    writer.writeUInt32(0xdeadbeef);
    writer.writeInt64(-2n);
    writer.writeDouble(Math.PI);
    writer.writeString("héllo");
  };
  const check = async (reader, where) => {
    await reader.loadAsync(4 + 8 + 8 + 6);
    const got = [reader.readUInt32(), reader.readInt64(), reader.readDouble(), reader.readString(6)];
    const want = [0xdeadbeef, -2n, Math.PI, "héllo"];
    if (got.some((v, i) => v !== want[i])) throw new Error(where + ": read " + got.join(" "));
    reader.close();
  };
  // Through memory.
  const memory = new MemoryOutputStream();
  const writer = new DataWriter(memory);
  write(writer);
  await writer.storeAsync();
  writer.detachStream();
  await check(new DataReader(fromBytes(memory.toBytes())), "memory");
  // Through a file.
  const file = require_path.join(require_os.tmpdir(), "netsockets-pack-" + process.pid + "-" + KIND + ".bin");
  const fileWriter = new DataWriter(fromFileForWrite(file));
  write(fileWriter);
  await fileWriter.storeAsync();
  await fileWriter.flushAsync();
  fileWriter.close();
  await check(new DataReader(fromFileForRead(file)), "file");
  require_fs.rmSync(file, { force: true });
  console.log("ok data " + KIND);`,
  },
  message: {
    module: "@netsockets/message",
    names: ["MessageWebSocket", "MessageWebSocketListener", "SocketMessageType"],
    body: `
  const text = await messageEcho(MessageWebSocket, MessageWebSocketListener, SocketMessageType);
  if (text !== "hello " + KIND) throw new Error("echo: " + text);
  console.log("ok message " + KIND);`,
  },
  facade: {
    module: "netsockets",
    names: [
      "MessageWebSocket",
      "MessageWebSocketListener",
      "SocketMessageType",
      "StreamWebSocket",
      "StreamWebSocketListener",
      "InputStreamOptions",
      "WebErrorStatus",
      "WebSocketError",
    ],
    body: `
  const text = await messageEcho(MessageWebSocket, MessageWebSocketListener, SocketMessageType);
  if (text !== "hello " + KIND) throw new Error("message echo: " + text);
  const bytes = await streamEcho(StreamWebSocket, StreamWebSocketListener, InputStreamOptions);
  if (bytes !== "0,1,2,3,4,5,6,7,8,9") throw new Error("stream echo: " + bytes);
  if (WebSocketError.getStatus(new Error("x")) !== WebErrorStatus.unknown) throw new Error("getStatus");
  console.log("ok facade " + KIND);`,
  },
};

/** Shared helpers, plain JavaScript, identical in both module systems. */
const helpers = `
async function messageEcho(MessageWebSocket, MessageWebSocketListener, SocketMessageType) {
  const listener = new MessageWebSocketListener();
  listener.addEventListener("connectionreceived", ({ socket }) => {
    socket.addEventListener("messagereceived", (args) => {
      const reader = args.getDataReader();
      socket.sendAsync(reader.readBuffer(reader.unconsumedBufferLength), { messageType: args.messageType });
    });
  });
  await listener.bindEndpointAsync("127.0.0.1", 0);
  const socket = new MessageWebSocket({ proxy: false });
  socket.control.messageType = SocketMessageType.utf8;
  const reply = new Promise((resolve) =>
    socket.addEventListener("messagereceived", (args) => {
      const reader = args.getDataReader();
      resolve(reader.readString(reader.unconsumedBufferLength));
    }),
  );
  const closed = new Promise((resolve) => socket.addEventListener("closed", resolve));
  await socket.connectAsync("ws://127.0.0.1:" + listener.information.localPort + "/");
  await socket.sendAsync("hello " + KIND);
  const text = await reply;
  socket.close(1000, "done");
  await closed;
  await listener.close();
  return text;
}

async function streamEcho(StreamWebSocket, StreamWebSocketListener, InputStreamOptions) {
  const listener = new StreamWebSocketListener();
  listener.addEventListener("connectionreceived", ({ socket }) => {
    (async () => {
      const buffer = new Uint8Array(1024);
      for (;;) {
        const chunk = await socket.inputStream.readAsync(buffer, buffer.length, InputStreamOptions.partial);
        if (chunk.length === 0) break;
        await socket.outputStream.writeAsync(chunk.slice());
      }
    })().catch(() => {});
  });
  await listener.bindEndpointAsync("127.0.0.1", 0);
  const socket = new StreamWebSocket({ proxy: false });
  const closed = new Promise((resolve) => socket.addEventListener("closed", resolve));
  await socket.connectAsync("ws://127.0.0.1:" + listener.information.localPort + "/");
  await socket.outputStream.writeAsync(Uint8Array.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
  const got = [];
  const buffer = new Uint8Array(256);
  while (got.length < 10) {
    const chunk = await socket.inputStream.readAsync(buffer, buffer.length, InputStreamOptions.partial);
    if (chunk.length === 0) break;
    got.push(...chunk);
  }
  socket.close(1000, "done");
  await closed;
  await listener.close();
  return got.join(",");
}
`;

function program(kind, spec) {
  const esm = kind === "mjs";
  const imports = esm
    ? `import { ${spec.names.join(", ")} } from "${spec.module}";
import * as require_fs from "node:fs";
import * as require_os from "node:os";
import * as require_path from "node:path";`
    : `const { ${spec.names.join(", ")} } = require("${spec.module}");
const require_fs = require("node:fs");
const require_os = require("node:os");
const require_path = require("node:path");`;
  return `${imports}
const KIND = "${kind}";
${helpers}
async function main() {${spec.body}
}
main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
`;
}

// 4. One empty project per consumer, installed from the tarballs only.
for (const [project, spec] of Object.entries(bodies)) {
  const dir = join(work, project);
  mkdirSync(dir);
  writeFileSync(
    join(dir, "package.json"),
    `${JSON.stringify({ name: `pack-test-${project}`, version: "1.0.0", private: true }, null, 2)}\n`,
  );
  const needed = [...closure(spec.module)];
  const install = spawnSync(
    "npm",
    [
      "install",
      "--offline",
      "--no-audit",
      "--no-fund",
      "--no-package-lock",
      "--loglevel=error",
      ...needed.map((name) => packed.get(name).tarball),
    ],
    { cwd: dir, env: cleanEnv, encoding: "utf8" },
  );
  if (install.status !== 0) {
    fail(`npm install in ${project}: ${install.stderr || install.stdout}`);
  }
  const installed = readdirSync(join(dir, "node_modules", "@netsockets")).map(
    (n) => `@netsockets/${n}`,
  );
  const extra = installed.filter((n) => !needed.includes(n));
  if (extra.length > 0) fail(`${project}: npm installed more than needed: ${extra.join(", ")}`);
  phase(`${project}: npm installed ${needed.join(", ")}`);

  for (const kind of ["mjs", "cjs"]) {
    const file = join(dir, `echo.${kind}`);
    writeFileSync(file, program(kind, spec));
    const run = spawnSync(process.execPath, [file], {
      cwd: dir,
      env: cleanEnv,
      encoding: "utf8",
      timeout: 30_000,
    });
    const expected = `ok ${project} ${kind}`;
    if (run.status !== 0 || run.stdout.trim() !== expected) {
      fail(
        `${project}/echo.${kind}: exit ${run.status} ${run.signal ?? ""}\n${run.stdout}${run.stderr}`,
      );
    }
    phase(`${project}: echo.${kind} ${expected}`);
  }
}

// 5. Types: the facade's declarations, as an ESM (.mts) and a CJS (.cts) TypeScript consumer see
// them under NodeNext resolution (the import and require conditions of the packed exports).
const typed = `
const socket = new MessageWebSocket();
socket.control.messageType = SocketMessageType.utf8;
const status: WebErrorStatus = WebSocketError.getStatus(new Error("x"));
const reader: DataReader = DataReader.fromBuffer(new Uint8Array(4));
const count: number = reader.unconsumedBufferLength + status;
const stream: StreamWebSocket = new StreamWebSocket();
stream.control.noDelay = false;
// @ts-expect-error -- messageType is a SocketMessageType, not a string
socket.control.messageType = "text";
export { count };
`;
const typeNames =
  "DataReader, MessageWebSocket, SocketMessageType, StreamWebSocket, WebErrorStatus, WebSocketError";
const facadeDir = join(work, "facade");
writeFileSync(join(facadeDir, "types.mts"), `import { ${typeNames} } from "netsockets";\n${typed}`);
writeFileSync(
  join(facadeDir, "types.cts"),
  `import netsockets = require("netsockets");\nconst { ${typeNames} } = netsockets;\n` +
    `type WebErrorStatus = netsockets.WebErrorStatus;\ntype DataReader = netsockets.DataReader;\n` +
    `type StreamWebSocket = netsockets.StreamWebSocket;\n${typed}`,
);
writeFileSync(
  join(facadeDir, "tsconfig.json"),
  JSON.stringify({
    compilerOptions: {
      noEmit: true,
      strict: true,
      module: "nodenext",
      moduleResolution: "nodenext",
      target: "es2022",
      lib: ["es2023"],
      // The packed declarations mention Node types (streams, X509Certificate): the consumer's
      // @types/node, here the monorepo's.
      typeRoots: [join(root, "node_modules", "@types")],
      types: ["node"],
      // Library checking would re-check all of @types/node (15 s). The consumer code is still
      // checked: the @ts-expect-error line fails the run if the declarations degrade to any.
      skipLibCheck: true,
    },
    files: ["types.mts", "types.cts"],
  }),
);
const tsc = spawnSync(
  process.execPath,
  [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "."],
  { cwd: facadeDir, env: cleanEnv, encoding: "utf8" },
);
if (tsc.status !== 0) fail(`tsc on the facade's types: ${tsc.stdout}${tsc.stderr}`);
phase("facade: types.mts and types.cts typecheck against the packed declarations");

if (!keep) rmSync(work, { recursive: true, force: true });
console.log(`pack test: ok in ${((performance.now() - started) / 1000).toFixed(1)} s`);
