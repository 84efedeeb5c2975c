import { once } from "node:events";
import type { Socket } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { OutputQueue } from "../../src/driver/output-queue.js";
import { tcpPair } from "./harness.js";

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
});

/** A connected loopback pair: `socket` writes, `peer` collects what arrives. */
async function pair() {
  const { socket, peer, close } = await tcpPair();
  const received: Buffer[] = [];
  peer.on("data", (chunk: Buffer) => received.push(chunk));
  cleanup.push(close);
  let writes = 0;
  const internal = socket as unknown as {
    _write: (...args: unknown[]) => void;
    _writev: (...args: unknown[]) => void;
  };
  const write = internal._write.bind(socket);
  const writev = internal._writev.bind(socket);
  internal._write = (...args) => {
    writes++;
    write(...args);
  };
  internal._writev = (...args) => {
    writes++;
    writev(...args);
  };
  return {
    socket,
    writes: () => writes,
    received: async (bytes: number) => {
      while (received.reduce((n, b) => n + b.length, 0) < bytes) await once(peer, "data");
      return Buffer.concat(received);
    },
  };
}

const piece = (size: number, fill: number): Uint8Array => new Uint8Array(size).fill(fill);

/** A queue on `socket` with a large high-water mark and no callbacks. */
const queueOn = (socket: Socket): OutputQueue =>
  new OutputQueue(
    socket,
    1 << 20,
    () => {},
    () => {},
  );

/** What the driver does for one read whose handlers send `pieces`: hold, push, release. */
function answer(queue: OutputQueue, ...pieces: Uint8Array[]): void {
  queue.hold();
  for (const p of pieces) queue.push([p]);
  queue.release();
}

/** The end of this I/O phase: the check phase (where waiting answers leave) has run. */
const endOfPhase = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Two queues answer in one phase: from then on answers wait for the end of their phase. */
async function manyAnswering(): Promise<void> {
  const [x, y] = [await pair(), await pair()];
  answer(queueOn(x.socket), piece(1, 0));
  answer(queueOn(y.socket), piece(1, 0));
  await endOfPhase();
}

/** One queue answers alone in a phase: from then on answers leave at once. */
async function oneAnswering(): Promise<void> {
  answer(queueOn((await pair()).socket), piece(1, 0));
  await endOfPhase();
}

describe("OutputQueue while held (the driver dispatching one read)", () => {
  it("keeps a small answer for the release: one write at the end of the dispatch", async () => {
    await oneAnswering();
    const { socket, writes, received } = await pair();
    const queue = queueOn(socket);
    queue.hold();
    queue.push([piece(100, 1)]);
    queue.push([piece(200, 2)]);
    expect(writes()).toBe(0);
    queue.release();
    expect(writes()).toBe(1);
    const bytes = await received(300);
    expect(bytes.subarray(0, 100).every((b) => b === 1)).toBe(true);
    expect(bytes.subarray(100).every((b) => b === 2)).toBe(true);
  });

  it("writes each run of 8 KiB as it is made, the rest at the release, all in order", async () => {
    await oneAnswering();
    const { socket, writes, received } = await pair();
    const queue = queueOn(socket);
    queue.hold();
    for (let i = 0; i < 3; i++) queue.push([piece(3000, 10 + i)]);
    // 9,000 bytes waiting: out before the dispatch ends.
    expect(writes()).toBe(1);
    for (let i = 3; i < 5; i++) queue.push([piece(3000, 10 + i)]);
    expect(writes()).toBe(1);
    queue.push([piece(50, 20)]);
    queue.release();
    expect(writes()).toBe(2);
    const bytes = await received(5 * 3000 + 50);
    for (let i = 0; i < 5; i++) {
      expect(bytes.subarray(i * 3000, (i + 1) * 3000).every((b) => b === 10 + i)).toBe(true);
    }
    expect(bytes.subarray(15_000).every((b) => b === 20)).toBe(true);
  });

  it("answers together while several connections answer in the same phases, then at once again", async () => {
    await oneAnswering();
    const a = await pair();
    const b = await pair();
    const qa = queueOn(a.socket);
    const qb = queueOn(b.socket);
    // The first queue of a phase after a quiet one answers at once; the second turns waiting on.
    answer(qa, piece(10, 1));
    expect(a.writes()).toBe(1);
    answer(qb, piece(20, 2));
    expect(b.writes()).toBe(0);
    await endOfPhase();
    expect(b.writes()).toBe(1);
    // The next phase: both wait, and a second read of a joins a's waiting flush.
    answer(qa, piece(30, 3));
    answer(qb, piece(40, 4));
    answer(qa, piece(50, 5));
    expect([a.writes(), b.writes()]).toEqual([1, 1]);
    await endOfPhase();
    expect([a.writes(), b.writes()]).toEqual([2, 2]);
    // A phase in which only a answers still waits (the one before had two) and turns it off…
    answer(qa, piece(60, 6));
    expect(a.writes()).toBe(2);
    await endOfPhase();
    expect(a.writes()).toBe(3);
    // …so the next answer leaves at once.
    answer(qa, piece(70, 7));
    expect(a.writes()).toBe(4);
    const expected = [1, 3, 5, 6, 7].flatMap((fill) => [...piece(fill * 10, fill)]);
    expect([...(await a.received(expected.length))]).toEqual(expected);
    const expectedB = [2, 4].flatMap((fill) => [...piece(fill * 10, fill)]);
    expect([...(await b.received(expectedB.length))]).toEqual(expectedB);
  });

  it("flushes under an application's fake timers too", async () => {
    await manyAnswering();
    const { socket, writes, received } = await pair();
    const queue = queueOn(socket);
    const realImmediate = setImmediate;
    vi.useFakeTimers();
    try {
      expect(setImmediate).not.toBe(realImmediate);
      answer(queue, piece(10, 5));
      expect(writes()).toBe(0);
      // The real check phase, with the fake clock never advanced.
      await new Promise((resolve) => realImmediate(resolve));
      expect(writes()).toBe(1);
    } finally {
      vi.useRealTimers();
    }
    expect([...(await received(10))]).toEqual([...piece(10, 5)]);
  });

  it("a flush that throws keeps no other queue's answer back", async () => {
    await manyAnswering();
    const a = await pair();
    const b = await pair();
    const failing = a.socket as unknown as { write: (...args: unknown[]) => boolean };
    failing.write = () => {
      throw new Error("write failed");
    };
    const thrown: unknown[] = [];
    // The error surfaces as an uncaught exception on the next tick; caught here for the test.
    const listeners = process.listeners("uncaughtException");
    process.removeAllListeners("uncaughtException");
    const caught = new Promise<void>((resolve) =>
      process.once("uncaughtException", (error) => {
        thrown.push(error);
        resolve();
      }),
    );
    try {
      answer(queueOn(a.socket), piece(10, 7));
      answer(queueOn(b.socket), piece(10, 7));
      expect(b.writes()).toBe(0);
      await endOfPhase();
      expect(b.writes()).toBe(1);
      expect([...(await b.received(10))]).toEqual([...piece(10, 7)]);
      await caught;
    } finally {
      for (const listener of listeners) process.on("uncaughtException", listener);
    }
    expect((thrown[0] as Error).message).toBe("write failed");
  });

  it("does not flush early when not held: a tick's sends still leave together", async () => {
    const { socket, writes, received } = await pair();
    const queue = queueOn(socket);
    for (let i = 0; i < 5; i++) queue.push([piece(3000, i)]);
    expect(writes()).toBe(0);
    await queue.whenWritten(queue.mark);
    expect(writes()).toBe(1);
    expect((await received(15_000)).length).toBe(15_000);
  });
});
