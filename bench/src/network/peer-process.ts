/**
 * Starts the server end of a workload ({@link PeerSpec}) in its own `node` process, running the
 * bench's code as this process does (compiled under plain node, or TypeScript under tsx: see
 * `source-mode.ts`), with `--expose-gc` for the memory probe. The process inherits this one's
 * environment, so `WS_NO_BUFFER_UTIL` reaches both ends.
 *
 * For diagnostics, `NETSOCKETS_BENCH_PEER_PROFILE=<dir>` writes a `--cpu-prof` profile of the
 * server end, and `NETSOCKETS_BENCH_PEER_FLAGS` adds Node flags to it (separated by spaces), e.g.
 * `--perf-basic-prof` for `perf record -p`, or `--import /abs/preload.mjs` for a module that
 * reports to stderr (inherited) at exit. The server's stdout carries its answers: a flag that
 * prints there (`--trace-gc`) is skipped line by line and can stall it once the pipe fills.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { benchFolder, compiled, moduleArgs, packageConditions } from "../harness/source-mode.js";
import type { PeerSpec } from "./peer.js";

const benchRoot = benchFolder(import.meta.url);

/** The Node arguments (after `node`) that start a server end for `spec`, in the bench folder. */
export function peerArgs(spec: PeerSpec, env: NodeJS.ProcessEnv = process.env): string[] {
  return [
    ...packageConditions,
    "--expose-gc",
    ...(env.NETSOCKETS_BENCH_PEER_FLAGS?.split(/\s+/).filter((flag) => flag !== "") ?? []),
    ...(env.NETSOCKETS_BENCH_PEER_PROFILE === undefined
      ? []
      : ["--cpu-prof", `--cpu-prof-dir=${env.NETSOCKETS_BENCH_PEER_PROFILE}`]),
    ...moduleArgs("src/network/peer.ts", compiled),
    JSON.stringify(spec),
  ];
}

/** The server's `mem` answer (bytes); see peer.ts. */
export interface PeerMemory {
  readonly connections: number;
  readonly rss: number;
  readonly heapUsed: number;
  /** V8's young generation, physical bytes. */
  readonly newSpace: number;
  /** V8's old generation, physical bytes. */
  readonly oldSpace: number;
  /** Memory of ArrayBuffers and other objects V8 does not allocate (`process.memoryUsage().external`). */
  readonly external: number;
  /** The part of `external` that backs ArrayBuffers (and so Buffers). */
  readonly arrayBuffers: number;
  /** How long the server waited to settle before measuring (0 unless asked to be idle). */
  readonly settleMs: number;
}

/** A running server process. */
export interface PeerProcess {
  readonly port: number;
  /**
   * Server memory after two full GCs, and its open connection count. `idle`: first let the server
   * settle as an idle one does, giving back V8's young generation (≈ 6 s; see peer.ts).
   */
  memory(idle?: boolean): Promise<PeerMemory>;
  /** The server's CPU time so far, in microseconds (`process.cpuUsage()`). */
  cpu(): Promise<{ user: number; system: number }>;
  /** Writes a heap snapshot of the server to `file` (after two full GCs); resolves when written. */
  heapSnapshot(file: string): Promise<void>;
  /** Ends the process and waits for it. */
  stop(): Promise<void>;
}

/** Starts the server and resolves once it listens. */
export async function startPeer(spec: PeerSpec): Promise<PeerProcess> {
  const child = spawn(process.execPath, peerArgs(spec), {
    cwd: benchRoot,
    env: process.env,
    stdio: ["pipe", "pipe", "inherit"],
  });
  const exited = new Promise<number>((resolve) => child.on("exit", (code) => resolve(code ?? 1)));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async <T>(): Promise<T> => {
    for (;;) {
      const line = await lines.next();
      if (line.done) throw new Error(`the ${spec.impl} server exited with ${await exited}`);
      if (line.value.startsWith("{")) return JSON.parse(line.value) as T;
    }
  };
  const { port } = await next<{ port: number }>();
  // One command at a time: each reads the next JSON line as its answer.
  let queue: Promise<unknown> = Promise.resolve();
  const ask = <T>(command: string): Promise<T> => {
    const reply = queue.then(() => {
      child.stdin.write(`${command}\n`);
      return next<T>();
    });
    queue = reply.catch(() => {});
    return reply;
  };
  return {
    port,
    memory: (idle = false) => ask<PeerMemory>(idle ? "mem idle" : "mem"),
    cpu: () => ask<{ user: number; system: number }>("cpu"),
    heapSnapshot: async (file) => {
      await ask<{ file: string }>(`heap ${file}`);
    },
    stop: async () => {
      // Closing stdin asks the peer to exit (it also profiles cleanly that way).
      child.stdin.end();
      const timer = setTimeout(() => child.kill(), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
