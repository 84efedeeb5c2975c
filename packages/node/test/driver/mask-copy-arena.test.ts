import { once } from "node:events";
import net from "node:net";
import tls from "node:tls";
import { afterEach, describe, expect, it } from "vitest";
import {
  MaskCopyArena,
  MIN_VIEW,
  releasesWrittenChunks,
} from "../../src/driver/mask-copy-arena.js";
import { OutputQueue } from "../../src/driver/output-queue.js";
import { tcpPair } from "./harness.js";

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
});

/** A connected loopback pair: `socket` writes, `peer` (paused when asked) receives. */
async function pair(paused = false) {
  const { socket, peer, close } = await tcpPair(paused);
  const received: Buffer[] = [];
  let length = 0;
  cleanup.push(close);
  return {
    socket,
    /** Starts reading (a paused peer) and resolves with the first `bytes` bytes. */
    received: async (bytes: number) => {
      peer.on("data", (chunk: Buffer) => {
        received.push(chunk);
        length += chunk.length;
      });
      peer.resume();
      while (length < bytes) await once(peer, "data");
      return Buffer.concat(received);
    },
  };
}

/** Memory of its own per call, as `Buffer.allocUnsafeSlow` gives it. */
const own = (size: number): Uint8Array => new Uint8Array(size);

const queueOn = (socket: net.Socket, arena: MaskCopyArena, highWaterMark = 1 << 20) =>
  new OutputQueue(
    socket,
    highWaterMark,
    () => {},
    () => {},
    arena,
  );

describe("MaskCopyArena", () => {
  it("hands out views of one region and reuses it from the start once every byte is released", () => {
    const arena = new MaskCopyArena(own, 16_384, 8192);
    const a = arena.allocate(4096);
    const b = arena.allocate(5000);
    expect(a.buffer).toBe(arena.region);
    expect(b.buffer).toBe(a.buffer);
    expect([a.byteOffset, b.byteOffset]).toEqual([0, 4096]);
    arena.release(a.buffer, a.byteLength);
    // b is still out: the next view goes after it.
    expect(arena.allocate(4096).byteOffset).toBe(4096 + 5000);
  });

  it("reuses the region only when nothing handed out is still unreleased", () => {
    const arena = new MaskCopyArena(own, 16_384, 8192);
    const views = [arena.allocate(4096), arena.allocate(4096)];
    for (const view of views) arena.release(view.buffer, view.byteLength);
    const next = arena.allocate(4096);
    expect(next.buffer).toBe(views[0]?.buffer);
    expect(next.byteOffset).toBe(0);
  });

  it("drops a full region with views still out for a new one, leaving their bytes alone", () => {
    const arena = new MaskCopyArena(own, 16_384, 8192);
    const kept = arena.allocate(8192).fill(7);
    const other = arena.allocate(8192).fill(8);
    arena.release(other.buffer, other.byteLength);
    // `kept` is out, so the region is not reset; it has no room left either.
    const fresh = arena.allocate(8192).fill(9);
    expect(fresh.buffer).not.toBe(kept.buffer);
    expect(kept.every((byte) => byte === 7)).toBe(true);
    // A late release of the dropped region does not count for the new one.
    arena.release(kept.buffer, kept.byteLength);
    const after = arena.allocate(4096);
    expect(after.buffer).toBe(fresh.buffer);
    expect(after.byteOffset).toBe(8192);
  });

  it("gives copies below MIN_VIEW or above maxView memory of their own", () => {
    const arena = new MaskCopyArena(own, 1 << 20);
    const region = arena.allocate(MIN_VIEW).buffer;
    for (const size of [MIN_VIEW - 1, arena.maxView + 1]) {
      const own = arena.allocate(size);
      expect(own.byteLength).toBe(size);
      expect(own.buffer).not.toBe(region);
    }
  });

  it("is used only on plain TCP sockets, whose completed writes keep no reference to a chunk", () => {
    expect(releasesWrittenChunks(new net.Socket())).toBe(true);
    expect(releasesWrittenChunks(new tls.TLSSocket(new net.Socket()))).toBe(false);
  });
});

describe("OutputQueue with a MaskCopyArena", () => {
  it("releases views the kernel took at once: the next copy reuses their memory", async () => {
    const { socket, received } = await pair();
    const arena = new MaskCopyArena(own);
    const queue = queueOn(socket, arena);
    const first = arena.allocate(65_536).fill(1);
    await queue.whenWritten(queue.push([first]));
    const second = arena.allocate(65_536).fill(2);
    expect(second.buffer).toBe(first.buffer);
    expect(second.byteOffset).toBe(first.byteOffset);
    await queue.whenWritten(queue.push([second]));
    const bytes = await received(2 * 65_536);
    expect(bytes.subarray(0, 65_536).every((byte) => byte === 1)).toBe(true);
    expect(bytes.subarray(65_536).every((byte) => byte === 2)).toBe(true);
  });

  it("never reuses a view before its write completed, with a peer that does not read", async () => {
    const { socket, received } = await pair(true);
    const arena = new MaskCopyArena(own);
    const queue = queueOn(socket, arena, 256 * 1024);
    // Far more than the kernel's buffers take while the peer is paused: writes stay pending in
    // the socket, and the copies made meanwhile must not land on their memory.
    const count = 400;
    const size = 65_536;
    let mark = 0;
    const regions = new Set<ArrayBufferLike>();
    for (let i = 0; i < count; i++) {
      const view = arena.allocate(size).fill(i % 251);
      regions.add(view.buffer);
      mark = queue.push([view]);
      // A turn of the event loop: flushes and write callbacks run as they would between sends.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const written = queue.whenWritten(mark);
    const bytes = await received(count * size);
    await written;
    for (let i = 0; i < count; i++) {
      const block = bytes.subarray(i * size, (i + 1) * size);
      expect(block.every((byte) => byte === i % 251)).toBe(true);
    }
    // The pending writes did keep regions from being reused: more than one was needed.
    expect(regions.size).toBeGreaterThan(1);
    // Once the kernel has everything (write callbacks), the current region is free again.
    const again = arena.allocate(size);
    expect(again.buffer).toBe(arena.region);
    expect(regions.has(again.buffer)).toBe(true);
    expect(again.byteOffset).toBe(0);
  });
});
