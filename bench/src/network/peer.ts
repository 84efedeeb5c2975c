/**
 * The server end of a network workload, in its own process (started by `peer-process.ts` from
 * the benchmark child, which is the client end). argv[2] is a {@link PeerSpec} as JSON. Prints
 * `{"port"}` once listening, then serves until killed. Reads commands on stdin, one per line:
 * `mem` → `{"connections","rss","heapUsed","newSpace","oldSpace","external","arrayBuffers"}`
 * after two full GCs (the process runs with `--expose-gc`); `newSpace` and `oldSpace` are V8's
 * young and old generations' physical sizes, which split the RSS figure into what V8 sized and
 * what the objects take, and `external` / `arrayBuffers` the memory outside V8's heap. `mem idle` →
 * the same once the process has settled as an idle server does (see {@link settle}), plus
 * `settleMs`, the time that took. `heap <file>` → `{"file"}`: a heap snapshot written to `file`
 * after two full GCs (for `probes/idle-objects.ts`). `cpu` →
 * `{"user","system"}`: the process's CPU time so far, in microseconds (for the probes in
 * `bench/probes/`).
 */
import { createInterface } from "node:readline";
import { getHeapSpaceStatistics, writeHeapSnapshot } from "node:v8";
import { compiled } from "../harness/source-mode.js";
import { type ImplId, listen, type ServerConn, type ServerHandlers } from "./impls.js";

/** What the server end does. */
export interface PeerSpec {
  readonly impl: ImplId;
  /**
   * `echo`: every message back with its type. `sink`: count payload bytes; after every `ackBytes`
   * bytes send one 1-byte binary ack. `fanout`: on any message, send `count` binary messages of
   * `size` bytes to every open connection.
   */
  readonly role: "echo" | "sink" | "fanout";
  readonly maxMessageSize?: number;
  readonly ackBytes?: number;
  readonly count?: number;
  readonly size?: number;
  /**
   * For the idle-memory probe only: this many short-lived objects (three fields each, 40–50 bytes
   * on 64-bit Node 20) are allocated when a connection is accepted, to show how allocation moves
   * the RSS figure. Default 0.
   */
  readonly churnObjects?: number;
}

const spec = JSON.parse(process.argv[2] ?? "") as PeerSpec;
const print = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value)}\n`);
};

const ack = new Uint8Array([1]);
const open = new Set<ServerConn>();
const ackBytes = spec.ackBytes ?? 1;
let counted = 0;
const count = (conn: ServerConn, length: number): void => {
  counted += length;
  while (counted >= ackBytes) {
    counted -= ackBytes;
    conn.send(ack, false);
  }
};
const broadcast = new Uint8Array(spec.size ?? 1024).fill(0x42);

/** The last churned object, stored where the optimiser cannot prove it unused. */
let _churned: unknown;
/** Allocates `objects` objects that die at once. */
const churn = (objects: number): void => {
  for (let i = 0; i < objects; i++) _churned = { a: i, b: i, c: i };
  _churned = undefined;
};
const churnObjects = spec.churnObjects ?? 0;

const handlers: ServerHandlers = {
  onConnection: (conn) => {
    open.add(conn);
    if (churnObjects > 0) churn(churnObjects);
  },
  onClose: (conn) => open.delete(conn),
  onBytes: (conn, length) => count(conn, length),
};
if (spec.role === "echo") handlers.onMessage = (conn, data, text) => conn.send(data, text);
else if (spec.role === "sink") handlers.onLength = count;
else {
  handlers.onMessage = () => {
    // Every message of one broadcast is handed over in one tick, as a chat server or a market
    // feed does; batching them per socket is the implementation's business.
    for (let i = 0; i < (spec.count ?? 1); i++) {
      for (const conn of open) conn.send(broadcast, false);
    }
  };
}
const server = await listen(spec.impl, handlers, spec.maxMessageSize);

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
/** The young generation's reserved size (both semi-spaces), in bytes. */
const youngSize = (): number =>
  getHeapSpaceStatistics().find((space) => space.space_name === "new_space")?.space_size ?? 0;
/** What V8 starts the young generation at, and shrinks it back to. */
const youngInitial = youngSize();

/**
 * The uptime before which no idle reading is taken, in seconds. Run compiled (`pnpm bench`), the
 * process gives back 1.4–2.5 MiB once, 5–6 s after its start (read each second, after a full GC,
 * for ours and ws). Run as TypeScript under tsx (tests, probes), memory outside the main heap
 * (most likely tsx's loader thread, idle once the modules are loaded) also shrinks once, by
 * 5–7 MiB, 8–10 s after the start. A baseline read before such a drop undercharges the connections
 * opened after it (by 1–1.4 KiB each for the tsx drop).
 */
const uptimeFloor = compiled ? 8 : 15;

/**
 * Waits until the process is what an idle server is. V8 sizes its young generation for the
 * allocation rate it sees (accepting thousands of connections grows it to 16 MiB per semi-space)
 * and gives that back at the first full GC after its allocation rate has stayed low for its
 * 5-second window; and the process gives memory back once after its start ({@link uptimeFloor}).
 * So: a full GC each second until the process has run {@link uptimeFloor} seconds, the young
 * generation is back at its initial size and RSS has moved by less than 64 KiB over two seconds
 * in a row (at most 30 s). Resolves with the milliseconds it took.
 */
async function settle(): Promise<number> {
  const start = performance.now();
  gc();
  let rss = process.memoryUsage.rss();
  let still = 0;
  while (performance.now() - start < 30_000) {
    await sleep(1000);
    gc();
    const next = process.memoryUsage.rss();
    still = Math.abs(next - rss) < 64 * 1024 ? still + 1 : 0;
    rss = next;
    if (still >= 2 && youngSize() <= youngInitial && process.uptime() >= uptimeFloor) break;
  }
  return performance.now() - start;
}

async function memory(idle: boolean): Promise<void> {
  const settleMs = idle ? await settle() : 0;
  gc();
  gc();
  const usage = process.memoryUsage();
  let newSpace = 0;
  let oldSpace = 0;
  for (const space of getHeapSpaceStatistics()) {
    if (space.space_name === "new_space") newSpace = space.physical_space_size;
    else if (space.space_name === "old_space") oldSpace = space.physical_space_size;
  }
  print({
    connections: server.connections,
    rss: usage.rss,
    heapUsed: usage.heapUsed,
    newSpace,
    oldSpace,
    external: usage.external,
    arrayBuffers: usage.arrayBuffers,
    settleMs,
  });
}

// Commands are answered in order: the client end sends the next one after the answer.
createInterface({ input: process.stdin }).on("line", (line) => {
  const command = line.trim();
  if (command === "cpu") print(process.cpuUsage());
  else if (command === "mem" || command === "mem idle") void memory(command === "mem idle");
  else if (command.startsWith("heap ")) {
    gc();
    gc();
    print({ file: writeHeapSnapshot(command.slice("heap ".length)) });
  }
});
// The client end closes stdin when it is done (or dies): stop then.
process.stdin.on("end", () => process.exit(0));
print({ port: server.port });
