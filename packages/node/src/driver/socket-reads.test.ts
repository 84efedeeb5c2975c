import { once } from "node:events";
import {
  type AddressInfo,
  createServer,
  connect as netConnect,
  type Server,
  type Socket,
} from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import {
  connectReadingDirectly,
  offSocketBytes,
  onSocketBytes,
  readsDirectly,
} from "./socket-reads.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanups.splice(0).reverse()) fn();
});

/** A server on 127.0.0.1 whose connections `serve` handles; returns its port. */
async function listen(serve: (socket: Socket) => void): Promise<number> {
  const server: Server = createServer(serve);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  cleanups.push(() => server.close());
  return (server.address() as AddressInfo).port;
}

async function connectDirect(port: number): Promise<Socket> {
  const socket = connectReadingDirectly({ host: "127.0.0.1", port });
  cleanups.push(() => socket.destroy());
  socket.on("data", () => {
    throw new Error("a direct socket emitted 'data'");
  });
  await once(socket, "connect");
  return socket;
}

/** Deterministic bytes (xorshift32 from `seed`). */
function bytes(length: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let x = seed | 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Resolves once `predicate` holds, checking after each turn of the event loop. */
async function until(predicate: () => boolean): Promise<void> {
  while (!predicate()) await new Promise((resolve) => setImmediate(resolve));
}

describe("direct reads", () => {
  it("hand over every byte in order, in chunks that stay intact while later reads arrive", async () => {
    // Writes from 1 byte to 200 KiB, each waited for by the client before the next: the reads
    // cover the shared buffer (copied out), a large read into it, and dedicated buffers filled
    // more and less than half. Every chunk is kept and compared at the end: a chunk that were a
    // view of a reused buffer would have been overwritten by then.
    const sizes = [
      1,
      7,
      130,
      4095,
      4096,
      9000,
      16 * 1024 + 1,
      65536,
      200 * 1024,
      40_000,
      3,
      70_000,
      1,
    ];
    const expected = sizes.map((size, i) => bytes(size, 0x9e37 + i));
    const port = await listen((server) => {
      let next = 0;
      const sendNext = (): void => {
        if (next < expected.length) server.write(expected[next++] as Buffer);
      };
      server.on("data", sendNext); // one byte from the client asks for the next write
      sendNext();
    });
    const socket = await connectDirect(port);
    expect(readsDirectly(socket)).toBe(true);
    const chunks: Buffer[] = [];
    let received = 0;
    let done!: () => void;
    const all = new Promise<void>((resolve) => {
      done = resolve;
    });
    let boundary = 0;
    let index = 0;
    onSocketBytes(socket, function (chunk) {
      expect(this).toBe(socket);
      chunks.push(chunk);
      received += chunk.length;
      while (index < sizes.length && received >= boundary + (sizes[index] as number)) {
        boundary += sizes[index++] as number;
        if (index === sizes.length) done();
        else socket.write("n");
      }
    });
    await all;
    expect(Buffer.concat(chunks).equals(Buffer.concat(expected))).toBe(true);
    expect(chunks.length).toBeGreaterThanOrEqual(sizes.length);
  });

  it("keep what is read while no listener is attached and give it to the next one", async () => {
    const first = bytes(1000, 1);
    const second = bytes(3000, 2);
    const port = await listen((server) => {
      server.write(first);
      server.once("data", () => server.write(second));
    });
    const socket = await connectDirect(port);
    const gotA: Buffer[] = [];
    let haveFirst!: () => void;
    const firstArrived = new Promise<void>((resolve) => {
      haveFirst = resolve;
    });
    const listenerA = (chunk: Buffer): void => {
      gotA.push(chunk);
      if (Buffer.concat(gotA).length === first.length) {
        offSocketBytes(socket, listenerA);
        haveFirst();
      }
    };
    onSocketBytes(socket, listenerA);
    await firstArrived;
    socket.write("n");
    // The second write is read with no listener attached: kept, not lost.
    await until(() => socket.bytesRead === first.length + second.length);
    const gotB: Buffer[] = [];
    onSocketBytes(socket, (chunk) => gotB.push(chunk));
    expect(gotB).toEqual([]); // given a promise job later, after the attaching code
    await until(() => Buffer.concat(gotB).length >= second.length);
    expect(Buffer.concat(gotA).equals(first)).toBe(true);
    expect(Buffer.concat(gotB).equals(second)).toBe(true);
  });

  it("stop reading while paused and go on when resumed", async () => {
    const payload = bytes(24 * 1024 * 1024, 3);
    let writesDone = false;
    const port = await listen((server) => {
      server.write(payload, () => {
        writesDone = true;
      });
    });
    const socket = await connectDirect(port);
    const chunks: Buffer[] = [];
    let received = 0;
    onSocketBytes(socket, (chunk) => {
      chunks.push(chunk);
      received += chunk.length;
      if (received >= 64 * 1024 && !socket.isPaused()) socket.pause();
    });
    await until(() => socket.isPaused());
    const atPause = socket.bytesRead;
    // While paused the kernel's buffers fill and the server's write cannot complete.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(socket.bytesRead).toBe(atPause);
    expect(writesDone).toBe(false);
    onSocketBytes(socket, (chunk) => {
      chunks.push(chunk);
      received += chunk.length;
    });
    socket.resume();
    await until(() => received === payload.length);
    expect(Buffer.concat(chunks).equals(payload)).toBe(true);
  });

  it("read straight into a filler's region, stop at its end and go on with chunks after it", async () => {
    const payload = bytes(1_000_000, 6);
    const port = await listen((server) => server.end(payload));
    const socket = await connectDirect(port);
    // Chunks until 100,000 bytes are in; then the reads fill `region` (700,000 bytes: several
    // reads, each offered the unfilled rest); then chunks again.
    const region = new Uint8Array(700_000);
    let before = -1; // the chunk bytes when the region was first offered
    let filledCount = 0;
    const fills: number[] = [];
    const chunks: Buffer[] = [];
    let chunkBytes = 0;
    onSocketBytes(
      socket,
      (chunk) => {
        expect(before === -1 || filledCount === region.length).toBe(true);
        chunks.push(chunk);
        chunkBytes += chunk.length;
      },
      {
        region() {
          if (chunkBytes < 100_000 || filledCount === region.length) return undefined;
          if (before === -1) before = chunkBytes;
          return region.subarray(filledCount);
        },
        filled(count) {
          fills.push(count);
          filledCount += count;
        },
      },
    );
    await once(socket, "end");
    expect(filledCount).toBe(region.length);
    expect(fills.length).toBeGreaterThanOrEqual(1);
    const all = Buffer.concat(chunks);
    expect(all.length).toBe(payload.length - region.length);
    expect(all.subarray(0, before).equals(payload.subarray(0, before))).toBe(true);
    expect(Buffer.from(region).equals(payload.subarray(before, before + region.length))).toBe(true);
    expect(all.subarray(before).equals(payload.subarray(before + region.length))).toBe(true);
  });

  it("end with 'end' after the last bytes", async () => {
    const payload = bytes(100_000, 4);
    const port = await listen((server) => server.end(payload));
    const socket = await connectDirect(port);
    const chunks: Buffer[] = [];
    onSocketBytes(socket, (chunk) => chunks.push(chunk));
    await once(socket, "end");
    expect(Buffer.concat(chunks).equals(payload)).toBe(true);
  });

  it("fall back to 'data' on other sockets", async () => {
    const payload = bytes(5000, 5);
    const port = await listen((server) => server.end(payload));
    const socket = netConnect(port, "127.0.0.1");
    cleanups.push(() => socket.destroy());
    expect(readsDirectly(socket)).toBe(false);
    const chunks: Buffer[] = [];
    const listener = (chunk: Buffer): void => {
      chunks.push(chunk);
    };
    onSocketBytes(socket, listener);
    expect(socket.listeners("data")).toContain(listener);
    await once(socket, "end");
    expect(Buffer.concat(chunks).equals(payload)).toBe(true);
    offSocketBytes(socket, listener);
    expect(socket.listeners("data")).not.toContain(listener);
  });
});
