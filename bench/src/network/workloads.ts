/**
 * The bodies of the network workloads (issue #9): each runs the client end in the benchmark
 * child and starts the server end in its own process ({@link startPeer}). One `run()` is one
 * slice of the workload (a batch); the workload's counts are the batch size times the batches
 * (see network.bench.ts).
 */
import type { Body, SetupContext } from "../harness/types.js";
import {
  type ClientConn,
  connectClient,
  connectStreamClient,
  type ImplId,
  type OnMessage,
} from "./impls.js";
import { type PeerMemory, startPeer } from "./peer-process.js";

/** A binary payload of `size` bytes whose first 4 bytes carry `seq` (checked on the echo). */
function binaryPayload(size: number, seq: number): Uint8Array {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = (i * 31 + 7) & 0xff;
  if (size >= 4) new DataView(data.buffer).setUint32(0, seq);
  return data;
}

/** 128 bytes of UTF-8 text (ASCII, 2- and 3-byte characters) starting with `seq` in hex. */
export function textPayload(seq: number): string {
  const head = seq.toString(16).padStart(8, "0");
  // 8 + 2 × "é" (2 bytes) + 2 × "€" (3 bytes) = 18 bytes; ASCII fills up to 128.
  const text = `${head}éé€€${"x".repeat(110)}`;
  return text;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A per-connection echo checker: in check mode every echo must equal the next message sent. */
class EchoCheck {
  readonly #expected: (Uint8Array | string)[] = [];
  #errors = 0;
  #firstError = "";
  constructor(readonly enabled: boolean) {}
  sent(data: Uint8Array | string): void {
    if (this.enabled) this.#expected.push(data);
  }
  received(length: number, bytes: () => Uint8Array): void {
    if (!this.enabled) return;
    const want = this.#expected.shift();
    const got = bytes();
    const ok =
      want !== undefined &&
      got.length === length &&
      (typeof want === "string" ? decoder.decode(got) === want : equalBytes(got, want));
    if (!ok && this.#errors++ === 0) this.#firstError = `echo ${length} bytes differs from sent`;
  }
  verify(): void {
    if (this.#errors > 0) throw new Error(`${this.#errors} wrong echoes: ${this.#firstError}`);
    if (this.enabled && this.#expected.length > 0) {
      throw new Error(`${this.#expected.length} messages not echoed`);
    }
  }
}

/** Waits for a count; `hit()` resolves `wait()` when it reaches the target. */
class Countdown {
  #left = 0;
  #resolve: (() => void) | undefined;
  wait(n: number): Promise<void> {
    this.#left = n;
    return new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }
  hit(): boolean {
    if (--this.#left === 0) this.#resolve?.();
    return this.#left > 0;
  }
}

/** Opens `n` connections, `concurrency` at a time. */
async function openMany(
  n: number,
  concurrency: number,
  open: (i: number) => Promise<ClientConn>,
): Promise<ClientConn[]> {
  const conns: ClientConn[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      while (next < n) {
        const i = next++;
        conns[i] = await open(i);
      }
    }),
  );
  return conns;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
}

/** Workload 1: one connection, 64-byte binary, one in flight; `perBatch` round trips. */
export async function latencyEcho(
  impl: ImplId,
  context: SetupContext,
  perBatch: number,
): Promise<Body> {
  const peer = await startPeer({ impl, role: "echo" });
  const check = new EchoCheck(context.check);
  let wake: (() => void) | undefined;
  const onMessage: OnMessage = (length, bytes) => {
    check.received(length, bytes);
    wake?.();
  };
  const conn = await connectClient(impl, peer.port, onMessage);
  const payload = binaryPayload(64, 0);
  const latencies: number[] = [];
  let batch = 0;
  return {
    run: async () => {
      // Latencies of the timed batches only (the harness runs two warm-up batches first).
      const keep = ++batch > 2;
      for (let i = 0; i < perBatch; i++) {
        const data = context.check ? binaryPayload(64, i) : payload;
        check.sent(data);
        const echoed = new Promise<void>((resolve) => {
          wake = resolve;
        });
        const t0 = process.hrtime.bigint();
        conn.send(data);
        await echoed;
        if (keep) latencies.push(Number(process.hrtime.bigint() - t0) / 1000);
      }
      return perBatch;
    },
    verify: () => check.verify(),
    extra: () => {
      const sorted = Float64Array.from(latencies).sort();
      return { p50us: percentile(sorted, 0.5), p99us: percentile(sorted, 0.99) };
    },
    dispose: async () => {
      await conn.close();
      await peer.stop();
    },
  };
}

/** Workload 2: one connection, 64-byte binary, `window` in flight; `perBatch` messages. */
export async function pipelinedEcho(
  impl: ImplId,
  context: SetupContext,
  perBatch: number,
  window: number,
): Promise<Body> {
  const peer = await startPeer({ impl, role: "echo" });
  const check = new EchoCheck(context.check);
  const done = new Countdown();
  let sent = 0;
  let target = 0;
  const payload = binaryPayload(64, 0);
  let conn: ClientConn | undefined;
  const sendOne = (): void => {
    const data = context.check ? binaryPayload(64, sent) : payload;
    sent++;
    check.sent(data);
    conn?.send(data);
  };
  conn = await connectClient(impl, peer.port, (length, bytes) => {
    check.received(length, bytes);
    if (done.hit() && sent < target) sendOne();
  });
  return {
    run: async () => {
      sent = 0;
      target = perBatch;
      const finished = done.wait(perBatch);
      for (let i = 0; i < Math.min(window, perBatch); i++) sendOne();
      await finished;
      return perBatch;
    },
    verify: () => check.verify(),
    dispose: async () => {
      await conn?.close();
      await peer.stop();
    },
  };
}

/** Workload 3: `connections` connections, each `perBatch` sequential round trips of 128-byte text. */
export async function manyConnections(
  impl: ImplId,
  context: SetupContext,
  connections: number,
  perBatch: number,
): Promise<Body> {
  const peer = await startPeer({ impl, role: "echo" });
  const done = new Countdown();
  const checks: EchoCheck[] = [];
  const left = new Int32Array(connections);
  const payload = textPayload(0);
  const starters: (() => void)[] = [];
  const conns = await openMany(connections, 50, async (i) => {
    const check = new EchoCheck(context.check);
    checks[i] = check;
    let seq = 0;
    const conn = await connectClient(impl, peer.port, (length, bytes) => {
      check.received(length, bytes);
      done.hit();
      left[i] = (left[i] as number) - 1;
      if ((left[i] as number) > 0) sendNext();
    });
    const sendNext = (): void => {
      const text = context.check ? textPayload(seq++) : payload;
      check.sent(text);
      conn.send(text);
    };
    starters[i] = sendNext;
    return conn;
  });
  return {
    run: async () => {
      left.fill(perBatch);
      const finished = done.wait(connections * perBatch);
      for (const start of starters) start();
      await finished;
      return connections * perBatch;
    },
    verify: () => {
      for (const check of checks) check.verify();
    },
    dispose: async () => {
      await Promise.all(conns.map((c) => c.close()));
      await peer.stop();
    },
  };
}

/** Workload 4: 1 MiB binary echo, one in flight; `perBatch` messages; returns payload bytes. */
export async function largeEcho(
  impl: ImplId,
  context: SetupContext,
  size: number,
  perBatch: number,
): Promise<Body> {
  const maxMessageSize = 2 * size;
  const peer = await startPeer({ impl, role: "echo", maxMessageSize });
  const check = new EchoCheck(context.check);
  let wake: (() => void) | undefined;
  const conn = await connectClient(
    impl,
    peer.port,
    (length, bytes) => {
      check.received(length, bytes);
      wake?.();
    },
    { maxMessageSize },
  );
  const payload = binaryPayload(size, 0);
  return {
    run: async () => {
      for (let i = 0; i < perBatch; i++) {
        const data = context.check ? binaryPayload(size, i) : payload;
        check.sent(data);
        const echoed = new Promise<void>((resolve) => {
          wake = resolve;
        });
        conn.send(data);
        await echoed;
      }
      return perBatch * size;
    },
    verify: () => check.verify(),
    dispose: async () => {
      await conn.close();
      await peer.stop();
    },
  };
}

/**
 * Workload 5: one-way bulk, client → server, `perBatch` bytes in `chunk`-byte binary messages
 * with `window` sends in flight (1 MiB); the server acks every `perBatch` bytes. `stream`:
 * StreamWebSocket, 1 MiB `writeAsync` calls each awaited (the stream engineer's configuration).
 */
export async function bulk(
  impl: ImplId,
  context: SetupContext,
  perBatch: number,
  chunk: number,
): Promise<Body> {
  const peer = await startPeer({ impl, role: "sink", ackBytes: perBatch });
  let acks = 0;
  let wake: (() => void) | undefined;
  const onAck = (): void => {
    acks++;
    wake?.();
  };
  const acked = (n: number): Promise<void> =>
    acks >= n
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          wake = () => {
            if (acks >= n) resolve();
          };
        });
  let batches = 0;
  if (impl === "stream") {
    const block = binaryPayload(1024 * 1024, 0);
    const client = await connectStreamClient(peer.port, onAck);
    return {
      run: async () => {
        const target = ++batches;
        for (let sent = 0; sent < perBatch; sent += block.length) {
          await client.write(
            perBatch - sent < block.length ? block.subarray(0, perBatch - sent) : block,
          );
        }
        await acked(target);
        return perBatch;
      },
      verify: () => {
        if (acks !== batches) throw new Error(`${acks} acks for ${batches} batches`);
      },
      dispose: async () => {
        await client.close();
        await peer.stop();
      },
    };
  }
  const conn = await connectClient(impl, peer.port, () => onAck());
  const data = binaryPayload(chunk, 0);
  const window = Math.max(1, (1024 * 1024) / chunk);
  void context;
  return {
    run: async () => {
      const target = ++batches;
      await sendWindowed(conn, data, perBatch, window);
      await acked(target);
      return perBatch;
    },
    verify: () => {
      if (acks !== batches) throw new Error(`${acks} acks for ${batches} batches`);
    },
    dispose: async () => {
      await conn.close();
      await peer.stop();
    },
  };
}

/**
 * Sends `total` bytes as binary messages of `data.length` bytes (the last one shorter when
 * `total` is not a multiple), with at most `window` sends not yet in the kernel; resolves once the
 * last one is handed over. Workload 5 and `probes/bulk-cpu.ts`.
 */
export async function sendWindowed(
  conn: ClientConn,
  data: Uint8Array,
  total: number,
  window: number,
): Promise<void> {
  const chunk = data.length;
  let inFlight = 0;
  let resume: (() => void) | undefined;
  const sentOne = (): void => {
    inFlight--;
    resume?.();
  };
  for (let sent = 0; sent < total; sent += chunk) {
    while (inFlight >= window) {
      await new Promise<void>((resolve) => {
        resume = resolve;
      });
    }
    inFlight++;
    conn
      .sendAwait(total - sent < chunk ? data.subarray(0, total - sent) : data)
      .then(sentOne, sentOne);
  }
}

/**
 * Opens `count` connections to `port` and closes each with the closing handshake, `concurrency`
 * at a time; `onOpen` runs for each once it is open. Workload 6 and `probes/handshake-cpu.ts`.
 */
export async function openAndClose(
  impl: ImplId,
  port: number,
  count: number,
  concurrency: number,
  onOpen?: () => void,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        next++;
        const conn = await connectClient(impl, port, () => {});
        onOpen?.();
        await conn.close();
      }
    }),
  );
}

/** Workload 6: `perBatch` open + close handshakes, `concurrency` at a time. */
export async function handshakes(
  impl: ImplId,
  _context: SetupContext,
  perBatch: number,
  concurrency: number,
): Promise<Body> {
  const peer = await startPeer({ impl, role: "echo" });
  let opened = 0;
  let batches = 0;
  return {
    run: async () => {
      batches++;
      await openAndClose(impl, peer.port, perBatch, concurrency, () => {
        opened++;
      });
      return perBatch;
    },
    verify: () => {
      if (opened !== batches * perBatch)
        throw new Error(`${opened} of ${batches * perBatch} opened`);
    },
    dispose: () => peer.stop(),
  };
}

/**
 * Workload 7: `connections` idle connections; the figure is the server's RSS growth per
 * connection (KiB) between two idle states: after the warm-up and after the opening, each time
 * once the server has settled as an idle server does (`memory(true)`: V8 gives back the young
 * generation it grew for the burst of accepts, ≈ 6 s) and after two full GCs. `heapPerConnKiB`
 * (live heap) and `newSpacePerConnKiB` / `oldSpacePerConnKiB` (the physical growth of V8's young
 * and old generations, which the RSS figure contains) go to the JSON line, and so do
 * `rssJustOpenedPerConnKiB` / `newSpaceJustOpenedPerConnKiB`: the same growth measured at once
 * after the last connection opened, young generation included (this suite's figure up to session
 * 7). Measured once in `setup` (it is not a rate); `run()` only counts.
 *
 * Only full mode lets the server settle (≈ 14–18 s per child, both readings): in quick mode the figure is the
 * just-opened one, young generation included, and in check mode (tests) it is a smoke figure.
 * `churnObjects` is for `probes/idle-split.ts` only (see `PeerSpec.churnObjects` in peer.ts).
 */
export async function idleMemory(
  impl: ImplId,
  context: SetupContext,
  connections: number,
  churnObjects = 0,
): Promise<Body> {
  const peer = await startPeer({ impl, role: "echo", churnObjects });
  // Settling takes seconds per reading (peer.ts): full mode only (quick mode must stay under 90 s).
  const idle = context.mode === "full" && !context.check;
  // A few connections first, so code paths are loaded and compiled before the baseline.
  const warm = await openMany(20, 20, () => connectClient(impl, peer.port, () => {}));
  await Promise.all(warm.map((c) => c.close()));
  while ((await peer.memory()).connections > 0) await new Promise((r) => setTimeout(r, 20));
  const before = await peer.memory(idle);
  const conns = await openMany(connections, 100, () => connectClient(impl, peer.port, () => {}));
  let opened = await peer.memory();
  while (opened.connections < connections) {
    await new Promise((r) => setTimeout(r, 20));
    opened = await peer.memory();
  }
  const after = idle ? await peer.memory(true) : opened;
  type Field = "rss" | "heapUsed" | "newSpace" | "oldSpace" | "external" | "arrayBuffers";
  const perConnKiB = (key: Field, end: PeerMemory = after): number =>
    (end[key] - before[key]) / 1024 / connections;
  const rssKiB = perConnKiB("rss");
  return {
    run: () => connections,
    verify: () => {
      if (after.connections !== connections) {
        throw new Error(`server saw ${after.connections} of ${connections} connections`);
      }
    },
    figure: () => rssKiB,
    extra: () => ({
      rssPerConnKiB: rssKiB,
      heapPerConnKiB: perConnKiB("heapUsed"),
      newSpacePerConnKiB: perConnKiB("newSpace"),
      oldSpacePerConnKiB: perConnKiB("oldSpace"),
      externalPerConnKiB: perConnKiB("external"),
      arrayBuffersPerConnKiB: perConnKiB("arrayBuffers"),
      rssJustOpenedPerConnKiB: perConnKiB("rss", opened),
      newSpaceJustOpenedPerConnKiB: perConnKiB("newSpace", opened),
      settleMs: before.settleMs + after.settleMs,
    }),
    dispose: async () => {
      await Promise.all(conns.map((c) => c.close()));
      await peer.stop();
    },
  };
}

/** Workload 8: `clients` connections; one message triggers `count` × `size` bytes to each. */
export async function fanOut(
  impl: ImplId,
  context: SetupContext,
  clients: number,
  count: number,
  size: number,
): Promise<Body> {
  const peer = await startPeer({ impl, role: "fanout", count, size });
  const done = new Countdown();
  const received = new Int32Array(clients);
  let wrong = 0;
  const conns = await openMany(clients, 50, (i) =>
    connectClient(impl, peer.port, (length, bytes) => {
      received[i] = (received[i] as number) + 1;
      if (length !== size) wrong++;
      else if (context.check && bytes()[size - 1] !== 0x42) wrong++;
      done.hit();
    }),
  );
  // A TCP client is connected before the server has accepted it (a WebSocket one is not: its
  // open waits for the server's answer), so wait until the server holds every connection.
  while ((await peer.memory()).connections < clients) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const go = new Uint8Array([0x67]);
  let batches = 0;
  return {
    run: async () => {
      batches++;
      const finished = done.wait(clients * count);
      conns[0]?.send(go);
      await finished;
      return clients * count;
    },
    verify: () => {
      if (wrong > 0) throw new Error(`${wrong} wrong deliveries`);
      for (const n of received) {
        if (n !== batches * count) throw new Error(`a client got ${n} of ${batches * count}`);
      }
    },
    dispose: async () => {
      await Promise.all(conns.map((c) => c.close()));
      await peer.stop();
    },
  };
}
