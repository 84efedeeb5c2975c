/**
 * What an idle connection keeps on the server's heap, object by object: two heap snapshots of the
 * suite's server end (after the warm-up, and after `connections` more connections opened), and
 * the objects in the second that are not in the first, grouped by what holds each and its kind.
 *
 *   node --import tsx probes/idle-objects.ts [impl] [connections] [rows]
 *
 * `impl`: `netsockets` or `ws` at both ends; default 1000 connections and 25 rows. Prints the
 * bytes per connection of all new objects (V8's self sizes, Node's native socket wrappers
 * included), then the largest groups: objects per connection, bytes each, bytes per connection,
 * and `holder .edge -> kind`.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectClient } from "../src/network/impls.js";
import { startPeer } from "../src/network/peer-process.js";
import { countArg, implArg } from "./probe.js";

const impl = implArg(2, "netsockets");
const connections = countArg(3, 1000);
const rows = countArg(4, 25);

/** The parts of V8's `.heapsnapshot` format this probe reads. */
interface Snapshot {
  readonly snapshot: {
    readonly meta: {
      readonly node_fields: string[];
      readonly node_types: [string[]];
      readonly edge_fields: string[];
      readonly edge_types: [string[]];
    };
  };
  readonly nodes: number[];
  readonly edges: number[];
  readonly strings: string[];
}

const dir = mkdtempSync(join(tmpdir(), "idle-objects-"));
const peer = await startPeer({ impl, role: "echo" });
let before: Snapshot;
let after: Snapshot;
const conns: { close(): Promise<void> }[] = [];
try {
  const warm = await Promise.all(
    Array.from({ length: 20 }, () => connectClient(impl, peer.port, () => {})),
  );
  await Promise.all(warm.map((c) => c.close()));
  while ((await peer.memory()).connections > 0) await new Promise((r) => setTimeout(r, 20));
  await peer.heapSnapshot(join(dir, "before.heapsnapshot"));
  for (let opened = 0; opened < connections; opened += 50) {
    const batch = Math.min(50, connections - opened);
    conns.push(
      ...(await Promise.all(
        Array.from({ length: batch }, () => connectClient(impl, peer.port, () => {})),
      )),
    );
  }
  while ((await peer.memory()).connections < connections) {
    await new Promise((r) => setTimeout(r, 20));
  }
  await peer.heapSnapshot(join(dir, "after.heapsnapshot"));
  before = JSON.parse(readFileSync(join(dir, "before.heapsnapshot"), "utf8")) as Snapshot;
  after = JSON.parse(readFileSync(join(dir, "after.heapsnapshot"), "utf8")) as Snapshot;
} finally {
  await Promise.all(conns.map((c) => c.close()));
  await peer.stop();
  rmSync(dir, { recursive: true, force: true });
}

const meta = after.snapshot.meta;
const nodeWidth = meta.node_fields.length;
const edgeWidth = meta.edge_fields.length;
const at = (name: string, fields: string[]): number => fields.indexOf(name);
const [TYPE, NAME, ID, SIZE, EDGES] = ["type", "name", "id", "self_size", "edge_count"].map((f) =>
  at(f, meta.node_fields),
) as [number, number, number, number, number];
const [EDGE_TYPE, EDGE_NAME, EDGE_TO] = ["type", "name_or_index", "to_node"].map((f) =>
  at(f, meta.edge_fields),
) as [number, number, number];
const nodeTypes = meta.node_types[0];
const edgeTypes = meta.edge_types[0];
const field = (node: number, offset: number): number => after.nodes[node * nodeWidth + offset] ?? 0;

/** "Socket", "closure send", "(array)": a node's constructor, or its kind for internal ones. */
function kind(node: number): string {
  const type = nodeTypes[field(node, TYPE)] ?? "?";
  const name = after.strings[field(node, NAME)] ?? "";
  if (type === "object") return name;
  if (type === "closure") return `closure ${name}`.trim();
  return `(${type})`;
}

const beforeWidth = before.snapshot.meta.node_fields.length;
const beforeId = at("id", before.snapshot.meta.node_fields);
const old = new Set<number>();
for (let i = beforeId; i < before.nodes.length; i += beforeWidth) old.add(before.nodes[i] ?? 0);

// The first strong holder of each node, skipping V8's maps and hidden internals.
const count = after.nodes.length / nodeWidth;
const holder = new Int32Array(count).fill(-1);
const holderEdge: string[] = new Array(count);
let edge = 0;
for (let node = 0; node < count; node++) {
  const from = kind(node);
  const skip = from === "(hidden)" || from === "(object shape)";
  for (let e = 0; e < field(node, EDGES); e++, edge += edgeWidth) {
    const type = edgeTypes[after.edges[edge + EDGE_TYPE] ?? 0];
    const to = (after.edges[edge + EDGE_TO] ?? 0) / nodeWidth;
    if (skip || type === "weak" || type === "shortcut" || holder[to] !== -1) continue;
    holder[to] = node;
    const name = after.edges[edge + EDGE_NAME] ?? 0;
    holderEdge[to] =
      type === "element" || type === "hidden" ? `[${type}]` : (after.strings[name] ?? String(name));
  }
}

const groups = new Map<string, { objects: number; bytes: number }>();
let total = 0;
for (let node = 0; node < count; node++) {
  if (old.has(field(node, ID))) continue;
  const bytes = field(node, SIZE);
  total += bytes;
  const by = holder[node] ?? -1;
  const key = `${by >= 0 ? kind(by) : "?"} .${holderEdge[node] ?? ""} -> ${kind(node)}`;
  const group = groups.get(key) ?? { objects: 0, bytes: 0 };
  group.objects++;
  group.bytes += bytes;
  groups.set(key, group);
}

console.log(
  `${impl}: ${connections} connections, ${(total / connections).toFixed(0)} bytes of new ` +
    "objects per connection",
);
console.log("objects/conn  bytes each  bytes/conn  holder .edge -> kind");
const largest = [...groups].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, rows);
for (const [key, { objects, bytes }] of largest) {
  console.log(
    `${(objects / connections).toFixed(2).padStart(12)}  ${(bytes / objects).toFixed(0).padStart(10)}` +
      `  ${(bytes / connections).toFixed(0).padStart(10)}  ${key}`,
  );
}
