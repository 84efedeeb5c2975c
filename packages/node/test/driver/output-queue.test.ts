import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
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

describe("OutputQueue while held (the driver dispatching one read)", () => {
  it("keeps a small answer for the release: one write at the end", async () => {
    const { socket, writes, received } = await pair();
    const queue = new OutputQueue(
      socket,
      1 << 20,
      () => {},
      () => {},
    );
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
    const { socket, writes, received } = await pair();
    const queue = new OutputQueue(
      socket,
      1 << 20,
      () => {},
      () => {},
    );
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

  it("does not flush early when not held: a tick's sends still leave together", async () => {
    const { socket, writes, received } = await pair();
    const queue = new OutputQueue(
      socket,
      1 << 20,
      () => {},
      () => {},
    );
    for (let i = 0; i < 5; i++) queue.push([piece(3000, i)]);
    expect(writes()).toBe(0);
    await queue.whenWritten(queue.mark);
    expect(writes()).toBe(1);
    expect((await received(15_000)).length).toBe(15_000);
  });
});
